"""Reads about the customer data as a whole."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count

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
