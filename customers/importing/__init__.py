"""CSV import of the five supplier datasets: one set of rules for the command and the admin."""

from customers.importing.lock import ImportBusy
from customers.importing.results import AsOf, FileProblemAtWrite, FileSummary, ImportFailed, ImportResult, RowError
from customers.importing.services import find_dataset_files, import_datasets, import_file

__all__ = [
    "AsOf",
    "FileProblemAtWrite",
    "FileSummary",
    "ImportBusy",
    "ImportFailed",
    "ImportResult",
    "RowError",
    "find_dataset_files",
    "import_datasets",
    "import_file",
]
