"""Channel backends against real transports: boto3 over a socket to a fake SNS, Django email, the outbox."""

from __future__ import annotations

import datetime as dt
import smtplib
from zoneinfo import ZoneInfo

import pytest
from django.core import mail

from notifications.delivery.backends import OutgoingMessage, PermanentDeliveryError, TransientDeliveryError, get_backend
from notifications.delivery.backends.email import EmailBackend
from notifications.delivery.backends.sns import SnsBackend, _client
from notifications.delivery.services import delivery as service
from notifications.queue.models import Delivery
from tests.factories import make_role_user
from tests.fakes.sns_server import FakeSns, invalid_parameter, published, throttling
from tests.notifications.delivery.delivery_helpers import approved

NOON = dt.datetime(2026, 11, 24, 12, 0, tzinfo=ZoneInfo("Europe/London"))


def sms(marketing: bool = False, to: str = "+447700900123") -> OutgoingMessage:
    return OutgoingMessage(1, "SMS", to, "", "Your bill is ready.", marketing)


@pytest.fixture
def sns():
    with FakeSns() as server:
        yield server


def test_sms_publish_sends_type_sender_id_and_returns_the_message_id(sns, settings):
    settings.SNS_SMS_SENDER_ID = "EnergyCo"
    receipt = SnsBackend(sns.client()).send(sms(marketing=False))
    assert receipt.provider == "sns" and receipt.message_id.startswith("fake-sns-")
    request = sns.requests[0]
    assert request.action == "Publish" and request.fields["PhoneNumber"] == "+447700900123"
    assert request.attribute("AWS.SNS.SMS.SMSType") == "Transactional"
    assert request.attribute("AWS.SNS.SMS.SenderID") == "EnergyCo"
    SnsBackend(sns.client()).send(sms(marketing=True))
    assert sns.requests[1].attribute("AWS.SNS.SMS.SMSType") == "Promotional"


def test_push_publishes_to_the_endpoint_arn(sns):
    arn = "arn:aws:sns:eu-west-2:123456789012:endpoint/GCM/app/abc"
    message = OutgoingMessage(1, "App Push", arn, "Bill ready", "Your bill is ready.", False)
    SnsBackend(sns.client()).send(message)
    assert sns.requests[0].fields["TargetArn"] == arn
    with pytest.raises(PermanentDeliveryError):  # no endpoint on record: nothing to retry
        SnsBackend(sns.client()).send(OutgoingMessage(1, "App Push", "", "", "x", False))


@pytest.mark.parametrize("status", [400, 429])
def test_throttling_is_transient(sns, status):
    sns.script(throttling(status))
    with pytest.raises(TransientDeliveryError, match="Throttling"):
        SnsBackend(sns.client()).send(sms())


def test_an_invalid_number_is_permanent(sns):
    sns.script(invalid_parameter())
    with pytest.raises(PermanentDeliveryError) as exc:
        SnsBackend(sns.client()).send(sms())
    assert exc.value.code == "InvalidParameter"


def test_an_unreachable_endpoint_is_transient():
    server = FakeSns().start()
    client = server.client(read_timeout=0.5)
    server.stop()  # nothing listens any more
    with pytest.raises(TransientDeliveryError):
        SnsBackend(client).send(sms())


