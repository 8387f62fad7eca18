"""Writes on queue items: claim, release, edit (optimistic locking), revert, dismiss, snooze.

Each write is one conditional UPDATE whose WHERE clause is the rule itself
("still open, claimed by me, still at the version I read"). The database
decides atomically, so two agents racing each other cannot both win; when the
update touches no row we re-read the item only to say *why* it was refused.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone

from notifications.common.text_diff import word_edits
from notifications.common.transitions import move_rows
from notifications.content.checks import text_problem
from notifications.profiles.selectors import load_profile
from notifications.profiles.snapshot import changes, customer_data_hash, snapshot
from notifications.queue.lifecycle import move, record_lifecycle_event
from notifications.queue.models import Notification
from notifications.queue.selectors.queue import claim_active, claim_cutoff
from notifications.staff import services as audit

Status = Notification.Status
APPROVED = Notification.ApprovalState.APPROVED
SNOOZE_CHOICES = {"1d": dt.timedelta(days=1), "3d": dt.timedelta(days=3), "7d": dt.timedelta(days=7)}


class QueueActionError(Exception):
    """A refused action, with a message written for the agent."""

    status_code = 409

    def __init__(self, message: str, *, status_code: int | None = None):
        super().__init__(message)
        self.message = message
        if status_code is not None:
            self.status_code = status_code


class NotOpen(QueueActionError):
    pass


class ClaimConflict(QueueActionError):
    pass


class NotClaimed(QueueActionError):
    pass


class StaleEdit(QueueActionError):
    pass


def display_name(user) -> str:
    """A colleague's name for display: full name, else username, else "someone"."""
    if user is None:
        return "someone"
    return user.get_full_name() or user.get_username()


def _ensure_open(n: Notification) -> None:
    if not n.is_open:
        raise NotOpen(f"This draft is already {n.get_status_display().lower()}; it can no longer be changed.")


def active_claimant(n: Notification, now: dt.datetime | None = None):
    """The user holding an unexpired claim on the item, or None."""
    return n.claimed_by if claim_active(n, now) else None


def holds_claim(n: Notification, user, now: dt.datetime | None = None) -> bool:
    """Whether `user` holds an unexpired claim on the item (compares ids: reads no user row)."""
    return claim_active(n, now) and n.claimed_by_id == user.pk


def _mine(user, now: dt.datetime) -> Q:
    return Q(claimed_by=user, claimed_at__gte=claim_cutoff(now))


def _free_for(user, now: dt.datetime) -> Q:
    """Unclaimed, claimed by `user`, or held on a claim that has expired: the WHERE of claim, dismiss, snooze."""
    return Q(claimed_by__isnull=True) | Q(claimed_by=user) | Q(claimed_at__lt=claim_cutoff(now))


@transaction.atomic(durable=True)  # the change and its audit row, together or not at all
def claim(n: Notification, *, user, now: dt.datetime | None = None) -> Notification:
    """Take the item, unless a colleague holds an unexpired claim (theirs expires after 30 minutes)."""
    now = now or timezone.now()
    updated = Notification.objects.filter(_free_for(user, now), pk=n.pk, status__in=Notification.OPEN_STATUSES).update(
        claimed_by=user, claimed_at=now, updated_at=now
    )
    n.refresh_from_db()
    if not updated:
        _ensure_open(n)
        holder = active_claimant(n, now)
        raise ClaimConflict(
            f"{display_name(holder)} is working on this customer (claimed at "
            f"{timezone.localtime(n.claimed_at):%H:%M}). Their claim expires after 30 minutes."
        )
    audit.record_claim(user, n)
    return n


@transaction.atomic(durable=True)  # the change and its audit row, together or not at all
def release(n: Notification, *, user, now: dt.datetime | None = None) -> Notification:
    """Give the item back. Only its holder, or a supervisor with `release_claim`, may."""
    now = now or timezone.now()
    holder = active_claimant(n, now)
    if holder is not None and holder.pk != user.pk and not user.has_perm("queue.release_claim"):
        raise ClaimConflict(f"Only {display_name(holder)} or a supervisor can release this claim.")
    Notification.objects.filter(pk=n.pk).update(claimed_by=None, claimed_at=None, updated_at=now)
    n.refresh_from_db()
    if holder is not None:
        audit.record_release(user, n, holder)
    return n


