"""Follow-up calls: a recorded call with a follow-up date puts the call back in the queue that morning."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone

from notifications.queue.lifecycle import record_lifecycle_event
from notifications.queue.models import Notification

FOLLOW_UP_AT = dt.time(9, 0)  # the follow-up wakes into the queue at the start of the day
FOLLOW_UP_WITHIN = dt.timedelta(days=366)
# What the follow-up keeps from the call it follows: the customer, the analysis and its priority, the script.
COPIED = (
    "customer_id", "analysis_id", "job_id", "priority", "priority_rank", "risk_score", "urgency", "churn_risk",
    "is_fallback", "channel", "kind", "situation", "original_subject", "original_body", "subject", "body",
)  # fmt: skip


def follow_up_problem(on: dt.date | None, now: dt.datetime | None = None) -> str:
    """Why a follow-up date cannot be used ("" when it can, or when there is none)."""
    if on is None:
        return ""
    today = timezone.localdate(now or timezone.now())
    if on <= today:
        return "A follow-up call must be on a later day than today."
    if on > today + FOLLOW_UP_WITHIN:
        return "A follow-up call must be within a year."
    return ""


def schedule_follow_up(call: Notification, *, on: dt.date, outcome: str, now: dt.datetime) -> Notification | None:
    """The same call again, snoozed until 09:00 on `on`, when the snooze sweep brings it back to the queue.

    None when the customer already has an open item (one open item per customer): that item is where
    the next contact happens, and the date stays on this call's record.
    """
    when = timezone.make_aware(dt.datetime.combine(on, FOLLOW_UP_AT))
    fields = {name: getattr(call, name) for name in COPIED}
    day = f"{timezone.localtime(now):%-d %b}"
    try:
        with transaction.atomic():  # a savepoint: the one-open-item constraint may refuse the row
            follow_up = Notification.objects.create(
                **fields,
                status=Notification.Status.SNOOZED,
                snoozed_until=when,
                dismiss_reason=Notification.DismissReason.ALREADY_CONTACTED,
                dismiss_note=f"Follow-up to the call of {day} ({outcome.replace('_', ' ')})",
            )
    except IntegrityError:
        return None
    record_lifecycle_event(
        follow_up, "drafted", source="call_follow_up", at=now, metadata={"follow_up_of": call.pk, "on": on.isoformat()}
    )
    return follow_up
