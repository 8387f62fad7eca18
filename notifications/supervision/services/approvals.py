"""What supervisors do to many drafts at once from the admin: approve, dismiss, release, re-analyse.

Each action goes through the workspace's own services where one exists
(notifications/queue/services/claims.py), so the rules an agent meets (open drafts
only, claims respected) hold for supervisors too. Every refusal is returned
with its reason rather than silently skipped.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from notifications.analysis.models import AnalysisJob
from notifications.jobs.services import start_job
from notifications.queue.models import Notification
from notifications.queue.services import approvals as queue_approvals
from notifications.queue.services import claims as queue_services
from notifications.staff.models import AuditEvent
from notifications.staff.services import record_notification_event, record_staff_action


@dataclass
class BulkOutcome:
    done: int = 0
    refused: list[str] = field(default_factory=list)  # "customer ID: reason"

    def refuse(self, n: Notification, reason: str) -> None:
        self.refused.append(f"{n.customer.customer_id}: {reason}")


def is_approved(n: Notification) -> bool:
    """Approved at the draft's current version (an edit after approval needs a new one)."""
    approval = getattr(n, "approval", None)  # the reverse one-to-one raises (an AttributeError) when absent
    return approval is not None and approval.version == n.version


def approve(notifications: Iterable[Notification], *, user) -> BulkOutcome:  # noqa: ANN001
    """Approve each open draft at its current version."""
    outcome = BulkOutcome()
    now = timezone.now()
    for n in notifications:
        if not n.is_open:
            outcome.refuse(n, f"already {n.get_status_display().lower()}")
            continue
        try:
            with transaction.atomic(durable=True):
                # The same step as the workspace's approvals list: the row, both trails and the card's state.
                queue_approvals.approve(n, user=user, now=now)
        except queue_services.QueueActionError as exc:  # a text the send gate would refuse
            outcome.refuse(n, exc.message)
            continue
        outcome.done += 1
    return outcome


def dismiss(notifications: Iterable[Notification], *, user, reason: str, note: str = "") -> BulkOutcome:  # noqa: ANN001
    outcome = BulkOutcome()
    for n in notifications:
        try:
            queue_services.dismiss(n, user=user, reason=reason, note=note)
        except queue_services.QueueActionError as exc:
            outcome.refuse(n, exc.message)
        else:
            outcome.done += 1
    return outcome


def release(notifications: Iterable[Notification], *, user) -> BulkOutcome:  # noqa: ANN001
    outcome = BulkOutcome()
    for n in notifications:
        if n.claimed_by_id is None:
            continue
        try:
            queue_services.release(n, user=user)
        except queue_services.QueueActionError as exc:
            outcome.refuse(n, exc.message)
        else:
            outcome.done += 1
    return outcome


def reassign(notifications: Iterable[Notification], *, user, to) -> BulkOutcome:  # noqa: ANN001
    """Give open drafts to another agent: their claim starts now (and expires like any claim)."""
    outcome = BulkOutcome()
    for n in notifications:
        if not n.is_open:
            outcome.refuse(n, f"already {n.get_status_display().lower()}")
            continue
        previous = n.claimed_by
        now = timezone.now()
        with transaction.atomic():
            updated = Notification.objects.filter(pk=n.pk, status__in=Notification.OPEN_STATUSES).update(
                claimed_by=to, claimed_at=now, updated_at=now
            )
            if not updated:
                outcome.refuse(n, "no longer open")
                continue
            n.claimed_by, n.claimed_at = to, now
            record_notification_event(
                user,
                AuditEvent.Action.CLAIMED,
                n,
                summary=f"Reassigned to {to.get_username()}"
                + (f" (was {previous.get_username()})" if previous else ""),
                reassigned_to=to.get_username(),
                previous=previous.get_username() if previous else "",
            )
        outcome.done += 1
    return outcome


def reanalyse(customer_pks: list[int], *, user, force: bool = True) -> tuple[AnalysisJob, bool]:  # noqa: ANN001
    """Start a job for these customers (forced: a supervisor asking again wants a fresh answer).

    Returns (job, started). Only one selected-customers job runs at a time: if one is
    already running, that job comes back with started=False and nothing new is queued.
    """

    before = timezone.now()
    job = start_job(customer_pks=customer_pks, force=force, created_by=user)
    if job.created_at < before:
        return job, False
    record_staff_action(
        user,
        AuditEvent.Action.REANALYSIS,
        job,
        {"customers": len(customer_pks), "job": job.pk, "status": job.status},
        summary=f"Re-analysis of {len(customer_pks)} customer(s) started (job {job.pk})",
    )
    return job, True
