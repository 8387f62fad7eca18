"""python manage.py import_datasets DIR | --profiles FILE --activity FILE … [--as-of WHEN] [--json]"""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from customers.importing import (
    FileProblemAtWrite,
    FileSummary,
    ImportBusy,
    ImportFailed,
    find_dataset_files,
    import_datasets,
)
from customers.importing.parsers import as_of_moment
from customers.importing.results import Problems
from customers.importing.runs import record_command_run
from customers.importing.schema import SPECS
from customers.importing.services import DEFAULT_BATCH_SIZE
from customers.models import ImportRun

# Warnings printed in full up to this many; the rest are counted (the run and --json keep them all).
WARNINGS_SHOWN = 10


class Command(BaseCommand):
    help = (
        "Import the five supplier CSV files atomically (profiles first). Any bad row aborts the whole "
        "import and is listed as file:line: column=value: reason; odd rows are stored and listed the same "
        "way as warnings."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", nargs="?", type=Path, help="folder holding the supplier files")
        for spec in SPECS:
            parser.add_argument(
                f"--{spec.key}", type=Path, metavar="FILE", help=f"a file in the {spec.filename} format"
            )
        parser.add_argument(
            "--as-of",
            type=as_of_moment,
            metavar="WHEN",
            help="when the data was true, if not the newest date in the files (e.g. 2025-09-30 or 30/09/2025 18:00)",
        )
        parser.add_argument("--json", action="store_true", help="print the summary as JSON on stdout")
        parser.add_argument(
            "--batch-size",
            type=int,
            default=DEFAULT_BATCH_SIZE,
            help=f"rows per database write (default {DEFAULT_BATCH_SIZE})",
        )

    def handle(self, *args: object, **options: object) -> None:
        sources = self._sources(options)
        progress = self._progress if self.stderr.isatty() and not options["json"] else None
        try:
            result = import_datasets(
                sources,
                batch_size=options["batch_size"],
                progress=progress,
                as_of=options["as_of"],
                on_wait=self.stderr.write,
            )
        except ImportFailed as failed:
            run = record_command_run(sources, failed)
            if progress:
                self.stderr.write("")
            for line in failed.report_lines():
                self.stderr.write(line)
            self._list_warnings(failed.warnings, run)
            if options["json"]:
                self.stdout.write(json.dumps(failed.as_dict()))
            raise CommandError(str(failed), returncode=1) from None
        except (FileProblemAtWrite, ImportBusy) as refused:
            raise CommandError(f"{refused}; nothing was imported.", returncode=1) from refused
        run = record_command_run(sources, result)
        if progress:
            self.stderr.write("")
        shown = self._list_warnings(result.warnings, run)
        if options["json"]:
            self.stdout.write(json.dumps({**result.as_dict(), "after_import": run.reactions}))
            return
        for summary in result:
            self.stdout.write(str(summary))
        warned = ""
        if result.warnings.count:
            listed = "listed above" if shown == result.warnings.count else f"the first {shown} listed above"
            warned = f" with {result.warnings.count} warning(s) ({listed})"
        self.stdout.write(self.style.SUCCESS(f"Imported{warned}. Data as of {result.as_of}."))
        for line in run.reactions:  # what the apps above did about the new data, e.g. stale drafts withdrawn
            self.stdout.write(line)

    def _list_warnings(self, warnings: Problems, run: ImportRun) -> int:
        """The first WARNINGS_SHOWN warnings (a real export can have thousands); returns how many were shown."""
        if not warnings.count:
            return 0
        self.stderr.write("Warnings (rows stored as exported; worth a look):")
        for problem in warnings.kept[:WARNINGS_SHOWN]:
            self.stderr.write(str(problem))
        shown = min(len(warnings.kept), WARNINGS_SHOWN)
        if warnings.count > shown:
            kept = len(warnings.kept)
            where = f"all {kept}" if kept == warnings.count else f"the first {kept:,}"
            self.stderr.write(
                f"... and {warnings.count - shown} more: {where} are kept on import run {run.pk} "
                "(admin: Import runs) and listed by --json."
            )
        return shown

    def _sources(self, options: dict) -> dict[str, Path]:
        sources: dict[str, Path] = {}
        directory = options["directory"]
        if directory is not None:
            if not directory.is_dir():
                raise CommandError(f"{directory} is not a folder")
            sources = find_dataset_files(directory)
            if not sources:
                names = ", ".join(s.filename for s in SPECS)
                raise CommandError(f"none of the supplier files ({names}) is in {directory}")
        for spec in SPECS:
            if options[spec.key] is not None:
                if not options[spec.key].is_file():
                    raise CommandError(f"--{spec.key}: {options[spec.key]} is not a file")
                sources[spec.key] = options[spec.key]
        if not sources:
            raise CommandError("give a folder or at least one of --profiles/--activity/--interactions/…")
        return sources

    def _progress(self, summary: FileSummary) -> None:
        self.stderr.write(f"\r{summary.file}: {summary.rows:,} rows ({summary.rows_per_second:,} rows/s)", ending="")
        self.stderr.flush()
