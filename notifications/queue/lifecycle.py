"""A message's lifecycle: its state moves, its append-only event trail, and the results loop back into
the customer's notification history.

`move` is the one way a Notification or a Delivery changes status: a conditional UPDATE allowed by
the model's TRANSITIONS table (notifications/common/transitions.py), and the event that says so.

Every delivery or engagement event re-derives the customer's
`NotificationHistory` row `SNE-<pk>` from the trail (an upsert), so the next
analysis run reads what happened to our message (opened, clicked, action,
delivery status, response time) exactly like the source system's history.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone

from customers.models import DeliveryStatus, NotificationHistory
from notifications.common.transitions import apply_transition
from notifications.queue.models import Delivery, Notification, NotificationEvent

HISTORY_PREFIX = "SNE-"  # our own messages in customers.NotificationHistory
Kind = NotificationEvent.Kind
# Delivery outcomes the history table can express (it has no "queued" or "held").
HISTORY_STATUS = {
    Delivery.Status.SENT: DeliveryStatus.DELIVERED,  # accepted by the provider; a bounce later overrides it
    Delivery.Status.DELIVERED: DeliveryStatus.DELIVERED,
    Delivery.Status.CALLED: DeliveryStatus.DELIVERED,
    Delivery.Status.FAILED: DeliveryStatus.FAILED,
    Delivery.Status.BOUNCED: DeliveryStatus.BOUNCED,
}
HISTORY_KINDS = {Kind.SENT, Kind.DELIVERED, Kind.FAILED, Kind.BOUNCED, Kind.OPENED, Kind.CLICKED, Kind.ACTIONED}
ENGAGEMENT_KINDS = (Kind.OPENED, Kind.CLICKED, Kind.ACTIONED)


def history_id(notification_pk: int) -> str:
    return f"{HISTORY_PREFIX}{notification_pk}"


def record_lifecycle_event(
    notification: Notification,
    kind: str,
    *,
    source: str,
    at: dt.datetime | None = None,
    user=None,
    machine_suspected: bool = False,
    metadata: dict | None = None,
    update_history: bool = True,
) -> NotificationEvent:
    """Append one event; a delivery outcome or a human engagement re-derives the history row.

    `update_history=False`: the caller records another event of the same change straight after, which
    derives the row once for both.
    """
    event = NotificationEvent.objects.create(
        notification=notification,
        kind=kind,
        occurred_at=at or timezone.now(),
        source=source,
        user=user if getattr(user, "pk", None) else None,
        machine_suspected=machine_suspected,
        metadata=metadata or {},
    )
    # Machine activity is not an input of the row (sync_history counts human engagement only).
    if update_history and kind in HISTORY_KINDS and not machine_suspected:
        sync_history(notification)
    return event


def move(
    obj: Notification | Delivery,
    target: str,
    *,
    event: str = "",
    source: str = "",
    at: dt.datetime | None = None,
    user=None,  # noqa: ANN001
    metadata: dict | None = None,
    where: Q | None = None,
    **changes: object,
) -> bool:
    """Move a queue item or its delivery to `target` if its stored state allows it, and record `event`.

    False (and no event) when the row was elsewhere: already moved by another worker, or in a state
    from which the move makes no sense (e.g. a permanent failure "delivered").
    """
    if not apply_transition(obj, target, where=where, **changes):
        return False
    if event:
        notification = obj if isinstance(obj, Notification) else obj.notification
        record_lifecycle_event(notification, event, source=source, at=at, user=user, metadata=metadata)
    return True


def sync_history(notification: Notification) -> NotificationHistory | None:
    """Upsert the customer's history row for this notification from its delivery and its events."""
    delivery = Delivery.objects.filter(notification=notification).first()
    status = HISTORY_STATUS.get(delivery.status) if delivery else None
    if delivery is None or status is None:
        return None
    human = list(
        NotificationEvent.objects.filter(notification=notification, kind__in=ENGAGEMENT_KINDS, machine_suspected=False)
        .order_by("occurred_at", "pk")
        .values_list("kind", "occurred_at", "metadata")
    )
    kinds = {kind for kind, _, _ in human}
    actions = [meta.get("action", "") or "Action taken" for kind, _, meta in human if kind == Kind.ACTIONED]
    sent_at = delivery.sent_at or notification.sent_at or timezone.now()
    response_hours = None
    if human:
        start = delivery.delivered_at or sent_at
        hours = max((human[0][1] - start).total_seconds(), 0) / 3600
        response_hours = Decimal(f"{min(hours, 99999):.2f}")
    clicked = Kind.CLICKED in kinds
    situation = (notification.situation or "message").replace("_", " ")
    fields = {
        "customer_id": notification.customer_id,
        "channel": notification.channel,
        "sent_at": sent_at,
        # The frequency cap tells marketing from service by keywords in this text ("marketing").
        "notification_type": f"{notification.kind.title()}: {situation}",
        "opened": clicked or Kind.OPENED in kinds or Kind.ACTIONED in kinds,
        "clicked": clicked,
        "action_taken": actions[-1][:120] if actions else "",
        "delivery_status": status,
        "notification_priority": notification.priority,
        "response_time_hours": response_hours,
    }
    row = NotificationHistory(notification_id=history_id(notification.pk), **fields)
    # One INSERT … ON CONFLICT DO UPDATE: this runs on every delivery and engagement event.
    NotificationHistory.objects.bulk_create(
        [row], update_conflicts=True, unique_fields=["notification_id"], update_fields=list(fields)
    )
    return row
