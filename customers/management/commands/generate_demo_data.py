"""python manage.py generate_demo_data --customers N --seed S --out DIR [--with-personas]"""

import datetime as dt
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from customers.demo_data import DEFAULT_AS_OF, PERSONAS_FILE, generate_dataset


def _date(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


class Command(BaseCommand):
    help = "Write the five supplier CSV files with realistic, persona-driven demo customers (deterministic per seed)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--customers", type=int, default=1000, help="number of customers (default 1000)")
        parser.add_argument("--seed", type=int, default=7, help="random seed; same seed, same bytes (default 7)")
        parser.add_argument("--out", type=Path, required=True, help="output folder (created if missing)")
        parser.add_argument(
            "--with-personas", action="store_true", help=f"also write {PERSONAS_FILE} (the hidden ground truth)"
        )
        parser.add_argument(
            "--as-of",
            type=_date,
            default=DEFAULT_AS_OF,
            metavar="YYYY-MM-DD",
            help=f"export date; all history ends the day before (default {DEFAULT_AS_OF})",
        )

    def handle(self, *args: object, **options: object) -> None:
        if options["customers"] < 0:
            raise CommandError("--customers must be 0 or more")
        started = time.perf_counter()
        counts = generate_dataset(
            options["out"],
            customers=options["customers"],
            seed=options["seed"],
            with_personas=options["with_personas"],
            as_of=options["as_of"],
        )
        elapsed = time.perf_counter() - started
        for name, rows in counts.items():
            self.stdout.write(f"{name}: {rows:,} rows")
        if options["with_personas"]:
            self.stdout.write(f"{PERSONAS_FILE}: {options['customers']:,} rows (ground truth, not a supplier file)")
        total = sum(counts.values())
        self.stdout.write(
            self.style.SUCCESS(
                f"Wrote {total:,} rows for {options['customers']:,} customers to {options['out']} in {elapsed:.1f} s"
            )
        )
