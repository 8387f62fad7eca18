"""With production settings, only real addresses are sent to: a placeholder or a missing address
refuses the send with a clear reason on the card, and a refusal at the moment of sending is counted."""

from __future__ import annotations

import pytest
from django.utils import timezone

from customers.models import CustomerContact
from notifications.delivery.contacts import NO_REAL_ADDRESS
from notifications.delivery.services import delivery as service
from notifications.delivery.services.sending import SendRefused, send_notification
from notifications.queue.models import Delivery, NotificationEvent
from tests.factories import AccountActivityFactory, NotificationFactory
from tests.notifications.delivery.delivery_helpers import approved

pytestmark = pytest.mark.django_db


@pytest.fixture
def production(settings):
    settings.ALLOW_PLACEHOLDER_CONTACTS = False


@pytest.fixture
def outbox(settings, tmp_path):
    settings.OUTBOX_DIR = str(tmp_path)
    settings.SMS_BACKEND = settings.PUSH_BACKEND = "outbox"


def claimed(user, **kwargs):
    n = NotificationFactory(claimed_by=user, claimed_at=timezone.now(), **kwargs)
    AccountActivityFactory(customer=n.customer, account_status="Active")
    return n


def test_a_send_to_a_placeholder_address_is_refused_with_the_reason(agent, production):
    n = claimed(agent)
    CustomerContact.objects.create(customer=n.customer, email="cust@example.invalid", is_placeholder=True)
    with pytest.raises(SendRefused) as refused:
        send_notification(n, user=agent, expected_version=1)
    assert (
        "Only a demo placeholder Email address is on file for this customer: "
        "import their real details (Customer Contacts.csv) before sending."
    ) in refused.value.reasons


def test_a_send_without_any_address_is_refused(agent, production):
    n = claimed(agent, channel="SMS", subject="")
    CustomerContact.objects.create(customer=n.customer, email="ann@example.com")  # no mobile
    with pytest.raises(SendRefused) as refused:
        send_notification(n, user=agent, expected_version=1)
    assert "No real SMS address for this customer: import their details (Customer Contacts.csv)." in (
        refused.value.reasons
    )


def test_a_real_address_is_sent_to(agent, production, outbox):
    n = approved(user=agent)
    CustomerContact.objects.create(customer=n.customer, email="ann.reid@example.com")
    assert service.attempt_delivery(service.queue_delivery(n).pk) == "delivered"
    assert Delivery.objects.get(notification=n).recipient == "ann.reid@example.com"


def test_a_refusal_at_the_moment_of_sending_is_recorded_and_countable(agent, production, outbox):
    n = approved(user=agent)  # approved while a placeholder was acceptable; production now refuses it
    assert service.attempt_delivery(service.queue_delivery(n).pk) == "failed"
    d = Delivery.objects.get(notification=n)
    assert (d.status, d.permanent) == ("failed", True)
    assert d.last_error == "No real Email address for this customer: import their details (Customer Contacts.csv)."
    assert NotificationEvent.objects.filter(kind="failed", metadata__code=NO_REAL_ADDRESS).count() == 1
    assert not CustomerContact.objects.exists()  # no placeholder was made up on the way


def test_the_demo_still_sends_to_placeholders(agent, outbox):
    n = approved(user=agent)
    assert service.attempt_delivery(service.queue_delivery(n).pk) == "delivered"
    assert Delivery.objects.get(notification=n).recipient.endswith("@example.invalid")
