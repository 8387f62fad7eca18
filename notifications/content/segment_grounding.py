"""Segment reasons must say what the data says: a real field, with this customer's actual value.

A reason reaches agents (the card's "why", the queue export) as
`segment_reasons[].field` and `.value`, so an analyst's answer is checked like a
draft: every reason names a field of the customer's record and quotes its value
(a scalar's value, or one of the values of a list field such as
`interactions.summary`), with no number or date the record does not hold. A
reason the offline scorer itself gives for this customer (its counts and
medians are derived from the record) is accepted as it stands.

`support_share` measures how much of the offline scorer's evidence points to a
segment: an AI segment with almost none of it is a strong disagreement.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from typing import Any

from notifications.content.grounding import LONDON, Facts, invented_facts, mentioned_dates, quotes
from notifications.profiles.schemas import (
    ActivitySnapshot,
    CustomerProfile,
    InteractionRecord,
    NotificationRecord,
    RecommendedActionRecord,
    Segmentation,
    SegmentReason,
)

LIST_FIELDS = {
    "interactions": InteractionRecord,
    "notifications": NotificationRecord,
    "recommended_actions": RecommendedActionRecord,
}
_FIELD = re.compile(r"^\s*([a-z_]+)(?:\[\d+\])?(?:\.([a-z_]+))?\s*$")
_SPACES = re.compile(r"\s+")


def _norm(text: str) -> str:
    return _SPACES.sub(" ", text).strip().strip("\"'“”‘’.,;:!?").lower()


def _dates(value: Any) -> set[dt.date]:
    """A date or datetime as the days it may be written as (the stored UTC day and the UK day)."""
    if isinstance(value, dt.datetime):
        days = {value.date()}
        if value.tzinfo is not None:
            days.add(value.astimezone(LONDON).date())
        return days
    return {value} if isinstance(value, dt.date) else set()


def _field_values(profile: CustomerProfile, root: str, attribute: str | None) -> list[Any] | None:
    """The actual value(s) of a field, or None when the record has no such field."""
    if root in LIST_FIELDS:
        if attribute is None or attribute not in LIST_FIELDS[root].model_fields:
            return None
        return [getattr(record, attribute) for record in getattr(profile, root)]
    if root == "activity":
        root, attribute = attribute or "", None
    if attribute is not None:
        return None
    if root in ActivitySnapshot.model_fields:
        return [getattr(profile.activity, root)] if profile.activity is not None else []
    if root in CustomerProfile.model_fields and root not in LIST_FIELDS and root != "customer_pk":
        return [getattr(profile, root)]
    return None


def _states(value: str, actual: Any) -> bool:
    if actual is None:
        return False
    if isinstance(actual, dt.date):
        return bool(_dates(actual) & mentioned_dates(value))
    text = str(actual)
    if isinstance(actual, str):
        if not text.strip():
            return False
        # A quote of part of a free text ("asked for a cheaper tariff") is as good as the whole of it.
        wanted, said = _norm(text), _norm(value)
        return wanted in said or (len(said) >= 4 and said in wanted)
    return quotes(value, text)


def reason_problems(
    segmentation: Segmentation,
    profile: CustomerProfile,
    facts: Facts,
    offline_reasons: Iterable[SegmentReason] = (),
) -> list[str]:
    """Why each reason is not grounded (empty when every one is)."""
    known = {(_norm(r.field), _norm(r.value)) for r in offline_reasons}
    problems: list[str] = []
    for reason in segmentation.reasons:
        label = f"reason {reason.field!r}={reason.value!r}"
        if (_norm(reason.field), _norm(reason.value)) in known:
            continue  # the offline scorer's own reading of this record
        match = _FIELD.match(reason.field.lower())
        values = _field_values(profile, *match.groups()) if match else None
        if values is None:
            if reason.field.strip() == "profile" and reason.weight == 0:
                continue  # "no distinguishing signals": claims nothing
            problems.append(f"{label}: {reason.field!r} is not a field of the customer's record")
            continue
        if not any(_states(reason.value, actual) for actual in values):
            problems.append(f"{label}: the customer's {reason.field} is not {reason.value!r}")
            continue
        invented = invented_facts(reason.value, facts, names=False)
        if invented:
            problems.append(f"{label}: {invented[0].kind} {invented[0].text!r} is not in the customer's record")
    if not any(r.points_to == segmentation.segment for r in segmentation.reasons):
        problems.append(f"no reason points to the chosen segment {segmentation.segment.value!r}")
    return problems


def support_share(reasons: Iterable[SegmentReason], segment: str) -> float | None:
    """The share of the evidence's weight that points to `segment`; None when there is no evidence."""
    reasons = list(reasons)
    grand = sum(r.weight for r in reasons)
    return sum(r.weight for r in reasons if r.points_to == segment) / grand if grand else None
