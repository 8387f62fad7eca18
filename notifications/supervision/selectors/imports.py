"""Reads for the "import all five" pages."""

from __future__ import annotations

from django.db.models import QuerySet

from customers.models import ImportRun


def recent_import_runs(limit: int = 10) -> QuerySet[ImportRun]:
    """The newest runs with who started them (one query)."""
    return ImportRun.objects.select_related("created_by").order_by("-created_at", "-pk")[:limit]
