"""Uplift: did contacting change what customers did? Treated against control, with 95% intervals.

Differences are treated − control, in points: percentage points for rates, score
points for the churn-risk score change.

- Rates use Newcombe's hybrid-score interval for a difference of two independent
  proportions (statsmodels `confint_proportions_2indep`, its default for
  differences). Unlike the textbook Wald interval it stays honest for small
  groups and for rates near 0% or 100%, which is what a control group broken
  down by channel looks like.
- The churn-risk score change uses Welch's t interval for a difference of means
  (statsmodels `CompareMeans.tconfint_diff`, unequal variances): the arms differ
  tenfold in size, so equal variances cannot be assumed.

The verdict says "too few customers to tell yet" when the interval still
contains zero and is wide: its half-width is over WIDE_POINTS (5 points). A
retention contact is worth making for an effect of a few points, so an interval
that cannot place the effect within ±5 points cannot tell a useful effect from
none. An interval that excludes zero is reported with its direction even when
wide (the size is then flagged as uncertain).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any

from notifications.experiments.holdout import Arm

CONFIDENCE = 0.95
WIDE_POINTS = 5.0


class Better(IntEnum):
    LOWER = -1
    HIGHER = 1


@dataclass(frozen=True)
class Metric:
    key: str  # the Observation attribute
    label: str
    noun: str  # how a verdict names it: "the churn rate was …"
    better: Better
    is_rate: bool = True


METRICS = (
    Metric("churned", "Churned (account closed, or no login in the window)", "churn rate", Better.LOWER),
    Metric("complaint", "Raised a complaint", "complaint rate", Better.LOWER),
    Metric("positive_action", "Took a positive action on a notification", "positive-action rate", Better.HIGHER),
    Metric("churn_change", "Change in churn risk score", "churn risk score change", Better.LOWER, is_rate=False),
)
HEADLINE = "churned"
DIMENSIONS = {"priority": "Priority", "situation": "Situation", "channel": "Channel"}
_ORDER = {"priority": ("High", "Medium", "Low")}


@dataclass(frozen=True)
class Observation:
    """One customer in the experiment whose outcome window has ended."""

    arm: str  # Arm.TREATED or Arm.CONTROL
    priority: str
    situation: str
    channel: str
    churned: bool
    complaint: bool
    positive_action: bool
    churn_change: float | None  # None: no score in the window (e.g. no login)


@dataclass(frozen=True)
class Comparison:
    metric: Metric
    treated_n: int  # customers measured (for the score change: those with a score in the window)
    control_n: int
    treated_value: float | None  # rate in % or mean change in points
    control_value: float | None
    difference: float | None  # treated − control, in points
    low: float | None  # the 95% interval of the difference
    high: float | None
    verdict: str

    @property
    def wide(self) -> bool:
        return self.low is None or self.high is None or (self.high - self.low) / 2 > WIDE_POINTS

    def as_dict(self) -> dict[str, Any]:
        return {
            "metric": self.metric.key,
            "label": self.metric.label,
            "treated_n": self.treated_n,
            "control_n": self.control_n,
            "treated": _round(self.treated_value),
            "control": _round(self.control_value),
            "difference": _round(self.difference),
            "ci_low": _round(self.low),
            "ci_high": _round(self.high),
            "wide": self.wide,
            "verdict": self.verdict,
        }


@dataclass(frozen=True)
class Group:
    label: str
    treated_n: int
    control_n: int
    comparisons: dict[str, Comparison]

    def as_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "treated_n": self.treated_n,
            "control_n": self.control_n,
            "metrics": [c.as_dict() for c in self.comparisons.values()],
        }


@dataclass(frozen=True)
class UpliftReport:
    overall: Group
    by: dict[str, list[Group]] = field(default_factory=dict)

    @property
    def headline(self) -> Comparison:
        return self.overall.comparisons[HEADLINE]

    def as_dict(self) -> dict[str, Any]:
        return {
            "confidence": CONFIDENCE,
            "wide_points": WIDE_POINTS,
            "headline": self.headline.as_dict(),
            "overall": self.overall.as_dict(),
            "by": {dim: [g.as_dict() for g in groups] for dim, groups in self.by.items()},
        }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def uplift_report(observations: Iterable[Observation], dimensions: Sequence[str] = tuple(DIMENSIONS)) -> UpliftReport:
    """Every metric for everyone, then for each value of each dimension (priority, situation, channel)."""
    rows = list(observations)
    by: dict[str, list[Group]] = {}
    for dim in dimensions:
        split: dict[str, list[Observation]] = defaultdict(list)
        for row in rows:
            split[getattr(row, dim) or "(none)"].append(row)
        order = _ORDER.get(dim, ())
        labels = sorted(split, key=lambda v: (order.index(v) if v in order else len(order), v))
        by[dim] = [_group(label, split[label]) for label in labels]
    return UpliftReport(overall=_group("All customers in the experiment", rows), by=by)


def _group(label: str, rows: list[Observation]) -> Group:
    treated = [r for r in rows if r.arm == Arm.TREATED]
    control = [r for r in rows if r.arm == Arm.CONTROL]
    comparisons = {}
    for m in METRICS:
        t = [getattr(r, m.key) for r in treated]
        c = [getattr(r, m.key) for r in control]
        if m.is_rate:
            comparisons[m.key] = compare_rates(m, sum(t), len(t), sum(c), len(c))
        else:
            comparisons[m.key] = compare_means(m, [v for v in t if v is not None], [v for v in c if v is not None])
    return Group(label, len(treated), len(control), comparisons)


def compare_rates(
    metric: Metric, treated_events: int, treated_n: int, control_events: int, control_n: int
) -> Comparison:
    """Treated against control rate, in percentage points, with Newcombe's 95% interval."""
    t_rate = 100 * treated_events / treated_n if treated_n else None
    c_rate = 100 * control_events / control_n if control_n else None
    low = high = diff = None
    if treated_n and control_n:
        # Imported here: statsmodels pulls in scipy (over a second), which only this report needs.
        from statsmodels.stats.proportion import confint_proportions_2indep

        lo, hi = confint_proportions_2indep(
            treated_events, treated_n, control_events, control_n, compare="diff", alpha=1 - CONFIDENCE
        )
        diff, low, high = t_rate - c_rate, 100 * float(lo), 100 * float(hi)
    says = verdict(metric, diff, low, high, treated_n, control_n)
    return Comparison(metric, treated_n, control_n, t_rate, c_rate, diff, low, high, says)


