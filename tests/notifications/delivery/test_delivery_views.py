"""Agent actions on a delivery from the card: retry a failed send, record a call; the card shows the state."""

from __future__ import annotations

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from notifications.delivery.services import delivery as service
from notifications.queue.models import Delivery
from tests.factories import make_role_user
from tests.notifications.delivery.delivery_helpers import approved

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent_client(client):
    agent = make_role_user("alex", "Agents")
    client.force_login(agent)
    client.agent = agent
    return client


def failed(permanent: bool):
    n = approved()
    d = service.queue_delivery(n)
    Delivery.objects.filter(pk=d.pk).update(
        status="failed", permanent=permanent, attempts=6, last_error="SNS Throttling: Rate exceeded"
    )
    return n


def test_retry_requeues_a_failed_send(agent_client, enqueued, django_capture_on_commit_callbacks):
    n = failed(permanent=False)
    with django_capture_on_commit_callbacks(execute=True):
        response = agent_client.post(reverse("delivery:retry", args=[n.pk]))
    assert response.status_code == 302  # without htmx: back to the card page
    assert Delivery.objects.get(notification=n).status == "queued" and enqueued == [n.delivery.pk]


def test_a_permanent_failure_cannot_be_retried(agent_client, enqueued):
    n = failed(permanent=True)
    response = agent_client.post(reverse("delivery:retry", args=[n.pk]), HTTP_HX_REQUEST="true")
    assert response.status_code == 409 and b"permanent" in response.content
    assert Delivery.objects.get(notification=n).status == "failed" and enqueued == []


def test_retry_needs_the_work_queue_permission(client):
    from django.contrib.auth.models import User

    n = failed(permanent=False)
    client.force_login(User.objects.create_user("nobody", password="x"))
    assert client.post(reverse("delivery:retry", args=[n.pk])).status_code == 403
    client.logout()
    assert client.post(reverse("delivery:retry", args=[n.pk])).status_code == 302


def test_recording_a_call_outcome(agent_client):
    n = approved(channel="Phone", subject="")
    service.queue_delivery(n)
    url = reverse("delivery:call_outcome", args=[n.pk])
    bad = agent_client.post(url, {"outcome": "maybe"}, HTTP_HX_REQUEST="true")
    assert bad.status_code == 422
    agent_client.post(url, {"outcome": "no_answer", "note": "Rang twice"})
    d = Delivery.objects.get(notification=n)
    assert (d.status, d.call_outcome, d.call_note, d.called_by) == (
        "called",
        "no_answer",
        "Rang twice",
        agent_client.agent,
    )
    assert d.delivered_at is None  # no answer: nothing was delivered


@pytest.mark.parametrize(
    ("status", "fields", "expected"),
    [
        ("failed", {"permanent": False, "last_error": "SNS Throttling"}, "Retry send"),
        ("failed", {"permanent": True, "last_error": "Invalid number"}, "will not be retried"),
        ("held", {}, "Held until 08:00"),
        ("suppressed", {"last_error": "Consent: withdrawn"}, "refused at send time"),
        ("bounced", {"last_error": "550 user unknown"}, "marked bad"),
    ],
)
def test_the_status_partial_says_what_happened(status, fields, expected):
    import datetime as dt
    from zoneinfo import ZoneInfo

    n = approved()
    d = service.queue_delivery(n)
    held_until = dt.datetime(2026, 11, 25, 8, 0, tzinfo=ZoneInfo("Europe/London"))
    Delivery.objects.filter(pk=d.pk).update(status=status, held_until=held_until, **fields)
    n.refresh_from_db()
    html = render_to_string("notifications/delivery/_status.html", {"n": n})
    assert expected in html
    if "last_error" in fields:
        assert fields["last_error"] in html


def test_sending_from_the_card_creates_one_delivery_and_shows_its_state(agent_client, enqueued, settings, tmp_path):
    """The workspace's Send (issue 5) now hands the message to the channel: one Delivery, queued after commit."""
    from django.utils import timezone

    from tests.factories import AccountActivityFactory, NotificationFactory

    n = NotificationFactory(claimed_by=agent_client.agent, claimed_at=timezone.now())
    AccountActivityFactory(customer=n.customer)
    url = reverse("notifications:send", args=[n.pk])
    response = agent_client.post(url, {"version": n.version}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    second = agent_client.post(url, {"version": n.version}, HTTP_HX_REQUEST="true")  # a double click
    assert second.status_code == 422
    d = Delivery.objects.get(notification=n)
    assert d.status == "queued"
    service.attempt_delivery(d.pk)
    card = agent_client.get(reverse("notifications:card", args=[n.pk])).content.decode()
    assert "Delivered" in card and Delivery.objects.count() == 1


def test_quiet_hours_do_not_refuse_the_send_they_hold_the_delivery(agent_client, enqueued, monkeypatch):
    import datetime as dt
    from zoneinfo import ZoneInfo

    from django.utils import timezone

    from notifications.delivery.services.sending import send_notification
    from tests.factories import AccountActivityFactory, NotificationFactory

    late = dt.datetime(2026, 11, 24, 22, 30, tzinfo=ZoneInfo("Europe/London"))
    n = NotificationFactory(
        channel="SMS", subject="", original_subject="", claimed_by=agent_client.agent, claimed_at=late
    )
    AccountActivityFactory(customer=n.customer)
    send_notification(n, user=agent_client.agent, expected_version=n.version, now=late)
    d = Delivery.objects.get(notification=n)
    assert service.attempt_delivery(d.pk, now=late) == "held"
    monkeypatch.setattr(timezone, "now", lambda: late)
    card = agent_client.get(reverse("notifications:card", args=[n.pk])).content.decode()
    assert "Held until 08:00" in card


def test_the_confirmation_refuses_marketing_after_the_unsubscribe_link_was_used(agent_client):
    from django.utils import timezone

    from notifications.contact_rules.models import ConsentChange
    from tests.factories import AccountActivityFactory, NotificationFactory

    n = NotificationFactory(kind="marketing", claimed_by=agent_client.agent, claimed_at=timezone.now())
    AccountActivityFactory(customer=n.customer)
    ConsentChange.objects.create(
        customer=n.customer, marketing_consent=False, source="unsubscribe_link", occurred_at=timezone.now()
    )
    response = agent_client.post(reverse("notifications:send", args=[n.pk]), {"version": 1}, HTTP_HX_REQUEST="true")
    assert response.status_code == 422 and "withdrawn (Unsubscribe link)" in response.content.decode()
    assert not Delivery.objects.filter(notification=n).exists()
