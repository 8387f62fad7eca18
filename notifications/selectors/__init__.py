"""Read-only queries (HackSoft selectors): one module per concern."""
