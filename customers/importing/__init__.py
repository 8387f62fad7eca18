"""CSV import of the five supplier datasets: one set of rules for the command and the admin."""

from customers.importing.services import (
    FileProblemAtWrite,
    FileSummary,
    ImportFailed,
    RowError,
    find_dataset_files,
    import_datasets,
    import_file,
)

__all__ = [
    "FileProblemAtWrite",
    "FileSummary",
    "ImportFailed",
    "RowError",
    "find_dataset_files",
    "import_datasets",
    "import_file",
]
