"""Forest-plot geometry for the uplift section: one row per group, the estimate and its 95% interval.

Server-rendered SVG (the app's CSP allows no scripts from elsewhere, and the
results page already draws its charts this way): this module only works out the
pixels; the template draws them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from notifications.experiments.uplift import DIMENSIONS, Better, Comparison, Metric, UpliftReport

LABEL_W, PLOT_W, TEXT_W = 190, 360, 170
ROW_H, TOP, BOTTOM = 22, 26, 10
# A group of three customers has an interval of ±80 points; drawn to scale it would squash every other
# row, so the axis stops at ±AXIS_LIMIT and longer whiskers run to the edge (the numbers beside say how far).
AXIS_LIMIT = 30.0
_STEPS = (0.5, 1, 2, 2.5, 5, 10, 20, 25, 50, 100)


@dataclass(frozen=True)
class ForestRow:
    label: str
    y: int  # the row's centre line
    header: bool = False  # a "By priority" heading: no estimate
    x: int | None = None  # the estimate, None when there is none
    low_x: int | None = None
    high_x: int | None = None
    text: str = ""  # the estimate and interval, beside the plot
    css: str = "uplift--unclear"  # helped / harm / unclear
    title: str = ""  # the verdict, as a tooltip


@dataclass(frozen=True)
class ForestChart:
    key: str
    title: str
    width: int
    height: int
    plot_left: int
    plot_right: int
    zero_x: int
    ticks: list[tuple[int, str]]
    rows: list[ForestRow]


def forest_chart(report: UpliftReport, metric: Metric) -> ForestChart:
    """The overall comparison, then each group of each dimension, on one shared axis (points)."""
    entries: list[tuple[str, Comparison | None]] = [("All customers", report.overall.comparisons[metric.key])]
    for dim, groups in report.by.items():
        entries.append((f"By {DIMENSIONS.get(dim, dim).lower()}", None))
        entries += [
            (f"{_display(dim, g.label)} ({g.treated_n}/{g.control_n})", g.comparisons[metric.key]) for g in groups
        ]
    bounds = [v for _, c in entries if c is not None and c.low is not None for v in (c.low, c.high)]
    low, high = max(min([0.0, *bounds]), -AXIS_LIMIT), min(max([0.0, *bounds]), AXIS_LIMIT)
    if high - low < 2:  # nothing to show yet, or all near zero: a readable ±5 axis
        low, high = min(low, -5.0), max(high, 5.0)
    step = next((s for s in _STEPS if (high - low) / s <= 8), _STEPS[-1])
    low, high = math.floor(low / step) * step, math.ceil(high / step) * step

    def x(value: float) -> int:
        value = min(max(value, low), high)
        return round(LABEL_W + PLOT_W * (value - low) / (high - low))

    rows, y = [], TOP + ROW_H // 2
    for label, c in entries:
        if c is None:
            rows.append(ForestRow(label, y, header=True))
        elif c.difference is None or c.low is None:
            rows.append(ForestRow(label, y, text="no interval yet", title=c.verdict))
        else:
            text = f"{c.difference:+.1f} ({c.low:+.1f} to {c.high:+.1f})"
            rows.append(ForestRow(label, y, x=x(c.difference), low_x=x(c.low), high_x=x(c.high), text=text,
                                  css=_css(c), title=c.verdict))  # fmt: skip
        y += ROW_H
    ticks = [(x(v), f"{v:+g}" if v else "0") for v in _frange(low, high, step)]
    return ForestChart(metric.key, metric.label, LABEL_W + PLOT_W + TEXT_W, y - ROW_H // 2 + BOTTOM,
                       LABEL_W, LABEL_W + PLOT_W, x(0), ticks, rows)  # fmt: skip


def _css(c: Comparison) -> str:
    if c.low is None or c.high is None or c.low <= 0 <= c.high:
        return "uplift--unclear"
    lower = c.high < 0
    return "uplift--helped" if lower == (c.metric.better == Better.LOWER) else "uplift--harm"


def _display(dim: str, label: str) -> str:
    """tariff_value → Tariff value: situations are stored as identifiers."""
    return label.replace("_", " ").capitalize() if dim == "situation" else label


def _frange(low: float, high: float, step: float) -> list[float]:
    count = round((high - low) / step)
    return [round(low + i * step, 6) for i in range(count + 1)]
