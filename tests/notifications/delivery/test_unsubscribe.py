"""The unsubscribe link: signed, never expiring, no login; GET changes nothing, one POST withdraws consent."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.urls import reverse

from notifications.contact_rules.models import ConsentChange
from notifications.contact_rules.selectors import current_marketing_consent
from notifications.delivery.services import delivery as service
from notifications.delivery.services.consent import give_marketing_consent
from notifications.delivery.unsubscribe import read_unsubscribe_token, unsubscribe_token
from notifications.queue.models import Delivery, NotificationEvent
from tests.factories import make_role_user
from tests.notifications.delivery.delivery_helpers import approved

pytestmark = pytest.mark.django_db


def _link_from_the_email() -> str:
    """The path of the unsubscribe link exactly as the email carried it."""
    return urlsplit(mail.outbox[-1].extra_headers["List-Unsubscribe"].strip("<>")).path


def test_unsubscribe_end_to_end_get_page_post_ledger_then_marketing_refused(client):
    n = approved(kind="marketing", situation="tariff_value", now=dt.datetime(2026, 11, 1, 12, 0, tzinfo=dt.UTC))
    service.attempt_delivery(service.queue_delivery(n).pk)
    path = _link_from_the_email()
    page = client.get(path)
    assert page.status_code == 200 and b'<form method="post"' in page.content
    assert not ConsentChange.objects.exists()  # a scanner following the link changes nothing (Mautic #9798)
    done = client.post(path)
    assert done.status_code == 200 and b"You are unsubscribed" in done.content
    change = ConsentChange.objects.get()
    assert (change.customer_id, change.marketing_consent, change.source, change.notification_id) == (
        n.customer_id,
        False,
        "unsubscribe_link",
        n.pk,
    )
    assert change.evidence["method"] == "confirmation page button"
    assert NotificationEvent.objects.filter(notification=n, kind="unsubscribed").count() == 1
    client.post(path)  # a second press: still unsubscribed, no duplicate ledger row
    assert ConsentChange.objects.count() == 1
    later = approved(kind="marketing", situation="tariff_value", customer=n.customer)
    d = service.queue_delivery(later)
    assert service.attempt_delivery(d.pk) == "suppressed"
    assert "withdrawn (Unsubscribe link)" in Delivery.objects.get(pk=d.pk).last_error
    assert len(mail.outbox) == 1


def test_rfc_8058_one_click_post_needs_no_csrf_token_or_login(client):
    from django.test import Client

    n = approved(kind="marketing", situation="tariff_value")
    url = reverse("tracking:unsubscribe", args=[unsubscribe_token(n.customer_id, n.pk, "Email")])
    strict = Client(enforce_csrf_checks=True)
    response = strict.post(url, data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    change = ConsentChange.objects.get()
    assert change.source == "one_click" and change.evidence["channel"] == "Email"
    assert not current_marketing_consent(n.customer_id, "SMS").marketing  # every channel


def test_a_tampered_or_foreign_token_changes_nothing(client):
    n = approved(kind="marketing", situation="tariff_value")
    token = unsubscribe_token(n.customer_id, n.pk)
    for bad in (token[:-3] + "abc", "garbage", unsubscribe_token(999_999, None)):
        url = reverse("tracking:unsubscribe", args=[bad])
        assert client.get(url).status_code == 400
        assert client.post(url).status_code == 400
    assert not ConsentChange.objects.exists()


def test_the_token_never_expires_and_carries_no_personal_data():
    token = unsubscribe_token(42, 7, "Email")
    assert read_unsubscribe_token(token) == {"customer": 42, "notification": 7, "channel": "Email"}
    assert "@" not in token and "example" not in token


def test_consent_comes_back_only_with_an_explicit_recorded_opt_in(client):
    agent = make_role_user("alex", "Agents")
    n = approved(kind="marketing", situation="tariff_value")
    client.post(reverse("tracking:unsubscribe", args=[unsubscribe_token(n.customer_id, n.pk)]))
    assert not current_marketing_consent(n.customer_id).marketing
    give_marketing_consent(n.customer, user=agent, evidence={"said": "Yes, send me offers"})
    state = current_marketing_consent(n.customer_id)
    assert state.marketing and state.source == "agent"


def test_each_consent_change_is_in_the_control_rooms_audit_trail(client):
    from notifications.staff.models import AuditEvent

    agent = make_role_user("alex", "Agents")
    n = approved(kind="marketing", situation="tariff_value")
    client.post(reverse("tracking:unsubscribe", args=[unsubscribe_token(n.customer_id, n.pk)]))
    client.post(reverse("tracking:unsubscribe", args=[unsubscribe_token(n.customer_id, n.pk)]))  # no change
    give_marketing_consent(n.customer, user=agent, evidence={"said": "Yes, send me offers"})
    events = list(
        AuditEvent.objects.filter(action="consent", customer_ref=n.customer.customer_id)
        .order_by("pk")
        .values_list("summary", "actor_name")
    )
    assert events == [
        ("Marketing consent withdrawn for every channel (Unsubscribe link)", ""),
        ("Marketing consent given for every channel (Agent)", "alex"),
    ]
