"""Services: the functions that do the work (and change state); one module per job."""
