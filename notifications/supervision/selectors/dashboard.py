"""The supervisor dashboard's figures: queue by priority and age, throughput, oldest High, results funnel."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils import timezone

from customers.models import DeliveryStatus, NotificationHistory
from notifications.queue.funnel import STAGES, funnel_totals
from notifications.queue.models import Delivery, Notification
from notifications.queue.selectors.queue import waiting_q
from notifications.workspace.selectors import start_of_today

AGE_BUCKETS: list[tuple[str, dt.timedelta | None]] = [
    ("under 1 hour", dt.timedelta(hours=1)),
    ("1–4 hours", dt.timedelta(hours=4)),
    ("4–24 hours", dt.timedelta(hours=24)),
    ("1–3 days", dt.timedelta(days=3)),
    ("over 3 days", None),
]
PRIORITIES = ["High", "Medium", "Low"]


@dataclass
class Dashboard:
    buckets: list[str]
    queue: dict[str, list[int]]  # priority -> counts per age bucket
    queue_totals: dict[str, int]
    throughput: list[tuple[str, int]]  # (agent, sent today), busiest first
    oldest_high: Notification | None
    funnel: list[tuple[str, int]]
    funnel_source: str

    @property
    def funnel_rates(self) -> list[tuple[str, int, int | None]]:
        """Each step with its share of those sent (%), for the table."""
        sent = self.funnel[0][1] if self.funnel else 0
        return [(step, n, round(100 * n / sent) if sent else None) for step, n in self.funnel]


def queue_by_priority_and_age(now: dt.datetime) -> dict[str, list[int]]:
    """One grouped query: a conditional count per age bucket for each priority."""
    counts, lower = {}, None
    for i, (_label, upper) in enumerate(AGE_BUCKETS):
        cond = Q()
        if upper is not None:
            cond &= Q(created_at__gt=now - upper)
        if lower is not None:
            cond &= Q(created_at__lte=now - lower)
        counts[f"age_{i}"] = Count("id", filter=cond)
        lower = upper
    rows = Notification.objects.filter(waiting_q()).values("priority").annotate(**counts).order_by()
    by_priority = {r["priority"]: [r[f"age_{i}"] for i in range(len(AGE_BUCKETS))] for r in rows}
    return {p: by_priority.get(p, [0] * len(AGE_BUCKETS)) for p in PRIORITIES}


def throughput_today(now: dt.datetime) -> list[tuple[str, int]]:
    rows = (
        Notification.objects.filter(status=Notification.Status.SENT, sent_at__gte=start_of_today(now))
        .values("sent_by__username")
        .annotate(n=Count("id"))
        .order_by("-n", "sent_by__username")
    )
    return [(r["sent_by__username"] or "(deleted user)", r["n"]) for r in rows]


def oldest_waiting_high(now: dt.datetime) -> Notification | None:
    return (
        Notification.objects.filter(waiting_q(), priority="High")
        .select_related("customer", "claimed_by")
        .order_by("created_at", "pk")
        .first()
    )


def results_funnel() -> tuple[list[tuple[str, int]], str]:
    """Our messages' funnel (notifications/queue/funnel.py, the results page's definitions) once any has
    been handed to a channel; before that, the imported notification history's."""
    if Delivery.objects.filter(sent_at__isnull=False).exists():
        totals = funnel_totals()
        return [(stage, totals[stage]) for stage in STAGES], "our messages"
    history = NotificationHistory.objects.aggregate(
        sent=Count("id"),
        delivered=Count("id", filter=Q(delivery_status=DeliveryStatus.DELIVERED)),
        # The same "opened" as ours: a click or an action is an open too (SMS has no open).
        opened=Count("id", filter=Q(opened=True) | Q(clicked=True) | ~Q(action_taken="")),
        clicked=Count("id", filter=Q(clicked=True)),
        actioned=Count("id", filter=~Q(action_taken="")),
    )
    return [(stage, history[stage]) for stage in STAGES], "imported notification history"


def dashboard(now: dt.datetime | None = None) -> Dashboard:
    now = now or timezone.now()
    queue = queue_by_priority_and_age(now)
    funnel, source = results_funnel()
    return Dashboard(
        buckets=[label for label, _ in AGE_BUCKETS],
        queue=queue,
        queue_totals={p: sum(c) for p, c in queue.items()},
        throughput=throughput_today(now),
        oldest_high=oldest_waiting_high(now),
        funnel=funnel,
        funnel_source=source,
    )