@pytest.fixture
def sns_settings(sns, settings, monkeypatch):
    """The configured SNS backend (settings → boto3 client) aimed at the fake, botocore retries off."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "fake")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "fake")
    settings.SMS_BACKEND = "sns"
    settings.SNS_ENDPOINT_URL = sns.url
    settings.SNS_RETRIES = {"mode": "standard", "max_attempts": 0}
    _client.cache_clear()
    yield sns
    _client.cache_clear()


@pytest.mark.django_db
def test_the_task_retries_throttling_with_backoff_then_succeeds(sns_settings, monkeypatch):
    from notifications.delivery.tasks import deliver

    monkeypatch.setattr(service.timezone, "now", lambda: NOON)  # daytime: no quiet hours
    sns_settings.script(throttling(), throttling(429), published("sns-final-id"))
    agent = make_role_user("alex", "Agents")
    n = approved(user=agent, channel="SMS", subject="", now=NOON)
    d = service.queue_delivery(n, user=agent)
    result = deliver.apply(args=[d.pk])  # eager: Celery re-applies on each autoretry
    assert result.successful(), result.traceback
    d.refresh_from_db()
    assert (d.status, d.attempts, d.provider, d.provider_message_id) == ("sent", 3, "sns", "sns-final-id")
    assert len(sns_settings.requests) == 3


@pytest.mark.django_db
def test_the_task_gives_up_visibly_after_max_retries(sns_settings, settings, monkeypatch):
    from notifications.delivery.tasks import deliver

    monkeypatch.setattr(service.timezone, "now", lambda: NOON)
    monkeypatch.setattr(deliver, "max_retries", 2)
    sns_settings.script(*[throttling()] * 5)
    n = approved(channel="SMS", subject="", now=NOON)
    d = service.queue_delivery(n)
    deliver.apply(args=[d.pk])
    d.refresh_from_db()
    assert (d.status, d.attempts, d.permanent) == ("failed", 3, False)
    assert "Throttling" in d.last_error and len(sns_settings.requests) == 3


@pytest.mark.django_db
def test_a_permanent_sns_error_is_not_retried(sns_settings, monkeypatch):
    from notifications.delivery.tasks import deliver

    monkeypatch.setattr(service.timezone, "now", lambda: NOON)
    sns_settings.script(invalid_parameter())
    n = approved(channel="SMS", subject="", now=NOON)
    d = service.queue_delivery(n)
    deliver.apply(args=[d.pk])
    d.refresh_from_db()
    assert (d.status, d.permanent, d.attempts) == ("failed", True, 1) and len(sns_settings.requests) == 1
    assert n.customer.contact.phone_bad


def test_the_task_is_acked_late_and_its_backoff_is_capped(settings):
    from notifications.delivery.tasks import deliver

    assert deliver.acks_late and deliver.autoretry_for == (TransientDeliveryError,)
    assert deliver.retry_jitter and deliver.retry_backoff_max <= 600 < settings.CELERY_VISIBILITY_TIMEOUT
    assert deliver.max_retries == settings.DELIVERY_MAX_RETRIES


def test_the_embedded_defaults_are_local_outboxes(settings):
    from notifications.delivery.backends.outbox import OutboxBackend

    assert isinstance(get_backend("SMS"), OutboxBackend) and isinstance(get_backend("App Push"), OutboxBackend)
    with pytest.raises(PermanentDeliveryError):
        get_backend("Phone")


class _RefusingConnection:
    def __init__(self, error):
        self.error = error

    def send_messages(self, messages):
        raise self.error


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (smtplib.SMTPRecipientsRefused({"x@example.invalid": (550, b"no such user")}), PermanentDeliveryError),
        (smtplib.SMTPResponseException(421, b"try later"), TransientDeliveryError),
        (smtplib.SMTPServerDisconnected("gone"), TransientDeliveryError),
    ],
)
def test_smtp_errors_are_classified(monkeypatch, error, expected):
    from notifications.delivery.backends import email as email_backend

    monkeypatch.setattr(email_backend, "get_connection", lambda **kw: _RefusingConnection(error))
    with pytest.raises(expected):
        EmailBackend().send(OutgoingMessage(1, "Email", "x@example.invalid", "Hi", "Body", False))
    assert mail.outbox == []


@pytest.mark.django_db
def test_the_file_email_backend_writes_the_demo_outbox(settings, tmp_path):
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path)
    n = approved(kind="marketing", situation="tariff_value")
    d = service.queue_delivery(n)
    assert service.attempt_delivery(d.pk) == "delivered"
    written = "".join(p.read_text() for p in tmp_path.iterdir())
    assert "List-Unsubscribe-Post: List-Unsubscribe=One-Click" in written and n.subject in written
    assert Delivery.objects.get(pk=d.pk).provider_message_id in written
