"""The results page's numbers: the funnel by dimension, response times, and how much agents edit drafts.

Engagement counts human activity only (machine-suspected opens and clicks are
left out, Mautic #7884/#9798), and each stage counts a notification once.

The work is done by the database in a fixed number of queries, whatever the
volume (tests/notifications/test_results.py checks the count at two sizes):

1. One pass over the window's deliveries, each joined to its notification and
   analysis once: a MATERIALIZED common table expression (compiled by the ORM)
   holds one small row per delivery (priority, kind, channel, segment, week,
   analyst, delivered, edited, engagement code), and seven GROUP BYs over it
   (UNION ALL) return each dimension's funnel, the response-time buckets and
   the edits by analyst: a few dozen rows, whatever the volume. The engagement
   code is one correlated subquery per delivery over its human
   opens/clicks/actions (the `(notification, kind)` index): the response-time
   bucket of the first one × 4 + clicked × 2 + actioned, NULL when there was
   none. Weeks are a CASE on local-midnight Monday boundaries computed here (no
   per-row date functions: SQLite runs Django's in Python), response times use
   the database's own date arithmetic (julianday / EXTRACT(EPOCH)).
2. The edit distance (difflib over word lists) is Python work, so it is
   averaged over the `EDIT_SAMPLE` most recently sent edited drafts only (a
   bounded, indexed read of ≤ EDIT_SAMPLE rows); the edited/unedited counts
   themselves are exact (query 1 counts them). Storing the distance at send
   time would make it exact too, but needs a column (a migration) or relies on
   the "edited" event's metadata, whose keys are still changing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import connections
from django.db.models import (
    Case,
    F,
    IntegerField,
    Q,
    Value,
    When,
)
from django.utils import timezone

from notifications.common.text_diff import word_edits
from notifications.queue.funnel import FUNNEL_SQL, RESPONSE_BUCKETS, STAGES, engagement_code
from notifications.queue.models import Delivery, Notification

DIMENSIONS = {
    "priority": "Priority",
    "kind": "Message kind",
    "channel": "Channel",
    "segment": "Segment",
    "week": "Week",
}
EDIT_SAMPLE = 200  # the most recently sent edited drafts the mean edit distance reads


@dataclass
class FunnelGroup:
    label: str
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STAGES, 0))

    def rate(self, stage: str) -> float:
        sent = self.counts["sent"]
        return self.counts[stage] / sent if sent else 0.0


@dataclass
class EditStats:
    sent: int = 0
    unedited: int = 0
    edited: int = 0
    mean_word_edits: float = 0.0
    sampled: int = 0  # edited drafts the mean was computed over (at most EDIT_SAMPLE)
    by_provider: dict[str, tuple[int, int]] = field(default_factory=dict)  # provider → (unedited, edited)

    @property
    def unedited_share(self) -> float:
        return self.unedited / self.sent if self.sent else 0.0


@dataclass
class Results:
    since: dt.datetime
    total: FunnelGroup
    by: dict[str, list[FunnelGroup]]
    response_times: list[tuple[str, int]]
    no_response: int
    edits: EditStats


ORDER = {"priority": ("High", "Medium", "Low"), "kind": ("Service", "Marketing")}


def _sort_key(dimension: str, label: str) -> tuple[int, str]:
    order = ORDER.get(dimension, ())
    return (order.index(label) if label in order else len(order), label)


def _week_starts(since: dt.datetime, now: dt.datetime) -> list[dt.datetime]:
    """Local-midnight Mondays from the week holding `since` up to the one holding `now` (ISO weeks, UK time)."""
    tz = timezone.get_current_timezone()
    day = timezone.localtime(since, tz).date()
    monday = day - dt.timedelta(days=day.weekday())
    last = timezone.localtime(max(now, since), tz).date()
    starts = []
    while monday <= last:
        starts.append(dt.datetime.combine(monday, dt.time(), tzinfo=tz))
        monday += dt.timedelta(days=7)
    return starts


def _week_label(start: dt.datetime) -> str:
    year, week, _ = start.isocalendar()
    return f"{year}-W{week:02d}"


def _week_index(starts: list[dt.datetime], lo: int = 0, hi: int | None = None) -> Case | Value:
    """The index in `starts` of the week a delivery was sent in, as a balanced tree of CASEs.

    Plain comparisons with the boundaries (no per-row date function), about log2(weeks) of them per row
    (a flat CASE would test up to 53 in a year's window, most rows falling in the last weeks).
    """
    hi = len(starts) - 1 if hi is None else hi
    if lo >= hi:
        return Value(lo)
    mid = (lo + hi + 1) // 2  # weeks lo..mid-1 start before starts[mid]
    return Case(
        When(sent_at__lt=starts[mid], then=_week_index(starts, lo, mid - 1)),
        default=_week_index(starts, mid, hi),
        output_field=IntegerField(),
    )


def _per_delivery(since: dt.datetime, starts: list[dt.datetime]):
    """One narrow row per delivery handed to a channel in the window (the ORM writes the joins and subquery)."""
    edited = ~Q(notification__subject=F("notification__original_subject")) | ~Q(
        notification__body=F("notification__original_body")
    )
    return (
        Delivery.objects.filter(sent_at__gte=since)
        .annotate(
            r_priority=F("notification__priority"),
            r_kind=F("notification__kind"),
            r_channel=F("channel"),
            r_segment=F("notification__analysis__segment"),
            r_week=_week_index(starts),
            r_code=engagement_code(),
            r_provider=F("notification__analysis__provider"),
            r_delivered=Case(When(delivered_at__isnull=False, then=Value(1)), default=Value(0)),
            r_edited=Case(When(edited, then=Value(1)), default=Value(0)),
        )
        .order_by()
        .values(
            "r_priority",
            "r_kind",
            "r_channel",
            "r_segment",
            "r_week",
            "r_code",
            "r_provider",
            "r_delivered",
            "r_edited",
        )
    )


GROUPED_SQL = {
    **{dimension: (f"r_{dimension}", FUNNEL_SQL) for dimension in DIMENSIONS},
    "response": ("r_code / 4", "COUNT(*), 0, 0, 0, 0"),
    "provider": ("r_provider", "COUNT(*), SUM(r_edited), 0, 0, 0"),
}


def _grouped(rows) -> list[tuple]:
    """The per-delivery rows grouped seven ways in one statement: (grouping, key, five sums)."""
    inner, params = rows.query.sql_with_params()
    connection = connections[rows.db]
    hint = "MATERIALIZED " if connection.vendor in ("sqlite", "postgresql") else ""  # computed once, read 7 times
    selects = [
        # Keys as text: one column for every grouping (UNION needs one type); weeks and buckets are parsed back.
        f"SELECT '{name}', CAST({key} AS VARCHAR(40)), {sums} FROM per_delivery GROUP BY {key}"
        for name, (key, sums) in GROUPED_SQL.items()
    ]
    with connection.cursor() as cursor:
        cursor.execute(f"WITH per_delivery AS {hint}({inner}) " + " UNION ALL ".join(selects), params)
        return cursor.fetchall()


def results(*, weeks: int = 12, now: dt.datetime | None = None) -> Results:
    now = now or timezone.now()
    since = now - dt.timedelta(weeks=weeks)
    starts = _week_starts(since, now)
    label = {
        "priority": str,
        "kind": lambda kind: (kind or "").title(),
        "channel": str,
        "segment": lambda segment: segment or "Not analysed",
        "week": lambda week: _week_label(starts[int(week)]),
    }
    total = FunnelGroup("All")
    groups: dict[str, list[FunnelGroup]] = {d: [] for d in DIMENSIONS}
    buckets: dict[int, int] = {}
    per_provider: dict[str, list[int]] = {}
    no_response = 0
    for name, key, *sums in _grouped(_per_delivery(since, starts)):
        sums = [int(value or 0) for value in sums]
        if name in groups:
            groups[name].append(FunnelGroup(label[name](key), dict(zip(STAGES, sums, strict=True))))
            if name == "priority":  # every delivery has exactly one priority: the total is their sum
                for stage, value in zip(STAGES, sums, strict=True):
                    total.counts[stage] += value
        elif name == "response":
            if key is None:
                no_response = sums[0]
            else:
                buckets[int(key)] = sums[0]
        else:
            per_provider[key or "unknown"] = [sums[0] - sums[1], sums[1]]
    by = {d: sorted(g, key=lambda grp, d=d: _sort_key(d, grp.label)) for d, g in groups.items()}
    return Results(
        since=since,
        total=total,
        by=by,
        response_times=[(bucket, buckets.get(i, 0)) for i, (bucket, _) in enumerate(RESPONSE_BUCKETS)],
        no_response=no_response,
        edits=edit_stats(since, per_provider),
    )


def edit_stats(since: dt.datetime, per_provider: dict[str, list[int]]) -> EditStats:
    """Exact edited/unedited counts (from the funnel pass); mean word edits over the latest edited drafts only."""
    stats = EditStats(by_provider={p: (u, e) for p, (u, e) in sorted(per_provider.items())})
    stats.unedited = sum(u for u, _ in stats.by_provider.values())
    stats.edited = sum(e for _, e in stats.by_provider.values())
    stats.sent = stats.unedited + stats.edited
    if not stats.edited:
        return stats
    # Newest first along the (status, sent_at) index; stops after EDIT_SAMPLE edited rows.
    sample = (
        Notification.objects.filter(status=Notification.Status.SENT, sent_at__gte=since)
        .filter(~Q(subject=F("original_subject")) | ~Q(body=F("original_body")))
        .order_by("-sent_at")
        .values_list("original_subject", "original_body", "subject", "body")[:EDIT_SAMPLE]
    )
    distances = [word_edits(f"{os_} {ob}", f"{s} {b}") for os_, ob, s, b in sample]
    stats.sampled = len(distances)
    stats.mean_word_edits = sum(distances) / len(distances) if distances else 0.0
    return stats
