"""python manage.py import_datasets DIR | --profiles FILE --activity FILE …"""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from customers.importing import FileProblemAtWrite, FileSummary, ImportFailed, find_dataset_files, import_datasets
from customers.importing.schema import SPECS
from customers.importing.services import DEFAULT_BATCH_SIZE


class Command(BaseCommand):
    help = (
        "Import the five supplier CSV files atomically (profiles first). Any bad row aborts the whole "
        "import and is listed as file:row: column=value: reason."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", nargs="?", type=Path, help="folder holding the supplier files")
        for spec in SPECS:
            parser.add_argument(
                f"--{spec.key}", type=Path, metavar="FILE", help=f"a file in the {spec.filename} format"
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
            summaries = import_datasets(sources, batch_size=options["batch_size"], progress=progress)
        except ImportFailed as failed:
            if progress:
                self.stderr.write("")
            for line in failed.report_lines():
                self.stderr.write(line)
            if options["json"]:
                self.stdout.write(json.dumps(self._json(failed.summaries, failed.error_count)))
            raise CommandError(str(failed), returncode=1) from None
        except FileProblemAtWrite as refused:
            raise CommandError(f"{refused}; nothing was imported.", returncode=1) from refused
        if progress:
            self.stderr.write("")
        if options["json"]:
            self.stdout.write(json.dumps(self._json(summaries, 0)))
        else:
            for summary in summaries:
                self.stdout.write(str(summary))

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

    @staticmethod
    def _json(summaries: list[FileSummary], error_count: int) -> dict[str, object]:
        return {"ok": error_count == 0, "errors": error_count, "files": [s.as_dict() for s in summaries]}
