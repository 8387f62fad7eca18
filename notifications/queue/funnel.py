"""The results funnel: one definition of each stage, used by the dashboard, the results page and exports.

Counted per message handed to a channel (a Delivery with `sent_at`: an email, SMS or push given to
the provider, or a call the agent made), each stage at most once per message:

- sent: handed to the channel (a call counts once the agent records it);
- delivered: the provider confirmed it, or the call reached the customer or their voicemail;
- opened: any human engagement. SMS, push and calls have no "open", and an email client that
  blocks images records a click without one, so a click or an action is an open too;
- clicked, actioned: a human click / a reported action.

Machine-suspected events (scanners, image proxies) are never counted.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import (
    Case,
    Count,
    F,
    FloatField,
    Func,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Mod
from django.db.models.lookups import GreaterThan

from notifications.queue.models import Delivery, NotificationEvent

STAGES = ("sent", "delivered", "opened", "clicked", "actioned")
ENGAGEMENT = ("opened", "clicked", "actioned")
RESPONSE_BUCKETS = (
    ("under 1 hour", 1),
    ("1–6 hours", 6),
    ("6–24 hours", 24),
    ("1–3 days", 72),
    ("over 3 days", None),
)
CLICKED, ACTIONED = 2, 1  # bits of the engagement code under the response bucket (code // 4)
# The stages as SQL over rows with r_delivered (0/1) and r_code (engagement_code, NULL if none).
FUNNEL_SQL = (
    "COUNT(*), SUM(r_delivered), COUNT(r_code), "
    f"SUM(CASE WHEN r_code %% 4 >= {CLICKED} THEN 1 ELSE 0 END), SUM(r_code %% {CLICKED})"
)


class SecondsBetween(Func):
    """`a - b` in seconds, as a float: native date arithmetic (SQLite's julianday is C, not a Python UDF)."""

    output_field = FloatField()
    arg_joiner = " - "
    template = "EXTRACT(EPOCH FROM (%(expressions)s))"  # PostgreSQL

    def as_sqlite(self, compiler, connection, **extra):
        # Rounded to the millisecond: julianday's float error must not move an event across a bucket edge.
        template = "ROUND((julianday(%(expressions)s)) * 86400.0, 3)"
        return self.as_sql(compiler, connection, template=template, arg_joiner=") - julianday(", **extra)


def engagement_code() -> Subquery:
    """Per delivery: response bucket of the first human engagement × 4 + clicked × 2 + actioned; NULL if none."""
    human = NotificationEvent.objects.filter(
        notification_id=OuterRef("notification_id"), kind__in=ENGAGEMENT, machine_suspected=False
    )
    seconds = SecondsBetween("occurred_at", Coalesce(OuterRef("delivered_at"), OuterRef("sent_at")))
    buckets = [
        When(GreaterThan(Value(float(limit * 3600)), seconds), then=Value(4 * i))
        for i, (_, limit) in enumerate(RESPONSE_BUCKETS)
        if limit is not None
    ]
    code = (
        Min(Case(*buckets, default=Value(4 * (len(RESPONSE_BUCKETS) - 1))))
        + Max(Case(When(kind="clicked", then=Value(CLICKED)), default=Value(0)))
        + Max(Case(When(kind="actioned", then=Value(ACTIONED)), default=Value(0)))
    )
    grouped = human.order_by().values("notification_id").annotate(code=code).values("code")
    return Subquery(grouped[:1], output_field=IntegerField())


def funnel_totals(since: dt.datetime | None = None) -> dict[str, int]:
    """Each stage's count over the messages handed to a channel (since `since`, if given): one query."""
    rows = Delivery.objects.filter(sent_at__isnull=False)
    if since is not None:
        rows = rows.filter(sent_at__gte=since)
    rows = rows.annotate(code=engagement_code()).annotate(bits=Mod(F("code"), Value(4)))
    totals = rows.aggregate(
        sent=Count("pk"),
        delivered=Count("pk", filter=Q(delivered_at__isnull=False)),
        opened=Count("code"),
        clicked=Count("pk", filter=Q(bits__gte=CLICKED)),
        actioned=Count("pk", filter=Q(bits__in=(ACTIONED, CLICKED + ACTIONED))),
    )
    return {stage: totals[stage] or 0 for stage in STAGES}
