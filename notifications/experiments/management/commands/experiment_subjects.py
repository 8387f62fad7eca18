"""python manage.py experiment_subjects [--output FILE]: who the holdout experiment decided about, as CSV.

The input `generate_demo_data --follow-up` reads to write a later export with a planted effect:

    python manage.py experiment_subjects | python manage.py generate_demo_data --follow-up - --out var/followup
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandParser

from customers.demo_data.followup import write_subjects
from notifications.experiments.models import HoldoutExperiment
from notifications.experiments.selectors import subjects


class Command(BaseCommand):
    help = "Write each treated or control customer's first decision in the holdout experiment as CSV."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", type=Path, help="write here instead of stdout")
        parser.add_argument("--experiment", metavar="KEY", help="an earlier experiment's key (default: the current)")

    def handle(self, *args: object, **options: object) -> None:
        key = options["experiment"] or HoldoutExperiment.load().key
        if options["output"]:
            with open(options["output"], "w", encoding="utf-8", newline="") as handle:
                rows = write_subjects(handle, subjects(key))
            self.stderr.write(f"Wrote {rows:,} decisions of experiment {key} to {options['output']}")
        else:
            write_subjects(self.stdout, subjects(key))
