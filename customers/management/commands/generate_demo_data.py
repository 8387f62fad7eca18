"""python manage.py generate_demo_data --customers N --seed S --out DIR [--with-personas]

With --follow-up SUBJECTS.csv (or - for stdin), writes instead a follow-up
export for those decisions with a planted effect (`customers.demo_data.followup`):

    python manage.py experiment_subjects | python manage.py generate_demo_data --follow-up - --out var/followup
"""

import datetime as dt
import sys
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from customers.demo_data import DEFAULT_AS_OF, PERSONAS_FILE, generate_dataset
from customers.demo_data.followup import TREATED, Effects, SubjectsError, read_subjects, write_follow_up


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
        follow = parser.add_argument_group("follow-up export with a planted effect")
        follow.add_argument(
            "--follow-up",
            metavar="SUBJECTS.csv",
            help="write a follow-up export for these decisions (Customer_ID,Arm,Decided_At,…; - reads stdin)",
        )
        default = Effects()
        for flag, field, what in (
            ("--churn-effect", "churn", "churn rate"),
            ("--complaint-effect", "complaint", "complaint rate"),
            ("--action-effect", "positive_action", "positive-action rate"),
            ("--score-effect", "churn_score", "churn risk score change"),
        ):
            value = getattr(default, field)
            follow.add_argument(
                flag, dest=field, type=float, default=value, help=f"true effect of contact on the {what} ({value:+g})"
            )
        follow.add_argument("--window-days", type=int, default=60, help="outcome window after a decision (60)")

    def handle(self, *args: object, **options: object) -> None:
        if options["follow_up"]:
            self._follow_up(options)
            return
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

    def _follow_up(self, options: dict) -> None:
        source = options["follow_up"]
        try:
            if source == "-":
                subjects = read_subjects(sys.stdin, "stdin")
            else:
                with open(source, encoding="utf-8-sig", newline="") as handle:
                    subjects = read_subjects(handle, Path(source).name)
        except OSError as exc:
            raise CommandError(f"cannot read {source}: {exc.strerror}") from exc
        except SubjectsError as exc:
            raise CommandError(f"bad subjects file, nothing written:\n{exc}") from exc
        effects = Effects(
            churn=options["churn"],
            complaint=options["complaint"],
            positive_action=options["positive_action"],
            churn_score=options["churn_score"],
        )
        try:
            as_of, counts = write_follow_up(
                options["out"], subjects, effects=effects, window_days=options["window_days"], seed=options["seed"]
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        for name, rows in counts.items():
            self.stdout.write(f"{name}: {rows:,} rows")
        treated = sum(1 for s in subjects if s.arm == TREATED)
        self.stdout.write(
            self.style.SUCCESS(
                f"Wrote a follow-up export dated {as_of} to {options['out']} for {len(subjects):,} decisions "
                f"({treated:,} treated, {len(subjects) - treated:,} control); planted effects: churn "
                f"{effects.churn:+g}, complaints {effects.complaint:+g}, positive actions {effects.positive_action:+g} "
                f"points, churn risk score {effects.churn_score:+g}"
            )
        )