def _refuse_edit(n: Notification, *, user, expected_version: int, now: dt.datetime) -> None:
    """Explain why a conditional edit touched no row (called after the UPDATE failed)."""
    n.refresh_from_db()
    _ensure_open(n)
    if n.version != expected_version:
        who = display_name(n.edited_by)
        when = f" at {timezone.localtime(n.edited_at):%H:%M}" if n.edited_at else ""
        raise StaleEdit(
            f"Not saved: {who} changed this draft{when} (now version {n.version}, you had version "
            f"{expected_version}). Reload the card to see their text before editing again."
        )
    holder = active_claimant(n, now)
    if holder is not None and holder.pk != user.pk:
        raise ClaimConflict(f"Not saved: {display_name(holder)} has claimed this customer.")
    raise NotClaimed("Not saved: claim this customer first (claims expire after 30 minutes).")


@transaction.atomic(durable=True)  # the change and its audit row, together or not at all
def edit_draft(
    n: Notification, *, user, subject: str, body: str, expected_version: int, now: dt.datetime | None = None
) -> Notification:
    """Save the agent's text if nobody changed it since they read it; each save renews the claim."""
    return _save_text(n, user=user, subject=subject, body=body, expected_version=expected_version, now=now)


def correct_draft(
    n: Notification, *, user, subject: str, body: str, expected_version: int, now: dt.datetime | None = None
) -> Notification:
    """A supervisor's correction while deciding on an approval, inside that decision's transaction.

    No claim is needed (the agent may still hold it); the version check still refuses a stale save.
    """
    return _save_text(
        n, user=user, subject=subject, body=body, expected_version=expected_version, now=now, supervisor=True
    )


def _save_text(
    n: Notification,
    *,
    user,
    subject: str,
    body: str,
    expected_version: int,
    now: dt.datetime | None = None,
    supervisor: bool = False,
) -> Notification:
    """The save itself. An approval is of one version, so a change of text withdraws it."""
    now = now or timezone.now()
    subject = subject.strip() if n.channel == "Email" else ""
    if problem := text_problem(subject, body, n.channel):
        raise QueueActionError(problem, status_code=422)  # never deliverable: not saved, the reason shown
    before = (n.subject, n.body)  # for the audit trail's diff
    unchanged = (subject, body) == (n.subject, n.body) and n.version == expected_version
    if unchanged and (supervisor or holds_claim(n, user, now)):
        return n  # nothing changed: no new version, no write
    renew = {} if supervisor else {"claimed_at": now}
    updated = Notification.objects.filter(
        Q() if supervisor else _mine(user, now),
        pk=n.pk,
        version=expected_version,
        status__in=Notification.OPEN_STATUSES,
    ).update(
        subject=subject,
        body=body,
        version=F("version") + 1,
        edited_by=user,
        edited_at=now,
        updated_at=now,
        approval_state=Case(When(approval_state=APPROVED, then=Value("")), default=F("approval_state")),
        **renew,
    )
    if not updated:
        _refuse_edit(n, user=user, expected_version=expected_version, now=now)
    n.refresh_from_db()
    audit.record_edit(user, n, *before)
    # The item's own trail: how far this save moved the text, from the previous version and from the AI's.
    record_lifecycle_event(
        n,
        "edited",
        source="supervisor" if supervisor else "agent",
        at=now,
        user=user,
        metadata={
            "version": n.version,
            "word_edits": word_edits(" ".join(before), f"{n.subject} {n.body}"),
            "word_edits_from_original": word_edits(f"{n.original_subject} {n.original_body}", f"{n.subject} {n.body}"),
        },
    )
    return n


