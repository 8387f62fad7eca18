"""The header figures: three indexed queries (four for supervisors: the drafts awaiting their approval),
refreshed after every action and every 30 s; and the checks on a draft's current text."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q, Sum
from django.utils import timezone

from notifications.analysis.models import AnalysisJob
from notifications.content.checks import blocks_sending, check_draft
from notifications.jobs.selectors import latest_job
from notifications.profiles.schemas import CustomerProfile
from notifications.profiles.selectors import load_profile
from notifications.queue.models import PRIORITY_RANK, Notification
from notifications.queue.selectors.queue import waiting_q


@dataclass(frozen=True)
class QueueStats:
    waiting: int
    high: int
    medium: int
    low: int
    average_risk: float | None
    sent_today: int
    my_sent_today: int
    last_job: AnalysisJob | None
    awaiting_approval: int = 0


def start_of_today(now: dt.datetime) -> dt.datetime:
    """Midnight in the project's time zone (UK): "today" as an agent means it."""
    local = timezone.localtime(now)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def queue_stats(user, now: dt.datetime | None = None) -> QueueStats:
    now = now or timezone.now()
    # Grouped by priority_rank: the `queue_order` index (status, priority_rank, risk_score, …) covers it.
    names = {rank: priority.value for priority, rank in PRIORITY_RANK.items()}
    by_priority = {
        names.get(row["priority_rank"], ""): row
        for row in Notification.objects.filter(waiting_q())
        .order_by()
        .values("priority_rank")
        .annotate(n=Count("id"), risk=Sum("risk_score"))
    }
    waiting = sum(row["n"] for row in by_priority.values())
    risk_sum = sum(row["risk"] or 0 for row in by_priority.values())
    sent = Notification.objects.filter(status=Notification.Status.SENT, sent_at__gte=start_of_today(now)).aggregate(
        total=Count("id"), mine=Count("id", filter=Q(sent_by=user))
    )
    return QueueStats(
        waiting=waiting,
        high=by_priority.get("High", {}).get("n", 0),
        medium=by_priority.get("Medium", {}).get("n", 0),
        low=by_priority.get("Low", {}).get("n", 0),
        average_risk=round(risk_sum / waiting, 1) if waiting else None,
        sent_today=sent["total"],
        my_sent_today=sent["mine"],
        last_job=latest_job(),
        awaiting_approval=awaiting_approval() if user.has_perm("queue.approve_notification") else 0,
    )


def awaiting_approval() -> int:
    """Drafts an agent asked a supervisor to approve (the `queue_approvals` index answers it alone)."""
    return Notification.objects.filter(
        approval_state=Notification.ApprovalState.REQUESTED, status__in=Notification.OPEN_STATUSES
    ).count()


def draft_checks(n: Notification, profile: CustomerProfile | None = None) -> list[dict]:
    """The analysts' trust checks on the current text (British English, grounding, consent, length), each
    marked `blocking` when it stops the send until fixed: the agent's editor and the supervisor's approvals
    list show the same list the send gate decides on. `profile`: the customer's, when the caller loaded
    it with others (a list of drafts loads its profiles in one go)."""
    profile = profile or load_profile(n.customer_id)
    if profile is None:
        return []
    issues = check_draft(profile, n.subject, n.body, n.channel, n.kind)
    return [{"kind": i.kind, "message": i.message, "text": i.text, "blocking": blocks_sending(i)} for i in issues]
