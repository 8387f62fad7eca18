"""The receipts webhook as an AWS SNS HTTPS subscription: signatures, subscription, SMS replies (STOP).

SNS's side is played by a local fake (tests/fakes/sns_server.py): it serves the signing certificate
of a throwaway key, answers the SubscribeURL, and `SnsSigner` signs messages as SNS does.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.urls import reverse

from customers.models import CustomerContact
from notifications.contact_rules.models import ConsentChange
from notifications.delivery import sns_inbound
from notifications.delivery.models import ProviderReceipt
from notifications.delivery.services import delivery as service
from notifications.queue.models import Delivery, NotificationEvent
from tests.fakes.sns_server import FakeSns, SnsSigner, error
from tests.notifications.delivery.delivery_helpers import approved, sent_by_sns

pytestmark = pytest.mark.django_db
TOPIC = "arn:aws:sns:eu-west-2:123456789012:sne-receipts"
OTHER_TOPIC = "arn:aws:sns:eu-west-2:999999999999:someone-elses-topic"
NOON = dt.datetime(2026, 11, 24, 12, 0, tzinfo=ZoneInfo("Europe/London"))
CERT_PATH = "/SimpleNotificationService-test.pem"


@pytest.fixture(scope="module")
def signer():
    return SnsSigner()


@pytest.fixture(scope="module")
def sns_server(signer):
    with FakeSns() as server:  # one for the module: each shutdown waits out serve_forever's poll
        server.cert_url = server.serve(CERT_PATH, signer.pem)
        yield server


@pytest.fixture
def sns(sns_server, settings, tmp_path):
    """The fake SNS, allow-listed as if it were AWS; receipts for TOPIC accepted; no shared secret."""
    sns_server.gets.clear()
    sns_server._script.clear()
    cache.clear()  # each test starts with the certificate not yet fetched
    settings.SNS_ALLOWED_URL_PATTERN = "^" + re.escape(sns_server.url) + "/"
    settings.SNS_ALLOWED_TOPIC_ARNS = [TOPIC]
    settings.DELIVERY_WEBHOOK_SECRET = ""  # SNS cannot send it: the signature is the authentication
    settings.OUTBOX_DIR = str(tmp_path)
    settings.SMS_BACKEND = "outbox"
    yield sns_server
    cache.clear()


_ids = iter(range(1, 10_000))


def notification(message: dict, *, topic: str = TOPIC, message_id: str | None = None) -> dict:
    return {
        "Type": "Notification",
        "MessageId": message_id or f"sns-msg-{next(_ids)}",
        "TopicArn": topic,
        "Message": json.dumps(message),
        "Timestamp": "2026-11-24T12:00:00.000Z",
        "UnsubscribeURL": "https://sns.eu-west-2.amazonaws.com/?Action=Unsubscribe",
    }


def post(client, body: dict, *, message_type: str | None = None):
    return client.post(
        reverse("tracking:delivery_webhook"),
        data=json.dumps(body),
        content_type="text/plain; charset=UTF-8",  # what SNS sends
        HTTP_X_AMZ_SNS_MESSAGE_TYPE=message_type or body.get("Type", ""),
    )


def cert_fetches(sns) -> int:
    return sum(1 for path in sns.gets if path.startswith(CERT_PATH))


@pytest.fixture
def sent_sms():
    return sent_by_sns()


# --- signatures ---------------------------------------------------------------------------------


@pytest.mark.parametrize("version", ["1", "2"])
def test_a_signed_delivery_receipt_is_applied_and_the_certificate_fetched_once(client, sns, signer, sent_sms, version):
    first = signer.sign(
        notification({"messageId": "sns-42", "status": "delivered"}), cert_url=sns.cert_url, version=version
    )
    response = post(client, first)
    assert response.status_code == 200, response.content
    assert response.json()["outcome"].startswith("delivered")
    assert Delivery.objects.get(pk=sent_sms.pk).status == "delivered"
    second = signer.sign(notification({"messageId": "sns-42", "status": "actioned"}), cert_url=sns.cert_url)
    assert post(client, second).status_code == 200
    assert cert_fetches(sns) == 1  # cached


def test_a_subject_is_part_of_what_is_signed(client, sns, signer, sent_sms):
    body = signer.sign(
        {**notification({"messageId": "sns-42", "status": "delivered"}), "Subject": "Receipt"}, cert_url=sns.cert_url
    )
    assert post(client, body).status_code == 200
    tampered = signer.sign(
        {**notification({"messageId": "sns-42", "status": "delivered"}), "Subject": "Receipt"}, cert_url=sns.cert_url
    )
    tampered["Subject"] = "Something else"
    assert post(client, tampered).status_code == 403


@pytest.mark.parametrize(
    "tamper",
    [
        lambda m: m.update(Message=json.dumps({"messageId": "sns-42", "status": "bounced"})),
        lambda m: m.update(Signature="AAAA" + m["Signature"][4:]),
        lambda m: m.update(Signature="not base64 !"),
        lambda m: m.update(SignatureVersion="3"),
        lambda m: m.pop("Signature"),
    ],
    ids=["message changed", "signature changed", "signature garbage", "unknown version", "unsigned"],
)
def test_a_message_that_is_not_provably_from_sns_is_refused_and_changes_nothing(client, sns, signer, sent_sms, tamper):
    body = signer.sign(notification({"messageId": "sns-42", "status": "delivered"}), cert_url=sns.cert_url)
    tamper(body)
    assert post(client, body).status_code == 403
    assert Delivery.objects.get(pk=sent_sms.pk).status == "sent"
    assert not ProviderReceipt.objects.exists()


def test_a_certificate_url_outside_the_allow_list_is_never_fetched(client, sns, signer, sent_sms, settings):
    settings.SNS_ALLOWED_URL_PATTERN = r"^https://sns\.[a-z0-9-]+\.amazonaws\.com(\.cn)?/"  # the default
    body = signer.sign(notification({"messageId": "sns-42", "status": "delivered"}), cert_url=sns.cert_url)
    assert post(client, body).status_code == 403
    assert sns.gets == [] and Delivery.objects.get(pk=sent_sms.pk).status == "sent"


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("https://sns.eu-west-2.amazonaws.com/SimpleNotificationService-abc.pem", True),
        ("https://sns.cn-north-1.amazonaws.com.cn/SimpleNotificationService-abc.pem", True),
        ("http://sns.eu-west-2.amazonaws.com/SimpleNotificationService-abc.pem", False),
        ("https://sns.eu-west-2.amazonaws.com.evil.example/cert.pem", False),
        ("https://sns.eu-west-2.amazonaws.com@evil.example/cert.pem", False),
        ("https://evil.example/sns.eu-west-2.amazonaws.com/cert.pem", False),
        ("https://s3.amazonaws.com/sns/cert.pem", False),
    ],
)
def test_the_default_allow_list_accepts_only_sns_hosts(settings, url, allowed):
    settings.SNS_ALLOWED_URL_PATTERN = r"^https://sns\.[a-z0-9-]+\.amazonaws\.com(\.cn)?/"
    assert sns_inbound.url_allowed(url) is allowed


def test_a_signed_message_from_someone_elses_topic_is_refused(client, sns, signer, sent_sms):
    """Anyone with an AWS account gets validly signed messages from their own topic."""
    body = signer.sign(
        notification({"messageId": "sns-42", "status": "bounced"}, topic=OTHER_TOPIC), cert_url=sns.cert_url
    )
    assert post(client, body).status_code == 403
    assert Delivery.objects.get(pk=sent_sms.pk).status == "sent" and not ProviderReceipt.objects.exists()


def test_the_shared_secret_still_works_beside_sns(client, sns, settings, sent_sms):
    settings.DELIVERY_WEBHOOK_SECRET = "relay-secret"
    body = {
        "Type": "Notification",
        "MessageId": "relay-1",
        "Message": json.dumps({"messageId": "sns-42", "status": "delivered"}),
    }
    response = client.post(
        reverse("tracking:delivery_webhook"),
        data=json.dumps(body),
        content_type="application/json",
        HTTP_X_DELIVERY_SECRET="relay-secret",
    )
    assert response.status_code == 200 and Delivery.objects.get(pk=sent_sms.pk).status == "delivered"


# --- subscription -------------------------------------------------------------------------------


def confirmation(sns, *, topic: str = TOPIC, subscribe_url: str | None = None) -> dict:
    return {
        "Type": "SubscriptionConfirmation",
        "MessageId": f"sns-sub-{next(_ids)}",
        "Token": "token-123",
        "TopicArn": topic,
        "Message": f"You have chosen to subscribe to the topic {topic}.",
        "SubscribeURL": subscribe_url or f"{sns.url}/?Action=ConfirmSubscription&TopicArn={topic}&Token=token-123",
        "Timestamp": "2026-11-24T12:00:00.000Z",
    }


def test_a_subscription_to_an_allowed_topic_is_confirmed(client, sns, signer):
    response = post(client, signer.sign(confirmation(sns), cert_url=sns.cert_url))
    assert response.status_code == 200 and response.json()["outcome"].startswith("confirmed")
    confirms = [path for path in sns.gets if "Action=ConfirmSubscription" in path]
    assert len(confirms) == 1 and "Token=token-123" in confirms[0]


def test_a_subscription_to_another_topic_is_ignored(client, sns, signer, settings, caplog):
    response = post(client, signer.sign(confirmation(sns, topic=OTHER_TOPIC), cert_url=sns.cert_url))
    assert response.status_code == 200 and response.json()["outcome"].startswith("ignored")
    assert not [path for path in sns.gets if "ConfirmSubscription" in path]
    assert "not in SNS_ALLOWED_TOPIC_ARNS" in caplog.text
    settings.SNS_ALLOWED_TOPIC_ARNS = []  # the default: no topic is accepted
    response = post(client, signer.sign(confirmation(sns), cert_url=sns.cert_url))
    assert response.json()["outcome"].startswith("ignored")
    assert not [path for path in sns.gets if "ConfirmSubscription" in path]


def test_a_subscribe_url_outside_the_allow_list_is_not_called(client, sns, signer):
    elsewhere = "http://127.0.0.2:9/?Action=ConfirmSubscription&Token=token-123"
    response = post(client, signer.sign(confirmation(sns, subscribe_url=elsewhere), cert_url=sns.cert_url))
    assert response.status_code == 403
    assert not [path for path in sns.gets if "ConfirmSubscription" in path]


def test_a_failed_confirmation_asks_sns_to_send_it_again(client, sns, signer):
    sns.script(error(403, "AuthorizationError", "Token expired"))
    response = post(client, signer.sign(confirmation(sns), cert_url=sns.cert_url))
    assert response.status_code == 502


# --- inbound SMS: STOP ----------------------------------------------------------------------------


def inbound(number: str, body: str, inbound_id: str = "in-1") -> dict:
    return {
        "originationNumber": number,
        "destinationNumber": "+447700900000",
        "messageKeyword": "KEYWORD_123456789012",
        "messageBody": body,
        "inboundMessageId": inbound_id,
        "previousPublishedMessageId": "pub-1",
    }


@pytest.fixture
def sms_customer(sns):
    """A customer who was sent a marketing SMS ten days ago (outside the frequency-cap window)."""
    then = NOON - dt.timedelta(days=10)
    n = approved(channel="SMS", subject="", kind="marketing", situation="tariff_value", now=then)
    assert service.attempt_delivery(service.queue_delivery(n).pk, now=then) == "delivered"
    n.phone = CustomerContact.objects.get(customer=n.customer).phone
    return n


def test_a_stop_reply_withdraws_sms_marketing_and_the_next_marketing_sms_is_refused(client, sns, signer, sms_customer):
    customer = sms_customer.customer
    response = post(client, signer.sign(notification(inbound(sms_customer.phone, " Stop ")), cert_url=sns.cert_url))
    assert response.status_code == 200 and response.json()["outcome"].startswith("opted out")
    change = ConsentChange.objects.get(customer=customer)
    assert (change.marketing_consent, change.channel) == (False, "SMS")
    assert change.source == "inbound_sms" and change.evidence["inbound_message_id"] == "in-1"
    assert change.notification_id == sms_customer.pk  # the message they replied to shows the unsubscribe
    assert NotificationEvent.objects.filter(notification=sms_customer, kind="unsubscribed").exists()

    marketing_sms = approved(channel="SMS", subject="", kind="marketing", situation="tariff_value", customer=customer)
    d = service.queue_delivery(marketing_sms)
    assert service.attempt_delivery(d.pk, now=NOON) == "suppressed"
    assert Delivery.objects.get(pk=d.pk).last_error.startswith(
        "Marketing message refused: marketing consent withdrawn (SMS reply (STOP)"
    )
    # PECR consent is per channel: STOP by text does not withdraw marketing email.
    marketing_email = approved(kind="marketing", situation="tariff_value", customer=customer)
    assert service.attempt_delivery(service.queue_delivery(marketing_email).pk, now=NOON) == "delivered"


@pytest.mark.parametrize(
    "reply", ["STOP", "stop", "StopAll", "UNSUBSCRIBE", "cancel", "End", "QUIT", "STOP texting me", "stop."]
)
def test_every_opt_out_word_opts_out(client, sns, signer, sms_customer, reply):
    assert (
        post(client, signer.sign(notification(inbound(sms_customer.phone, reply)), cert_url=sns.cert_url)).status_code
        == 200
    )
    assert ConsentChange.objects.filter(customer=sms_customer.customer, marketing_consent=False).count() == 1


@pytest.mark.parametrize("reply", ["Thanks", "HELP", "Please don't stop the discount", "ended up paying"])
def test_other_replies_change_nothing(client, sns, signer, sms_customer, reply):
    response = post(client, signer.sign(notification(inbound(sms_customer.phone, reply)), cert_url=sns.cert_url))
    assert response.status_code == 200 and response.json()["outcome"].startswith("ignored")
    assert not ConsentChange.objects.exists()


def test_a_replayed_reply_is_recorded_once(client, sns, signer, sms_customer):
    first = signer.sign(
        notification(inbound(sms_customer.phone, "STOP", "in-7"), message_id="m-1"), cert_url=sns.cert_url
    )
    assert post(client, first).json()["outcome"].startswith("opted out")
    assert post(client, first).json()["outcome"].startswith("duplicate")  # SNS retried the same message
    republished = signer.sign(
        notification(inbound(sms_customer.phone, "STOP", "in-7"), message_id="m-2"), cert_url=sns.cert_url
    )
    assert post(client, republished).json()["outcome"].startswith("duplicate")  # same reply, new envelope
    assert ConsentChange.objects.count() == 1


def test_a_second_stop_adds_nothing_to_the_ledger(client, sns, signer, sms_customer):
    for inbound_id in ("in-1", "in-2"):
        post(client, signer.sign(notification(inbound(sms_customer.phone, "STOP", inbound_id)), cert_url=sns.cert_url))
    assert ConsentChange.objects.count() == 1


def test_a_stop_from_an_unknown_number_is_logged_and_answered(client, sns, signer, caplog):
    body = signer.sign(notification(inbound("+447700900999", "STOP")), cert_url=sns.cert_url)
    response = post(client, body)
    assert response.status_code == 200 and response.json()["outcome"].startswith("ignored")
    assert not ConsentChange.objects.exists()
    assert "no customer has (ending 999)" in caplog.text and "+447700900999" not in caplog.text