@transaction.atomic(durable=True)  # the change and its lifecycle event, together or not at all
def confirm_current_data(n: Notification, *, user, seen_hash: str = "", now: dt.datetime | None = None) -> list[str]:
    """The agent has read what changed in the customer's data and confirms the draft still fits: the draft
    now stands against the current data. Returns the changes confirmed (recorded on the item's trail).

    `seen_hash`: the data the agent read the changes of (`SendRules.data_hash`); if another import has
    changed it since (a panel left open), the confirmation is refused rather than covering unread changes.
    """
    now = now or timezone.now()
    profile = load_profile(n.customer_id)
    if profile is None:
        raise QueueActionError("The customer no longer exists.")
    if not holds_claim(n, user, now):
        raise QueueActionError("Claim this customer before confirming the draft.")
    if seen_hash and seen_hash != customer_data_hash(profile):
        raise QueueActionError(
            "The customer's data changed again since you read it: check the changes again before confirming."
        )
    current = snapshot(profile)
    confirmed = changes(n.data_snapshot or {}, current)
    Notification.objects.filter(pk=n.pk).update(
        data_hash=customer_data_hash(profile), data_snapshot=current, claimed_at=now, updated_at=now
    )
    record_lifecycle_event(
        n, "edited", source="agent", at=now, user=user, metadata={"version": n.version, "data_confirmed": confirmed}
    )
    n.refresh_from_db()
    return confirmed


@transaction.atomic(durable=True)  # the change and its audit row, together or not at all
def revert_draft(n: Notification, *, user, expected_version: int, now: dt.datetime | None = None) -> Notification:
    """Back to the analyst's original text (which is never modified)."""
    return _save_text(
        n, user=user, subject=n.original_subject, body=n.original_body, expected_version=expected_version, now=now
    )


def wake_due_snoozes(now: dt.datetime | None = None) -> int:
    """Snoozed drafts whose time has come go back to "waiting" (every minute, notifications/queue/tasks.py).

    A cheap indexed EXISTS first, so the usual case writes nothing and takes no lock.
    """
    now = now or timezone.now()
    due = Notification.objects.filter(status=Status.SNOOZED, snoozed_until__lte=now)
    if not due.exists():
        return 0
    return move_rows(due, Status.WAITING, snoozed_until=None, updated_at=now)


def _close_check(n: Notification, user, now: dt.datetime) -> None:
    _ensure_open(n)
    holder = active_claimant(n, now)
    if holder is not None and holder.pk != user.pk:
        raise ClaimConflict(f"{display_name(holder)} is working on this customer; ask them or a supervisor.")


def _close(n: Notification, user, now: dt.datetime, status: str, **fields: object) -> bool:
    """Take an open item out of the queue (dismiss, snooze) unless a colleague holds it; True if done.

    One conditional UPDATE (the transition table plus "nobody else holds it"), so two agents racing
    cannot both win.
    """
    n.refresh_from_db()
    _close_check(n, user, now)
    updated = move(n, status, where=_free_for(user, now), **fields, claimed_by=None, claimed_at=None, updated_at=now)
    n.refresh_from_db()
    if not updated:
        _close_check(n, user, now)  # lost the race: raises with the reason (claimed or no longer open)
    return bool(updated)


@transaction.atomic(durable=True)  # the change and its audit row, together or not at all
def dismiss(n: Notification, *, user, reason: str, note: str = "", now: dt.datetime | None = None) -> Notification:
    """Take the item out of the queue for good, with the reason recorded."""
    now = now or timezone.now()
    if reason not in dict(Notification.AGENT_DISMISS_REASONS):
        raise QueueActionError("Choose a reason for dismissing.")
    if _close(
        n,
        user,
        now,
        status=Status.DISMISSED,
        dismissed_by=user,
        dismissed_at=now,
        dismiss_reason=reason,
        dismiss_note=note.strip(),
    ):
        audit.record_dismiss(user, n)
    return n


@transaction.atomic(durable=True)  # the change and its audit row, together or not at all
def snooze(
    n: Notification, *, user, reason: str, duration: str, note: str = "", now: dt.datetime | None = None
) -> Notification:
    """Hide the item until later; it comes back as waiting when the time passes.

    The reason shares the dismiss fields (same four choices); a snoozed row is
    told apart by its status and `snoozed_until`.
    """
    now = now or timezone.now()
    if reason not in dict(Notification.AGENT_DISMISS_REASONS):
        raise QueueActionError("Choose a reason for snoozing.")
    if duration not in SNOOZE_CHOICES:
        raise QueueActionError("Choose how long to snooze for.")
    if _close(
        n,
        user,
        now,
        status=Status.SNOOZED,
        snoozed_until=now + SNOOZE_CHOICES[duration],
        dismiss_reason=reason,
        dismiss_note=note.strip(),
    ):
        audit.record_snooze(user, n)
    return n
