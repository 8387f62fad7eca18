"""The approval conversation on one draft: an agent asks, a supervisor approves or sends it back.

The send gate reads only the `Approval` row (notifications/queue/selectors/approval.py): approved at the
draft's current version, or no send. `Notification.approval_state` is the conversation's current step,
kept on the queue row so the queue and the supervisors' pending count read one table. Every step is
written to the message's lifecycle trail and to the staff audit trail, in the same transaction.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from notifications.content.checks import blocking_problems
from notifications.profiles.selectors import load_profile
from notifications.queue.lifecycle import record_lifecycle_event
from notifications.queue.models import Approval, Notification, NotificationEvent
from notifications.queue.selectors.approval import approval_needed
from notifications.queue.services.claims import QueueActionError, StaleEdit, correct_draft, holds_claim
from notifications.staff import services as audit
from notifications.staff.models import AuditEvent

State = Notification.ApprovalState
APPROVE = "approve"
SEND_BACK = "send_back"


class NotAllowed(QueueActionError):
    status_code = 403


def _open_for_update(pk: int) -> Notification:
    n = Notification.objects.select_for_update(of=("self",)).select_related("customer").get(pk=pk)
    if not n.is_open:
        raise QueueActionError(f"This draft is already {n.get_status_display().lower()}; it can no longer change.")
    return n


def _set_state(n: Notification, state: str, *, user, note: str, now: dt.datetime) -> None:
    n.approval_state, n.approval_by, n.approval_at, n.approval_note = state, user, now, note
    n.save(update_fields=["approval_state", "approval_by", "approval_at", "approval_note", "updated_at"])


def request_approval(n: Notification, *, user, now: dt.datetime | None = None) -> Notification:
    """The agent working the draft asks a supervisor to approve its current version."""
    now = now or timezone.now()
    with transaction.atomic(durable=True):
        n = _open_for_update(n.pk)
        needed = approval_needed(n)
        if not needed:
            raise QueueActionError("This draft does not need a supervisor's approval: send it when it is ready.")
        if not holds_claim(n, user, now):
            raise QueueActionError("Claim this customer before asking for approval.")
        if n.approval_state == State.REQUESTED:
            return n  # asked already: a second click adds nothing
        _set_state(n, State.REQUESTED, user=user, note="", now=now)
        record_lifecycle_event(
            n,
            NotificationEvent.Kind.APPROVAL_ASKED,
            source="agent",
            at=now,
            user=user,
            metadata={"version": n.version, "why": needed},
        )
        audit.record_notification_event(
            user,
            AuditEvent.Action.APPROVAL_REQUESTED,
            n,
            summary=f"Approval of version {n.version} requested ({needed})",
            why=needed,
        )
    return n


def approve(n: Notification, *, user, note: str = "", now: dt.datetime | None = None) -> Notification:
    """Approve the draft at its current version: the send gate lets exactly this text go.

    Called inside a transaction holding the row (the supervisor's decision, the admin's bulk action).
    Raises QueueActionError when the text is one the send gate would refuse.
    """
    now = now or timezone.now()
    _refuse_blocked(n)
    Approval.objects.update_or_create(
        notification=n, defaults={"version": n.version, "approved_by": user, "approved_at": now}
    )
    _set_state(n, State.APPROVED, user=user, note=note, now=now)
    record_lifecycle_event(
        n,
        NotificationEvent.Kind.APPROVED,
        source="supervisor",
        at=now,
        user=user,
        metadata={"version": n.version, "note": note},
    )
    audit.record_notification_event(
        user, AuditEvent.Action.APPROVED, n, summary=f"Approved version {n.version} for sending", note=note
    )
    return n


def send_back(n: Notification, *, user, note: str, now: dt.datetime | None = None) -> Notification:
    """Return the draft to the agent with what to change; any earlier approval no longer stands."""
    now = now or timezone.now()
    Approval.objects.filter(notification=n).delete()
    _set_state(n, State.RETURNED, user=user, note=note, now=now)
    record_lifecycle_event(
        n,
        NotificationEvent.Kind.SENT_BACK,
        source="supervisor",
        at=now,
        user=user,
        metadata={"version": n.version, "note": note},
    )
    audit.record_notification_event(
        user, AuditEvent.Action.SENT_BACK, n, summary=f"Sent back (version {n.version}): {note}"[:300], note=note
    )
    return n


def decide(
    n: Notification,
    *,
    user,
    decision: str,
    expected_version: int,
    subject: str | None = None,
    body: str | None = None,
    note: str = "",
    now: dt.datetime | None = None,
) -> Notification:
    """A supervisor's one click: save their edits (if any), then approve or send back, atomically.

    `expected_version` is the version the supervisor read: if the agent saved since, nothing is
    decided on text the supervisor has not seen.
    """
    now = now or timezone.now()
    note = note.strip()
    if not user.has_perm("queue.approve_notification"):
        raise NotAllowed("Only a supervisor can approve drafts or send them back.")
    if decision not in (APPROVE, SEND_BACK):
        raise QueueActionError("Choose Approve or Send back.", status_code=422)
    if decision == SEND_BACK and not note:
        raise QueueActionError("Say what to change: the note goes back to the agent with the draft.", status_code=422)
    with transaction.atomic(durable=True):
        n = _open_for_update(n.pk)
        if n.version != expected_version:
            raise StaleEdit(
                f"The draft changed while you were reading it (now version {n.version}, you read version "
                f"{expected_version}). Read it again before deciding."
            )
        if subject is not None and body is not None:
            n = correct_draft(n, user=user, subject=subject, body=body, expected_version=expected_version, now=now)
        if decision == APPROVE:
            return approve(n, user=user, note=note, now=now)  # a refusal rolls the correction back too
        return send_back(n, user=user, note=note, now=now)


def _refuse_blocked(n: Notification) -> None:
    """No approval for a text the send gate would refuse anyway (a fact the data does not hold, too long):
    the agent could not send it, and any edit they made to fix it would need a new approval."""
    profile = load_profile(n.customer_id)
    if profile is None:
        return  # the send gate refuses a message to a customer who no longer exists
    if problems := blocking_problems(profile, n.subject, n.body, n.channel, n.kind):
        raise QueueActionError(
            "Not approved: the draft cannot be sent as it is (correct it, or send it back with a note): "
            + " ".join(problems),
            status_code=422,
        )
