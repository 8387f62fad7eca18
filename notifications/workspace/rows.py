"""What a queue row says about its item in one phrase, and the stamp the live updates compare.

A row shows one state: whose it is while it is open, what happened to the message once sent (or to
the call once started). `live` says the state can change without this agent doing anything (a
colleague's claim, a delivery on its way), which is what keeps the page polling. The stamp is a short
hash of exactly what a row or card shows; the live endpoint re-renders a row only when it differs.
"""

from __future__ import annotations

import datetime as dt
import zlib
from typing import NamedTuple

from django.utils import timezone

from notifications.queue.models import ApprovalPolicy, Delivery, Notification
from notifications.queue.selectors.approval import approval_needed
from notifications.queue.selectors.queue import CLAIM_TTL, claim_active, claim_cutoff
from notifications.queue.services.claims import display_name

Status = Notification.Status
DStatus = Delivery.Status
# The delivery is still moving: the provider, the worker or the receipt will change it soon.
IN_FLIGHT = (DStatus.QUEUED, DStatus.SENDING, DStatus.SENT)


class RowState(NamedTuple):
    label: str  # in words, e.g. "Claimed by Bea Brown", "Delivered 10:02", "Held until 08:00"
    tone: str  # a CSS modifier: mine, other, free, ok, wait, error, muted
    live: bool


def delivery_of(n: Notification) -> Delivery | None:
    try:
        return n.delivery
    except Delivery.DoesNotExist:  # the reverse one-to-one raises when there is none
        return None


def _hm(value: dt.datetime | None) -> str:
    return f"{timezone.localtime(value):%H:%M}" if value else ""


def _day(value: dt.date | dt.datetime | None) -> str:
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value)
    return f"{value:%-d %b}" if value else ""


def call_state(d: Delivery) -> RowState:
    """A phone item once started: never "sent"; a call in progress, then what happened."""
    if d.status == DStatus.CALL_TASK:
        return RowState("Call in progress", "wait", False)
    label = f"Call: {d.get_call_outcome_display().lower()}" if d.call_outcome else "Call recorded"
    if d.call_follow_up:
        label += f" · follow-up {_day(d.call_follow_up)}"
    return RowState(label, "ok" if d.call_outcome == Delivery.CallOutcome.REACHED else "muted", False)


def sent_state(n: Notification) -> RowState:
    d = delivery_of(n)
    if d is None:
        return RowState(f"Sent {_hm(n.sent_at)}", "ok", False)
    if n.channel == "Phone":
        return call_state(d)
    if d.status in (DStatus.QUEUED, DStatus.SENDING):
        return RowState("Sending…", "wait", True)
    if d.status == DStatus.SENT:
        return RowState("With the provider: waiting for the receipt", "wait", True)
    if d.status == DStatus.HELD:
        return RowState(f"Held until {_hm(d.held_until)} (quiet hours)", "wait", False)
    if d.status == DStatus.DELIVERED:
        return RowState("Delivered", "ok", False)
    if d.status == DStatus.FAILED:
        return RowState(f"Failed: {d.last_error}"[:90], "error", False)
    if d.status == DStatus.BOUNCED:
        return RowState("Bounced: address marked bad", "error", False)
    if d.status == DStatus.SUPPRESSED:
        return RowState("Refused at send", "error", False)
    return RowState(d.get_status_display(), "muted", False)


def row_state(n: Notification, user, now: dt.datetime | None = None) -> RowState:
    if n.status in (Status.SENT, Status.FAILED):  # FAILED: the delivery failed, bounced or was refused
        return sent_state(n)
    if n.status == Status.DISMISSED:
        return RowState(f"Dismissed: {n.get_dismiss_reason_display().lower()}", "muted", False)
    now = now or timezone.now()
    if claim_active(n, now):
        if n.claimed_by_id == user.pk:
            return RowState(f"Yours until {_hm(n.claimed_at + CLAIM_TTL)}", "mine", True)
        return RowState(f"Claimed by {display_name(n.claimed_by)}", "other", True)
    if n.status == Status.SNOOZED:
        return RowState(f"Snoozed until {_day(n.snoozed_until)}", "muted", True)
    if n.status == Status.HELD and n.held_until:
        return RowState(f"Free · held until {_hm(n.held_until)}", "free", True)
    return RowState("Free", "free", True)


def approval_badge(n: Notification, policy: ApprovalPolicy) -> tuple[str, str] | None:
    """(text, tone) when the approval policy names this open draft; None otherwise."""
    if not n.is_open or not approval_needed(n, policy):
        return None
    return {
        Notification.ApprovalState.REQUESTED: ("Approval requested", "wait"),
        Notification.ApprovalState.APPROVED: ("Approved", "ok"),
        Notification.ApprovalState.RETURNED: ("Sent back", "error"),
    }.get(n.approval_state, ("Needs approval", "wait"))


# What the stamp reads, as `values_list` names: the live poll reads these alone (no model instances).
STAMP_FIELDS = (
    "pk", "status", "claimed_by_id", "claimed_at", "version", "approval_state", "snoozed_until",
    "delivery__status", "delivery__attempts", "delivery__call_outcome",
)  # fmt: skip


def stamp_of(values: tuple, user, now: dt.datetime) -> str:
    """A hash of what the row and card show, from a STAMP_FIELDS tuple. The agent's own edits to a draft
    they hold are left out, so their typing never brings their own card back from the server mid-sentence."""
    _, status, holder_id, claimed_at, version, approval, snoozed_until, d_status, d_attempts, d_outcome = values
    holder = holder_id if holder_id and claimed_at and claimed_at >= claim_cutoff(now) else 0
    mine = holder == user.pk
    parts = (status, holder, "" if mine else version, approval, _hm(snoozed_until), d_status, d_attempts, d_outcome)
    return f"{zlib.crc32('|'.join('' if p is None else str(p) for p in parts).encode()):08x}"


def row_stamp(n: Notification, user, now: dt.datetime | None = None) -> str:
    d = delivery_of(n)
    values = (
        n.pk, n.status, n.claimed_by_id, n.claimed_at, n.version, n.approval_state, n.snoozed_until,
        d.status if d else None, d.attempts if d else None, d.call_outcome if d else None,
    )  # fmt: skip
    return stamp_of(values, user, now or timezone.now())
