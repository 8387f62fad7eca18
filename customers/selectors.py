"""Reads about the customer data as a whole."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count
from django.utils import timezone

from customers.models import AccountActivity, ImportRun


def data_as_of() -> dt.datetime | None:
    """When the stored data was true: the as-of time of the newest successful import (None: unknown)."""
    return (
        ImportRun.objects.filter(status=ImportRun.Status.SUCCEEDED, as_of__isnull=False)
        .order_by("-finished_at", "-pk")
        .values_list("as_of", flat=True)
        .first()
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
    as_of = data_as_of()
    if as_of is None:
        return None
    age = (timezone.localdate(now or timezone.now()) - timezone.localdate(as_of)).days
    return DataFreshness(as_of, age, settings.DATA_STALE_AFTER_DAYS)
