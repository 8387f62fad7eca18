"""The append-only event trail, and the results loop back into the customer's notification history.

Every delivery or engagement event re-derives the customer's
`NotificationHistory` row `SNE-<pk>` from the trail (an upsert), so the next
analysis run reads what happened to our message (opened, clicked, action,
delivery status, response time) exactly like the source system's history.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from customers.models import DeliveryStatus, NotificationHistory
from notifications.models import Delivery, Notification, NotificationEvent

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


def record_event(
    notification: Notification,
    kind: str,
    *,
    source: str,
    at: dt.datetime | None = None,
    user=None,
    machine_suspected: bool = False,
    metadata: dict | None = None,
) -> NotificationEvent:
    event = NotificationEvent.objects.create(
        notification=notification,
        kind=kind,
        occurred_at=at or timezone.now(),
        source=source,
        user=user if getattr(user, "pk", None) else None,
        machine_suspected=machine_suspected,
        metadata=metadata or {},
    )
    if kind in HISTORY_KINDS:
        sync_history(notification)
    return event


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
    row, _ = NotificationHistory.objects.update_or_create(
        notification_id=history_id(notification.pk),
        defaults={
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
        },
    )
    return row
