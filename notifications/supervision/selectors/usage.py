"""AI usage per job and per day: calls, tokens, £, fallbacks and £ per 1,000 notifications.

Each table is a handful of grouped queries whatever the number of calls.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from notifications.analysis.models import AICall, AnalysisJob, CustomerAnalysis
from notifications.queue.models import Notification


@dataclass
class UsageRow:
    key: object  # a job or a date
    calls: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cache_read_tokens: int = 0
    cache_write_tokens: int = 0
    cost_gbp: Decimal = Decimal("0")
    fallbacks: int = 0
    notifications: int = 0

    @property
    def gbp_per_1000_notifications(self) -> Decimal | None:
        if not self.notifications:
            return None
        return (self.cost_gbp * 1000 / self.notifications).quantize(Decimal("0.0001"))


_CALL_SUMS = {
    "calls": Count("id"),
    "input_tokens": Sum("input_tokens"),
    "output_tokens": Sum("output_tokens"),
    "cache_read_tokens": Sum("cache_read_tokens"),
    "cache_write_tokens": Sum("cache_write_tokens"),
    "cost_gbp": Sum("cost_gbp"),
}


def _fill(row: UsageRow, sums: dict) -> None:
    for name in _CALL_SUMS:
        value = sums.get(name)
        if value is not None:
            setattr(row, name, value)


def usage_by_job(*, limit: int = 50, job_id: int | None = None) -> list[UsageRow]:
    """The newest jobs with their AI usage (four queries)."""
    jobs = AnalysisJob.objects.select_related("created_by").order_by("-created_at")
    if job_id is not None:
        jobs = jobs.filter(pk=job_id)
    rows = {job.pk: UsageRow(key=job) for job in jobs[:limit]}
    ids = list(rows)
    for sums in AICall.objects.filter(job_id__in=ids).values("job_id").annotate(**_CALL_SUMS).order_by():
        _fill(rows[sums["job_id"]], sums)
    fallbacks = CustomerAnalysis.objects.filter(job_id__in=ids, is_fallback=True)
    for item in fallbacks.values("job_id").annotate(n=Count("id")).order_by():
        rows[item["job_id"]].fallbacks = item["n"]
    for item in Notification.objects.filter(job_id__in=ids).values("job_id").annotate(n=Count("id")).order_by():
        rows[item["job_id"]].notifications = item["n"]
    return list(rows.values())


def usage_by_day(*, days: int = 30, now: dt.datetime | None = None) -> list[UsageRow]:
    """The last `days` UK calendar days, newest first (three queries)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    since = timezone.make_aware(dt.datetime.combine(today - dt.timedelta(days=days - 1), dt.time.min))
    tz = timezone.get_current_timezone()
    rows: dict[dt.date, UsageRow] = {}

    def row(day: dt.date) -> UsageRow:
        return rows.setdefault(day, UsageRow(key=day))

    calls = AICall.objects.filter(created_at__gte=since).annotate(day=TruncDate("created_at", tzinfo=tz))
    for sums in calls.values("day").annotate(**_CALL_SUMS).order_by():
        _fill(row(sums["day"]), sums)
    analyses = CustomerAnalysis.objects.filter(created_at__gte=since).annotate(day=TruncDate("created_at", tzinfo=tz))
    for item in analyses.values("day").annotate(n=Count("id", filter=Q(is_fallback=True))).order_by():
        if item["n"]:
            row(item["day"]).fallbacks = item["n"]
    drafts = Notification.objects.filter(created_at__gte=since).annotate(day=TruncDate("created_at", tzinfo=tz))
    for item in drafts.values("day").annotate(n=Count("id")).order_by():
        row(item["day"]).notifications = item["n"]
    return sorted(rows.values(), key=lambda r: r.key, reverse=True)


def totals(rows: list[UsageRow]) -> UsageRow:
    total = UsageRow(key="Total")
    for r in rows:
        for name in (*_CALL_SUMS, "fallbacks", "notifications"):
            setattr(total, name, getattr(total, name) + getattr(r, name))
    return total
