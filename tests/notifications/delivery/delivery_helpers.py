"""Shared builders for the delivery, tracking, unsubscribe and results tests."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from notifications.delivery.contacts import contact_for
from notifications.delivery.services.delivery import queue_delivery
from notifications.queue.models import Delivery, Notification
from tests.factories import AccountActivityFactory, NotificationFactory


def approved(*, user=None, now: dt.datetime | None = None, status: str = "Active", **kwargs) -> Notification:
    """A notification the agent has sent (approved): what `queue_delivery` receives."""
    now = now or timezone.now()
    n = NotificationFactory(status="sent", sent_at=now, sent_by=user, **kwargs)
    AccountActivityFactory(customer=n.customer, account_status=status)
    return n


def sent_by_sns() -> Delivery:
    """An SMS the SNS backend accepted as "sns-42": waiting for its delivery receipt."""
    n = approved(channel="SMS", subject="")
    d = queue_delivery(n)
    to = contact_for(n.customer).phone  # a real send records where it went
    Delivery.objects.filter(pk=d.pk).update(status="sent", provider="sns", provider_message_id="sns-42", recipient=to)
    return Delivery.objects.get(pk=d.pk)
