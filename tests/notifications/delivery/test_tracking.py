"""Open pixel, click redirect, machine activity and the delivery-receipt webhook."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from customers.models import CustomerContact, NotificationHistory
from notifications.delivery.models import ProviderReceipt
from notifications.delivery.services import delivery as service
from notifications.delivery.tracking import click_token, engagement_score, open_token, read_click_token
from notifications.queue.models import Delivery, NotificationEvent
from tests.notifications.delivery import delivery_helpers
from tests.notifications.delivery.delivery_helpers import approved

pytestmark = pytest.mark.django_db
BROWSER = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0) AppleWebKit/605.1.15 Version/17.0 Safari/605.1.15"
SECRET = "test-webhook-secret"


@pytest.fixture
def delivered():
    """A delivered email, delivered a minute ago (so a human open now is plausible)."""
    n = approved(kind="marketing", situation="tariff_value")
    d = service.queue_delivery(n)
    service.attempt_delivery(d.pk, now=timezone.now() - dt.timedelta(minutes=1))
    d.refresh_from_db()
    assert d.status == "delivered"
    return d


def events(d, kind):
    return NotificationEvent.objects.filter(notification_id=d.notification_id, kind=kind)


def test_open_pixel_records_a_human_open_and_updates_history(client, delivered):
    response = client.get(
        reverse("tracking:open", args=[open_token(delivered.notification_id)]), HTTP_USER_AGENT=BROWSER
    )
    assert (
        response.status_code == 200
        and response["Content-Type"] == "image/gif"
        and response.content.startswith(b"GIF89a")
    )
    open_event = events(delivered, "opened").get()
    assert not open_event.machine_suspected
    row = NotificationHistory.objects.get(notification_id=f"SNE-{delivered.notification_id}")
    assert row.opened and not row.clicked and row.response_time_hours is not None


def test_a_tampered_pixel_token_records_nothing_and_still_returns_the_gif(client, delivered):
    token = open_token(delivered.notification_id)
    tampered = token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1]
    for bad in (tampered, "nonsense", open_token(999_999)):
        response = client.get(reverse("tracking:open", args=[bad]), HTTP_USER_AGENT=BROWSER)
        assert response.status_code == 200 and response["Content-Type"] == "image/gif"
    assert not NotificationEvent.objects.filter(kind="opened").exists()


def test_an_open_seconds_after_delivery_is_machine_suspected_and_not_counted(client, settings):
    settings.TRACKING_MACHINE_SECONDS = 10
    n = approved()
    d = service.queue_delivery(n)
    service.attempt_delivery(d.pk)  # delivered just now
    client.get(reverse("tracking:open", args=[open_token(n.pk)]), HTTP_USER_AGENT=BROWSER)
    event = NotificationEvent.objects.get(notification=n, kind="opened")
    assert event.machine_suspected and "within 10s" in event.metadata["machine_reason"]
    assert not NotificationHistory.objects.get(notification_id=f"SNE-{n.pk}").opened


def test_a_scanner_user_agent_is_machine_suspected(client, delivered):
    client.get(reverse("tracking:open", args=[open_token(delivered.notification_id)]), HTTP_USER_AGENT="Mimecast/1.0")
    assert events(delivered, "opened").get().machine_suspected


def test_a_click_redirects_to_the_signed_target_and_counts(client, delivered):
    target = "https://example.invalid/account"
    token = click_token(delivered.notification_id, target)
    response = client.get(
        reverse("tracking:click", args=[token]) + "?next=https://evil.example", HTTP_USER_AGENT=BROWSER
    )
    assert response.status_code == 302 and response["Location"] == target  # the query string is ignored
    assert not events(delivered, "clicked").get().machine_suspected
    row = NotificationHistory.objects.get(notification_id=f"SNE-{delivered.notification_id}")
    assert row.clicked and row.opened  # a click implies an open (the history's own constraint)


def test_a_tampered_click_token_goes_to_the_landing_page_not_an_open_redirect(client, delivered):
    token = click_token(delivered.notification_id, "https://example.invalid/account")
    forged = token.replace(token.split(":")[0], token.split(":")[0][::-1])
    for bad in (forged, "x", "https:evil.example"):
        response = client.get(reverse("tracking:click", args=[bad]), HTTP_USER_AGENT=BROWSER)
        assert response.status_code == 302 and response["Location"] == "/t/landing/"
    assert client.get("/t/landing/").status_code == 200
    assert not NotificationEvent.objects.filter(kind="clicked").exists()


def test_a_signed_non_http_target_is_refused():
    assert read_click_token(click_token(1, "javascript:alert(1)")) is None
    assert read_click_token(click_token(1, "https://example.invalid/")) == (1, "https://example.invalid/")


def test_a_head_request_from_a_link_checker_is_machine_suspected(client, delivered):
    token = click_token(delivered.notification_id, "https://example.invalid/account")
    client.head(reverse("tracking:click", args=[token]), HTTP_USER_AGENT=BROWSER)
    assert events(delivered, "clicked").get().machine_suspected


def test_clicks_and_actions_weigh_more_than_opens_and_machines_count_nothing():
    assert engagement_score([("opened", False)]) == 1
    assert engagement_score([("opened", False), ("opened", False)]) == 1  # ten opens are one open
    assert engagement_score([("clicked", False)]) > engagement_score([("opened", False)])
    assert engagement_score([("actioned", False)]) > engagement_score([("clicked", False)])
    assert engagement_score([("clicked", True), ("opened", True)]) == 0


# --- the delivery-receipt webhook -------------------------------------------------------------


def envelope(message_id: str, message: dict) -> dict:
    return {"Type": "Notification", "MessageId": message_id, "Message": json.dumps(message)}


def post(client, body: dict, **headers):
    return client.post(
        reverse("tracking:delivery_webhook"), data=json.dumps(body), content_type="application/json", **headers
    )


@pytest.fixture
def sent_by_sns():
    return delivery_helpers.sent_by_sns()


def test_the_webhook_refuses_a_bad_or_missing_secret(client, settings, sent_by_sns):
    settings.DELIVERY_WEBHOOK_SECRET = SECRET
    body = envelope("m-1", {"messageId": "sns-42", "status": "delivered"})
    assert post(client, body).status_code == 403
    assert post(client, body, HTTP_X_DELIVERY_SECRET="wrong").status_code == 403
    assert post(client, body, HTTP_X_DELIVERY_SIGNATURE="sha256=00").status_code == 403
    settings.DELIVERY_WEBHOOK_SECRET = ""  # not configured: refuses everything
    assert post(client, body, HTTP_X_DELIVERY_SECRET="").status_code == 403
    assert Delivery.objects.get(pk=sent_by_sns.pk).status == "sent" and not ProviderReceipt.objects.exists()


def test_a_delivery_receipt_is_applied_once_and_a_replay_is_ignored(client, settings, sent_by_sns):
    settings.DELIVERY_WEBHOOK_SECRET = SECRET
    body = envelope("m-1", {"messageId": "sns-42", "status": "delivered"})
    first = post(client, body, HTTP_X_DELIVERY_SECRET=SECRET)
    assert first.status_code == 200 and first.json()["outcome"].startswith("delivered")
    assert Delivery.objects.get(pk=sent_by_sns.pk).status == "delivered"
    replay = post(client, body, HTTP_X_DELIVERY_SECRET=SECRET)
    assert replay.status_code == 200 and replay.json()["outcome"].startswith("duplicate")
    assert events(sent_by_sns, "delivered").count() == 1


def test_a_failure_reported_by_the_provider_is_on_the_trail_as_the_providers_and_stays_retryable(
    client, settings, sent_by_sns
):
    settings.DELIVERY_WEBHOOK_SECRET = SECRET
    body = envelope("m-3", {"messageId": "sns-42", "status": "failed", "reason": "Carrier unreachable"})
    assert post(client, body, HTTP_X_DELIVERY_SECRET=SECRET).status_code == 200
    d = Delivery.objects.get(pk=sent_by_sns.pk)
    assert (d.status, d.permanent, d.last_error) == ("failed", False, "Carrier unreachable")
    assert list(events(sent_by_sns, "failed").values_list("source", flat=True)) == ["provider_webhook"]


def test_an_hmac_signed_bounce_marks_the_number_bad(client, settings, sent_by_sns):
    settings.DELIVERY_WEBHOOK_SECRET = SECRET
    raw = json.dumps(envelope("m-2", {"messageId": "sns-42", "status": "bounced", "reason": "Unknown subscriber"}))
    signature = "sha256=" + hmac.new(SECRET.encode(), raw.encode(), hashlib.sha256).hexdigest()
    response = client.post(
        reverse("tracking:delivery_webhook"),
        data=raw,
        content_type="application/json",
        HTTP_X_DELIVERY_SIGNATURE=signature,
    )
    assert response.status_code == 200
    d = Delivery.objects.get(pk=sent_by_sns.pk)
    assert d.status == "bounced" and d.permanent
    assert CustomerContact.objects.get(customer_id=d.notification.customer_id).phone_bad


def test_an_ses_style_bounce_is_understood(client, settings):
    settings.DELIVERY_WEBHOOK_SECRET = SECRET
    n = approved()
    d = service.queue_delivery(n)
    service.attempt_delivery(d.pk)
    d.refresh_from_db()
    message = {
        "notificationType": "Bounce",
        "mail": {"messageId": d.provider_message_id},
        "bounce": {"bounceType": "Permanent", "bouncedRecipients": [{"diagnosticCode": "550 5.1.1 user unknown"}]},
    }
    assert post(client, envelope("m-3", message), HTTP_X_DELIVERY_SECRET=SECRET).status_code == 200
    d.refresh_from_db()
    assert d.status == "bounced" and "550 5.1.1" in d.last_error
    assert CustomerContact.objects.get(customer=n.customer).email_bad


def test_unknown_ids_and_bad_bodies_are_harmless(client, settings):
    settings.DELIVERY_WEBHOOK_SECRET = SECRET
    unknown = post(client, envelope("m-4", {"messageId": "nope", "status": "delivered"}), HTTP_X_DELIVERY_SECRET=SECRET)
    assert unknown.status_code == 200 and unknown.json()["outcome"].startswith("ignored")
    bad = client.post(
        reverse("tracking:delivery_webhook"), data="{", content_type="application/json", HTTP_X_DELIVERY_SECRET=SECRET
    )
    assert bad.status_code == 400
    assert post(client, {"Type": "Notification"}, HTTP_X_DELIVERY_SECRET=SECRET).status_code == 400


def test_an_action_receipt_reaches_the_history(client, settings, sent_by_sns):
    settings.DELIVERY_WEBHOOK_SECRET = SECRET
    post(client, envelope("m-5", {"messageId": "sns-42", "status": "delivered"}), HTTP_X_DELIVERY_SECRET=SECRET)
    body = envelope("m-6", {"messageId": "sns-42", "status": "actioned", "action": "Set up a payment plan"})
    post(client, body, HTTP_X_DELIVERY_SECRET=SECRET)
    row = NotificationHistory.objects.get(notification_id=f"SNE-{sent_by_sns.notification_id}")
    assert row.action_taken == "Set up a payment plan" and row.opened
