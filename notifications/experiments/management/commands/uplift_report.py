"""python manage.py uplift_report [--json]: the holdout experiment's uplift, as on the results page."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandParser

from notifications.experiments.models import HoldoutExperiment
from notifications.experiments.selectors import UpliftSummary, experiment_uplift
from notifications.experiments.uplift import DIMENSIONS, HEADLINE, Comparison


class Command(BaseCommand):
    help = "Treated against control outcome rates, with 95% intervals and a verdict, by priority, situation, channel."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", help="print the report as JSON")
        parser.add_argument("--experiment", metavar="KEY", help="an earlier experiment's key (default: the current)")

    def handle(self, *args: object, **options: object) -> None:
        experiment = HoldoutExperiment.load()
        if options["experiment"]:
            experiment.key = options["experiment"]
        summary = experiment_uplift(experiment)
        if options["json"]:
            self.stdout.write(json.dumps(_as_json(summary), indent=2))
            return
        self.stdout.write("\n".join(_lines(summary)))


def _as_json(s: UpliftSummary) -> dict:
    return {
        "experiment": s.key,
        "window_days": s.window_days,
        "data_as_of": s.data_as_of.isoformat() if s.data_as_of else None,
        "measured": s.measured,
        "pending": s.pending,
        "held_out": s.held_out,
        **s.report.as_dict(),
    }


def _row(label: str, c: Comparison) -> str:
    unit = "%" if c.metric.is_rate else ""
    t = f"{c.treated_value:.1f}{unit}" if c.treated_value is not None else "-"
    k = f"{c.control_value:.1f}{unit}" if c.control_value is not None else "-"
    d = f"{c.difference:+.1f} ({c.low:+.1f} to {c.high:+.1f})" if c.difference is not None else "-"
    return f"  {label[:52]:<52} {t:>7} n={c.treated_n:<6} {k:>7} n={c.control_n:<6} {d}"


def _lines(s: UpliftSummary) -> list[str]:
    as_of = f"{s.data_as_of:%d %b %Y}" if s.data_as_of else "no data"
    lines = [
        f"Holdout experiment {s.key}: {s.measured} customers measured over {s.window_days} days after each "
        f"decision (data up to {as_of}); {s.pending} still inside the window; {s.held_out} held out in all.",
        "",
        s.report.headline.verdict,
        "",
        f"  {'outcome':<52} {'contacted':>16} {'held out':>16} difference, points (95% interval)",
    ]
    lines += [_row(c.metric.label, c) for c in s.report.overall.comparisons.values()]
    for dim, groups in s.report.by.items():
        lines += ["", f"  {HEADLINE} by {DIMENSIONS[dim].lower()}:"]
        lines += [_row(g.label, g.comparisons[HEADLINE]) for g in groups]
    return lines
