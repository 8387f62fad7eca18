"""Delivery: hand an approved notification to its channel exactly once, and only where allowed.

Exactly once. `Delivery` is one row per notification (a OneToOne). `queue_delivery`
locks the notification row and `get_or_create`s the delivery inside one
transaction, so a double click, two tabs, a retried task or a redelivered
message all find the same row. The task then *claims* the row (QUEUED → SENDING
under SELECT … FOR UPDATE) before calling the provider: a second task run finds
it SENDING/SENT/… and does nothing. Providers have no idempotency key for a
publish, so a worker killed between the provider's answer and our commit leaves
the row SENDING: we never guess and resend (at most once). The periodic sweep
fails such a row after `DELIVERY_SENDING_STALE_AFTER` as "outcome unknown", so it
shows on the card and in the admin and an agent decides, after checking the
provider's log, whether to retry. Retries on transient errors put the row back
to QUEUED first.

Only where allowed. Right before sending, the send rules (notifications/delivery/send_rules.py,
stage DELIVER) are re-checked on fresh data: marketing consent (import + later Unsubscribe + our
ledger), the contact policies (frequency cap, account status, cool down) and quiet hours, which
*hold* the delivery until the window opens (the periodic `release_held` task re-queues it). A
refusal names the rule.

Every status change goes through `lifecycle.move` (the models' transition tables): a failed,
bounced or refused delivery marks its queue item FAILED too, so the card says so.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from notifications.delivery import contacts
from notifications.delivery.backends import DeliveryReceipt, PermanentDeliveryError, TransientDeliveryError, get_backend
from notifications.delivery.compose import compose
from notifications.delivery.send_rules import Stage, evaluate
from notifications.queue.lifecycle import move, record_lifecycle_event
from notifications.queue.models import Delivery, Notification
from notifications.queue.services.calls import follow_up_problem, schedule_follow_up
from notifications.queue.services.claims import display_name

log = logging.getLogger(__name__)
Status = Delivery.Status
BAD_ADDRESS_CODES = frozenset(
    {"recipient_refused", "550", "551", "553", "InvalidParameter", "EndpointDisabled", "OptedOut"}
)
STUCK_AFTER = dt.timedelta(minutes=10)  # a QUEUED row untouched this long lost its broker message


class DeliveryActionError(Exception):
    status_code = 422

    def __init__(self, message: str, *, status_code: int | None = None):
        super().__init__(message)
        self.message = message
        if status_code is not None:
            self.status_code = status_code


def _publish(delivery_id: int) -> None:

    try:
        from notifications.delivery.tasks import deliver  # tasks.py imports this module

        deliver.delay(delivery_id)
    except Exception:  # the broker is down: the row stays QUEUED and the periodic sweep sends it later
        log.exception("could not enqueue delivery %s; release_held will retry it", delivery_id)


def _enqueue(delivery_id: int) -> None:
    # After commit: the worker must see the row, and a rolled-back send must not go.
    transaction.on_commit(lambda: _publish(delivery_id))


def queue_delivery(
    notification: Notification, *, user=None, now: dt.datetime | None = None, acknowledged: list[str] | None = None
) -> Delivery:
    """The one delivery for this notification (created on the first call, found on every other).

    `acknowledged`: the style warnings the agent read and sent anyway, kept on the trail.
    """
    now = now or timezone.now()
    with transaction.atomic():
        n = Notification.objects.select_for_update().get(pk=notification.pk)
        delivery, created = Delivery.objects.get_or_create(
            notification=n,
            defaults={
                "channel": n.channel,
                "status": Status.CALL_TASK if n.channel == "Phone" else Status.QUEUED,
            },
        )
        if created:
            metadata = {"version": n.version, **({"acknowledged_warnings": acknowledged} if acknowledged else {})}
            record_lifecycle_event(n, "send_requested", source="agent", at=now, user=user, metadata=metadata)
            if n.channel != "Phone":  # a phone message is a call for the agent, never sent by us
                _enqueue(delivery.pk)
    return delivery


def _claim(delivery_id: int, now: dt.datetime) -> tuple[Delivery | None, Notification | None, str]:
    """Move QUEUED → SENDING under a row lock, after the send rules; returns the recipient."""
    with transaction.atomic():
        d = Delivery.objects.select_for_update().filter(pk=delivery_id).first()
        if d is None or d.status not in Delivery.SENDABLE:
            return None, None, ""  # already sent, sending, held, refused… : a redelivered task does nothing
        n = Notification.objects.select_related("customer").get(pk=d.notification_id)
        d.notification = n
        rules = evaluate(n, stage=Stage.DELIVER, now=now)
        if rules.refusals:
            metadata = {"reasons": rules.reasons, "codes": rules.codes}
            _end(d, n, Status.SUPPRESSED, " ".join(rules.reasons), now, source="send_rules", metadata=metadata)
            return None, None, ""
        if rules.held_until:
            move(
                d,
                Status.HELD,
                event="held",
                source="send_rules",
                at=now,
                metadata={"until": rules.held_until.isoformat()},
                held_until=rules.held_until,
            )
            return None, None, ""
        if missing := contacts.no_real_address(n.customer, n.channel):
            _fail(d, n, missing, now, permanent=True, code=contacts.NO_REAL_ADDRESS)
            return None, None, ""
        contact = contacts.contact_for(n.customer)
        if contacts.is_bad(contact, n.channel):
            _fail(d, n, f"The {n.channel} address is marked bad ({contact.bad_reason}); not sent.", now, permanent=True)
            return None, None, ""
        to = contacts.recipient(contact, n.channel)
        if not to:
            _fail(d, n, f"No {n.channel} address for this customer.", now, permanent=True)
            return None, None, ""
        move(d, Status.SENDING, attempts=d.attempts + 1, recipient=to, held_until=None)
        return d, n, to


def _fail(
    d: Delivery,
    n: Notification,
    error: str,
    now: dt.datetime,
    *,
    permanent: bool,
    code: str = "",
    source: str = "worker",
    extra: dict | None = None,
) -> bool:
    """The delivery failed: the delivery and its queue item both say so; False if it had moved on already."""
    metadata = {"error": error, "code": code, "permanent": permanent, **(extra or {})}
    return _end(d, n, Status.FAILED, error, now, source=source, metadata=metadata, permanent=permanent)


def _end(
    d: Delivery,
    n: Notification,
    target: str,
    error: str,
    now: dt.datetime,
    *,
    source: str,
    metadata: dict,
    permanent: bool = True,
) -> bool:
    """The delivery ends without reaching the customer (failed, bounced, suppressed): its event on the
    trail (of the same name), and its queue item FAILED so the card says so; False if the delivery had
    moved on already."""
    if not move(
        d, target, event=str(target), source=source, at=now, metadata=metadata, permanent=permanent, last_error=error
    ):
        return False
    move(n, Notification.Status.FAILED)
    return True


def attempt_delivery(delivery_id: int, *, final_attempt: bool = False, now: dt.datetime | None = None) -> str:
    """One attempt: claim, send outside any transaction, record the outcome. Returns the new status.

    Raises TransientDeliveryError (row back to QUEUED) unless this is the final attempt.
    """

    fixed = now  # tests (and the quiet-hours release) pass the time; otherwise read the clock after the call
    now = now or timezone.now()
    d, n, to = _claim(delivery_id, now)
    if d is None:
        return Delivery.objects.filter(pk=delivery_id).values_list("status", flat=True).first() or "missing"
    try:
        message = compose(n, to)
        backend = get_backend(n.channel)
        receipt = backend.send(message)  # no transaction or lock held over the network call
    except TransientDeliveryError as exc:
        if final_attempt:
            # The reason alone: the card and the admin show the attempts beside it.
            _fail(d, n, exc.message, timezone.now(), permanent=False, code=exc.code)
            return Status.FAILED
        move(d, Status.QUEUED, last_error=exc.message)
        raise
    except PermanentDeliveryError as exc:
        _fail(d, n, exc.message, timezone.now(), permanent=True, code=exc.code)
        if exc.code in BAD_ADDRESS_CODES:
            contacts.mark_bad(contacts.contact_for(n.customer), n.channel, exc.message, address=to)
        return Status.FAILED
    except Exception as exc:
        # A bug or an unexpected library error: visible and retryable by an agent, never stuck in SENDING.
        _fail(d, n, f"Unexpected error: {exc!r}", timezone.now(), permanent=False, code="unexpected")
        raise
    return _record_sent(d, n, receipt, confirms=backend.confirms_delivery, now=fixed)


def _record_sent(
    d: Delivery, n: Notification, receipt: DeliveryReceipt, *, confirms: bool, now: dt.datetime | None = None
) -> str:
    now = now or timezone.now()
    # One transaction: the row, its trail and the history row say "sent" together or not at all.
    with transaction.atomic():
        # A local outbox is the destination itself; a real provider confirms delivery later (webhook).
        target = Status.DELIVERED if confirms else Status.SENT
        moved = move(
            d,
            target,
            provider=receipt.provider,
            provider_message_id=receipt.message_id,
            sent_at=now,
            last_error="",
            delivered_at=now if confirms else None,
        )
        if not moved:  # the sweeper gave up on it meanwhile ("outcome unknown"): its receipt settles it later
            return Delivery.objects.get(pk=d.pk).status
        record_lifecycle_event(
            n,
            "sent",
            source=receipt.provider,
            at=now,
            metadata={"provider_message_id": receipt.message_id},
            update_history=not confirms,  # "delivered" follows and derives the history row
        )
        if confirms:
            record_lifecycle_event(n, "delivered", source=receipt.provider, at=now)
    return d.status


def release_held(*, now: dt.datetime | None = None) -> int:
    """The every-minute sweep: re-queue deliveries whose quiet hours are over (and any QUEUED row whose
    message was lost), and fail the SENDING rows whose worker died (`fail_stale_sending`)."""
    now = now or timezone.now()
    fail_stale_sending(now=now)
    due = list(Delivery.objects.filter(status=Status.HELD, held_until__lte=now).values_list("pk", flat=True))
    released = sum(move(d, Status.QUEUED) for d in Delivery.objects.filter(pk__in=due, status=Status.HELD))
    stuck = list(
        Delivery.objects.filter(status=Status.QUEUED, updated_at__lt=now - STUCK_AFTER).values_list("pk", flat=True)
    )
    with transaction.atomic():
        for pk in [*due, *stuck]:
            _enqueue(pk)  # the task's claim makes a duplicate message harmless
    return released


def fail_stale_sending(*, now: dt.datetime | None = None) -> list[int]:
    """SENDING rows older than DELIVERY_SENDING_STALE_AFTER become retryable failures; returns their ids.

    The worker claimed the row and then stopped (killed, OOM, host lost) before recording what the
    provider said. The message may or may not have gone, and providers take no idempotency key, so
    this never sends: it makes the row visible as FAILED (not permanent) and leaves the decision to
    an agent who can check the provider's log first.
    """
    now = now or timezone.now()
    cutoff = now - settings.DELIVERY_SENDING_STALE_AFTER
    swept: list[int] = []
    candidates = Delivery.objects.filter(status=Status.SENDING, updated_at__lt=cutoff).values_list("pk", flat=True)
    for pk in list(candidates):
        with transaction.atomic():
            # Re-read under the lock: the worker may have recorded its outcome since the query above.
            d = (
                Delivery.objects.select_for_update()
                .select_related("notification")
                .filter(pk=pk, status=Status.SENDING, updated_at__lt=cutoff)
                .first()
            )
            if d is None:
                continue
            claimed = timezone.localtime(d.updated_at)
            error = (
                f"{Delivery.OUTCOME_UNKNOWN}: the worker stopped after handing this to the provider at "
                f"{claimed:%d %b %Y %H:%M} ({d.get_channel_display()} to {d.recipient or 'unknown recipient'}, "
                f"attempt {d.attempts}); check the provider log before retrying."
            )
            extra = {"outcome_unknown": True, "claimed_at": claimed.isoformat(), "attempts": d.attempts}
            if _fail(d, d.notification, error, now, permanent=False, source="sweeper", extra=extra):
                swept.append(d.pk)
    if swept:
        log.warning("marked %d delivery(ies) stuck in sending as failed (outcome unknown): %s", len(swept), swept)
    return swept


def retry_delivery(delivery: Delivery, *, user, now: dt.datetime | None = None) -> Delivery:
    """An agent retries a failed send; a permanent failure (bad address, refused) is never retried."""
    now = now or timezone.now()
    with transaction.atomic():
        d = Delivery.objects.select_for_update().select_related("notification").get(pk=delivery.pk)
        if d.status != Status.FAILED:
            raise DeliveryActionError(
                f"Only a failed send can be retried; this one is {d.get_status_display().lower()}."
            )
        if d.permanent:
            raise DeliveryActionError(f"This failure is permanent and will not be retried: {d.last_error}")
        move(
            d, Status.QUEUED, event="send_requested", source="agent_retry", at=now, user=user, metadata={"retry": True}
        )
        move(d.notification, Notification.Status.SENT)
        _enqueue(d.pk)
    return d


def mark_delivered(d: Delivery) -> Delivery:
    """The provider confirms delivery (webhook). A real failure stays failed; only an "outcome unknown"
    failure (the worker died after handing it over) is settled by a late receipt."""
    now = timezone.now()
    settled_unknown = ~Q(status=Status.FAILED) | Q(permanent=False, last_error__startswith=Delivery.OUTCOME_UNKNOWN)
    if move(
        d,
        Status.DELIVERED,
        event="delivered",
        source="provider_webhook",
        at=now,
        where=settled_unknown,
        delivered_at=now,
    ):
        move(d.notification, Notification.Status.SENT)
    return d


def mark_bounced(d: Delivery, *, reason: str) -> Delivery:
    """A permanent bounce (a soft one arrives as a failure): the delivery is final and the address is
    marked bad, so retries stop."""
    now = timezone.now()
    n = d.notification
    metadata = {"reason": reason, "permanent": True}
    _end(d, n, Status.BOUNCED, reason or "Bounced", now, source="provider_webhook", metadata=metadata)
    reason_bad = f"bounced {now:%Y-%m-%d}: {reason}"
    contacts.mark_bad(contacts.contact_for(n.customer), d.channel, reason_bad, address=d.recipient)
    return d


def mark_failed(d: Delivery, *, reason: str) -> Delivery:
    """The provider reports a failure after accepting the message: a retryable failure."""
    reason = reason or "The provider reported a failure"
    _fail(d, d.notification, reason, timezone.now(), permanent=False, source="provider_webhook")
    return d


def may_record_call(n: Notification, user) -> bool:  # noqa: ANN001
    """The agent who started the call knows how it went; a supervisor may record it for them (they went home)."""
    return n.sent_by_id in (None, user.pk) or user.has_perm("queue.release_claim")


def record_call_outcome(
    d: Delivery,
    *,
    outcome: str,
    note: str,
    user,
    follow_up: dt.date | None = None,
    now: dt.datetime | None = None,
) -> Delivery:
    """Phone: the agent made the call and says how it went; a follow-up date queues the call again that day."""
    now = now or timezone.now()
    if outcome not in Delivery.CallOutcome.values:
        raise DeliveryActionError("Choose an outcome: reached, voicemail, no answer or refused.")
    if problem := follow_up_problem(follow_up, now):
        raise DeliveryActionError(problem)
    with transaction.atomic():
        # Lock the delivery only: PostgreSQL cannot lock the nullable side of the outer join to sent_by.
        d = Delivery.objects.select_for_update(of=("self",)).select_related("notification__sent_by").get(pk=d.pk)
        caller = d.notification.sent_by
        if not may_record_call(d.notification, user):
            raise DeliveryActionError(
                f"{display_name(caller)} started this call: only they, or a supervisor, can record how it went.",
                status_code=403,
            )
        reached = outcome in (Delivery.CallOutcome.REACHED, Delivery.CallOutcome.VOICEMAIL)
        recorded = move(
            d,
            Status.CALLED,
            event="called",
            source="agent",
            at=now,
            user=user,
            metadata={"outcome": outcome, "note": note, "follow_up": follow_up.isoformat() if follow_up else ""},
            call_outcome=outcome,
            call_note=note.strip(),
            call_follow_up=follow_up,
            called_by=user,
            sent_at=now,
            delivered_at=now if reached else None,
        )
        if not recorded:
            raise DeliveryActionError("This call has already been recorded.")
        if reached:
            record_lifecycle_event(d.notification, "delivered", source="agent", at=now, user=user)
        if follow_up:
            schedule_follow_up(d.notification, on=follow_up, outcome=outcome, now=now)
    return d
