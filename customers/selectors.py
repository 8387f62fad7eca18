"""Reads over the imported datasets as a whole: how fresh they are, and what happened to customers after a decision.

`read_outcomes` measures each customer over a window after their decision
(default 60 days) from the supplier's own exports only, never from our
engagement tracking, so contacted and held-out customers are measured the same
way:

- closed: the newest account snapshot up to the window's end has a closed status
  (a newer export updates a snapshot in place, so a closure may arrive on an old
  snapshot: it still counts);
- dormant: no login at all in the window (no account snapshot dated inside it);
- churned: closed or dormant;
- churn risk change: the newest score in the window minus the newest score at or
  before the decision (None when there is no score in the window);
- complaint: an interaction of type Complaint in the window;
- positive action: a notification sent in the window with an action the customer
  took (anything but "Viewed Only", an unsubscribe or an opt-out).

A window is only measured once the data reaches its end: the data's date
(`data_as_of`) is the newest login, interaction or notification in any export.
Until then the outcome is `observed=False`. This assumes later exports are full
exports (all five files), as the supplier sends them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Max
from django.utils import timezone

from customers.models import AccountActivity, ImportRun, Interaction, NotificationHistory

DEFAULT_WINDOW_DAYS = 60
# Account statuses meaning the customer has gone; compared lower-cased.
CLOSED_STATUSES = frozenset({"closed", "cancelled", "canceled", "terminated", "deceased", "switched away"})
NOT_POSITIVE_ACTIONS = frozenset({"viewed only", "unsubscribed", "opted out", "opt out"})
_CHUNK = 500  # customers per IN (...) query: well under SQLite's parameter limit


@dataclass(frozen=True)
class Outcome:
    observed: bool  # False: the imported data does not reach the window's end yet
    closed: bool = False
    dormant: bool = False
    complaint: bool = False
    positive_action: bool = False
    churn_change: Decimal | None = None

    @property
    def churned(self) -> bool:
        return self.closed or self.dormant


PENDING = Outcome(observed=False)


def recorded_as_of() -> dt.datetime | None:
    """How recent the data we hold is: the latest as-of time of any successful import (the newest
    timestamp in its files, or what the supplier said); None before any import recorded one.

    The latest, not the last import's: a later profiles-only upload is "as of" its newest
    Customer_Since, which would pull recency back months. One query: profiles read it on every load.
    """
    return ImportRun.objects.filter(status=ImportRun.Status.SUCCEEDED).aggregate(latest=Max("as_of"))["latest"]


def data_as_of() -> dt.datetime | None:
    """How far the imported data reaches: its newest login, interaction or notification (None: no data)."""
    stamps = [
        AccountActivity.objects.aggregate(m=Max("last_login"))["m"],
        Interaction.objects.aggregate(m=Max("occurred_at"))["m"],
        NotificationHistory.objects.aggregate(m=Max("sent_at"))["m"],
    ]
    return max((s for s in stamps if s is not None), default=None)


def read_outcomes(
    decisions: Mapping[int, dt.datetime],
    *,
    window_days: int = DEFAULT_WINDOW_DAYS,
    as_of: dt.datetime | None = None,
) -> dict[int, Outcome]:
    """{customer pk: Outcome} for each (customer pk → decided_at); three queries per 500 customers.

    `as_of` defaults to `data_as_of()`; a window ending after it is PENDING.
    """
    if window_days < 1:
        raise ValueError("the outcome window must be at least one day")
    window = dt.timedelta(days=window_days)
    as_of = as_of if as_of is not None else data_as_of()
    due = {pk: at for pk, at in decisions.items() if as_of is not None and at + window <= as_of}
    out = {pk: PENDING for pk in decisions if pk not in due}
    pks = sorted(due)
    for start in range(0, len(pks), _CHUNK):
        chunk = {pk: due[pk] for pk in pks[start : start + _CHUNK]}
        out.update(_read_chunk(chunk, window))
    return out


def _read_chunk(decided: dict[int, dt.datetime], window: dt.timedelta) -> dict[int, Outcome]:
    first, last_end = min(decided.values()), max(decided.values()) + window
    snapshots: dict[int, list[tuple[dt.datetime, str, Decimal]]] = {pk: [] for pk in decided}
    for pk, login, status, churn in AccountActivity.objects.filter(
        customer_id__in=decided, last_login__lte=last_end
    ).values_list("customer_id", "last_login", "account_status", "churn_risk_score"):
        snapshots[pk].append((login, status, churn))
    complaints = set()
    for pk, at in Interaction.objects.filter(
        customer_id__in=decided, occurred_at__gt=first, occurred_at__lte=last_end, interaction_type__iexact="complaint"
    ).values_list("customer_id", "occurred_at"):
        if decided[pk] < at <= decided[pk] + window:
            complaints.add(pk)
    actions = set()
    for pk, at, action in (
        NotificationHistory.objects.filter(customer_id__in=decided, sent_at__gt=first, sent_at__lte=last_end)
        .exclude(action_taken="")
        .values_list("customer_id", "sent_at", "action_taken")
    ):
        if decided[pk] < at <= decided[pk] + window and action.strip().lower() not in NOT_POSITIVE_ACTIONS:
            actions.add(pk)
    return {pk: _outcome(snapshots[pk], at, at + window, pk in complaints, pk in actions) for pk, at in decided.items()}


def _outcome(
    snapshots: list[tuple[dt.datetime, str, Decimal]],
    decided_at: dt.datetime,
    end: dt.datetime,
    complaint: bool,
    action: bool,
) -> Outcome:
    before = max((s for s in snapshots if s[0] <= decided_at), default=None)
    inside = max((s for s in snapshots if decided_at < s[0] <= end), default=None)
    newest = max((s for s in snapshots if s[0] <= end), default=None)
    closed = newest is not None and newest[1].strip().lower() in CLOSED_STATUSES
    change = inside[2] - before[2] if inside and before else None
    return Outcome(
        observed=True,
        closed=closed,
        dormant=inside is None,
        complaint=complaint,
        positive_action=action,
        churn_change=change,
    )


def account_status_counts() -> dict[str, int]:
    """Every account status in the data, with the number of activity rows carrying it (one query)."""
    rows = AccountActivity.objects.values_list("account_status").annotate(n=Count("id")).order_by("account_status")
    return dict(rows)


@dataclass(frozen=True)
class DataFreshness:
    as_of: dt.datetime
    age_days: int
    stale_after_days: int

    @property
    def stale(self) -> bool:
        return self.age_days > self.stale_after_days


def data_freshness(now: dt.datetime | None = None) -> DataFreshness | None:
    """How old the stored data is (None: no import has recorded an as-of time yet)."""
    as_of = recorded_as_of()
    if as_of is None:
        return None
    age = (timezone.localdate(now or timezone.now()) - timezone.localdate(as_of)).days
    return DataFreshness(as_of, age, settings.DATA_STALE_AFTER_DAYS)