def compare_means(metric: Metric, treated: Sequence[float], control: Sequence[float]) -> Comparison:
    """Treated against control mean, with Welch's 95% interval (undefined below two values an arm)."""
    t_mean = sum(treated) / len(treated) if treated else None
    c_mean = sum(control) / len(control) if control else None
    low = high = diff = None
    if len(treated) >= 2 and len(control) >= 2:
        import numpy as np
        from statsmodels.stats.weightstats import CompareMeans, DescrStatsW

        with np.errstate(divide="ignore", invalid="ignore"):  # no spread in either arm: the interval is NaN
            lo, hi = CompareMeans(
                DescrStatsW(np.asarray(treated, dtype=float)), DescrStatsW(np.asarray(control, dtype=float))
            ).tconfint_diff(alpha=1 - CONFIDENCE, usevar="unequal")
        if math.isfinite(lo) and math.isfinite(hi):
            diff, low, high = t_mean - c_mean, float(lo), float(hi)
    says = verdict(metric, diff, low, high, len(treated), len(control))
    return Comparison(metric, len(treated), len(control), t_mean, c_mean, diff, low, high, says)


def verdict(
    metric: Metric, diff: float | None, low: float | None, high: float | None, treated_n: int, control_n: int
) -> str:
    """One plain-English sentence a head of retention can act on."""
    if not control_n:
        return "No control-group customers to compare against yet."
    if not treated_n:
        return "No contacted customers to compare yet."
    if diff is None or low is None or high is None:
        return "Too few customers to tell yet."
    wide = (high - low) / 2 > WIDE_POINTS
    if low <= 0 <= high:
        if wide:
            return (
                f"Too few customers to tell yet: the {metric.noun} could have changed by anything from "
                f"{low:+.1f} to {high:+.1f} points."
            )
        return (
            f"No clear difference: contacting changed the {metric.noun} by between {low:+.1f} and {high:+.1f} points."
        )
    direction = "lower" if diff < 0 else "higher"
    helped = (diff < 0) == (metric.better == Better.LOWER)
    text = (
        f"The {metric.noun} was {abs(diff):.1f} points {direction} for contacted customers than for the control "
        f"group (95% interval {low:+.1f} to {high:+.1f}): contacting {'helped' if helped else 'did harm'}."
    )
    if wide:
        text += " The interval is wide: more customers will pin down the size."
    return text
