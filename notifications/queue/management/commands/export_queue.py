"""Export queue items with every analysis field, for supervisors' spreadsheets and for checks.

    python manage.py export_queue [--format json|csv] [--status waiting --status held …] [--output FILE]

CSV cells that a spreadsheet would run as a formula (= + - @, tab, CR) are
prefixed with an apostrophe: customer free text and AI output are data.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator

from django.core.management.base import BaseCommand

from customers.resources import neutralise as neutralise_text
from notifications.queue.models import Notification
from notifications.queue.selectors.export import COLUMNS, export_rows


class Command(BaseCommand):
    help = "Export queue items (drafts and sent messages) with their analysis."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--format", choices=["json", "csv"], default="csv")
        parser.add_argument(
            "--status", action="append", choices=[s.value for s in Notification.Status], help="Repeatable."
        )
        parser.add_argument("--output", help="File to write (default: standard output).")

    def handle(self, *args, **options) -> None:
        if options["output"]:
            out = open(options["output"], "w", newline="", encoding="utf-8")  # noqa: SIM115
        else:
            out = self.stdout
            out.ending = ""  # the writers below end their own lines
        try:
            rows = export_rows(options["status"])
            count = _write_csv(out, rows) if options["format"] == "csv" else _write_json(out, rows)
        finally:
            if options["output"]:
                out.close()
        if options["output"]:
            self.stderr.write(f"Wrote {count:,} queue items to {options['output']}.")


def neutralise(value) -> str:
    """A CSV cell that cannot run as a spreadsheet formula; lists and dicts as JSON."""
    if isinstance(value, list | dict):
        value = json.dumps(value, ensure_ascii=False)
    return neutralise_text("" if value is None else str(value))


def _write_csv(out, rows: Iterator[dict]) -> int:
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    count = 0
    for row in rows:
        writer.writerow([neutralise(row[c]) for c in COLUMNS])
        count += 1
    return count


def _write_json(out, rows: Iterator[dict]) -> int:
    # Streamed as a JSON array, one item per line, so 100k items never sit in memory at once.
    out.write("[")
    count = 0
    for row in rows:
        out.write(("\n" if count == 0 else ",\n") + json.dumps(row, ensure_ascii=False))
        count += 1
    out.write("\n]\n")
    return count
