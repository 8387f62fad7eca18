"""Writes to the consent ledger (append-only): withdrawals (unsubscribe link, SMS STOP), agents' records."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from customers.models import Customer
from notifications.contact_rules.models import ConsentChange
from notifications.contact_rules.selectors import latest_consent_change
from notifications.queue.lifecycle import record_lifecycle_event
from notifications.queue.models import Notification
from notifications.staff import services as audit


@transaction.atomic
def withdraw_marketing_consent(
    customer: Customer,
    *,
    source: str,
    channel: str = "",
    notification: Notification | None = None,
    evidence: dict | None = None,
    user=None,
    now: dt.datetime | None = None,
) -> tuple[ConsentChange, bool]:
    """Record that the customer said no to marketing on `channel` (blank: every channel).

    Returns (entry, created). A second click on the same link, or a second STOP, finds the
    withdrawal already recorded and adds nothing: the ledger shows changes of consent, not page
    views. PECR consent is per channel, so a withdrawal for one channel leaves the others as they were.
    """
    now = now or timezone.now()
    Customer.objects.select_for_update().filter(pk=customer.pk).first()  # serialise two clicks at once
    if channel:
        # The latest entry for this channel or for every channel: either kind of withdrawal covers it.
        latest = latest_consent_change(customer.pk, channel)
        already = latest is not None and not latest.marketing_consent
    else:
        latest = latest_consent_change(customer.pk)
        already = latest is not None and not latest.marketing_consent and latest.channel == ""
    if already:
        return latest, False
    change = ConsentChange.objects.create(
        customer=customer,
        marketing_consent=False,
        channel=channel,
        source=source,
        evidence=evidence or {},
        notification=notification,
        recorded_by=user if getattr(user, "pk", None) else None,
        occurred_at=now,
    )
    if notification is not None:
        record_lifecycle_event(
            notification, "unsubscribed", source=source, at=now, metadata={"consent_change": change.pk}
        )
    audit.record_consent(change)
    return change, True


@transaction.atomic
def give_marketing_consent(
    customer: Customer, *, user, evidence: dict, channel: str = "", now: dt.datetime | None = None
) -> ConsentChange:
    """An agent records an explicit opt-in (what was said, when): the only way consent comes back."""
    change = ConsentChange.objects.create(
        customer=customer,
        marketing_consent=True,
        channel=channel,
        source=ConsentChange.Source.AGENT,
        evidence=evidence,
        recorded_by=user,
        occurred_at=now or timezone.now(),
    )
    audit.record_consent(change)
    return change
