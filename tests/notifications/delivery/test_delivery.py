"""Delivery service: one delivery per notification, rules re-checked at send time, failures visible."""

from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.utils import timezone

from customers.models import CustomerContact, NotificationHistory
from notifications.contact_rules.models import ConsentChange
from notifications.delivery.backends import PermanentDeliveryError, TransientDeliveryError, get_backend
from notifications.delivery.services import delivery as service
from notifications.queue.models import Delivery, NotificationEvent
from tests.factories import InteractionFactory
from tests.notifications.delivery.delivery_helpers import approved

LONDON = ZoneInfo("Europe/London")
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def outbox(settings, tmp_path):
    settings.OUTBOX_DIR = str(tmp_path)
    settings.SMS_BACKEND = settings.PUSH_BACKEND = "outbox"
    return tmp_path


def kinds(n) -> list[str]:
    return list(NotificationEvent.objects.filter(notification=n).values_list("kind", flat=True))


def test_queue_delivery_is_keyed_by_the_notification(agent, enqueued, django_capture_on_commit_callbacks):
    n = approved(user=agent)
    with django_capture_on_commit_callbacks(execute=True):
        first = service.queue_delivery(n, user=agent)
        second = service.queue_delivery(n, user=agent)  # a double click / second tab / retried request
    assert first.pk == second.pk and Delivery.objects.count() == 1
    assert enqueued == [first.pk]  # one task message, only after commit
    assert kinds(n) == ["send_requested"]


def test_email_goes_once_with_text_html_and_is_delivered(agent):
    n = approved(user=agent, kind="service")
    d = service.queue_delivery(n, user=agent)
    assert service.attempt_delivery(d.pk) == "delivered"
    assert service.attempt_delivery(d.pk) == "delivered"  # a redelivered task message sends nothing
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == [f"{n.customer.customer_id.lower()}@example.invalid"]
    assert email.subject == n.subject and email.body.startswith(n.body)
    html, mime = email.alternatives[0]
    assert mime == "text/html" and "/t/o/" in html and "/t/c/" in html
    assert "List-Unsubscribe" not in email.extra_headers  # a service message is not marketing
    d.refresh_from_db()
    assert (d.status, d.attempts, d.provider) == ("delivered", 1, "email")
    assert d.provider_message_id and d.delivered_at
    assert kinds(n) == ["send_requested", "sent", "delivered"]


def test_marketing_email_has_one_click_unsubscribe_headers(agent):
    n = approved(user=agent, kind="marketing", situation="tariff_value")
    service.attempt_delivery(service.queue_delivery(n, user=agent).pk)
    headers = mail.outbox[0].extra_headers
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert headers["List-Unsubscribe"].startswith("<http") and "/u/" in headers["List-Unsubscribe"]
    assert "Unsubscribe from marketing emails: http" in mail.outbox[0].body


def test_a_draft_with_html_is_escaped_in_the_html_part(agent):
    n = approved(user=agent, body="Hello <script>alert(1)</script> there")
    service.attempt_delivery(service.queue_delivery(n, user=agent).pk)
    html = mail.outbox[0].alternatives[0][0]
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_sms_goes_to_the_outbox_with_a_placeholder_number(agent, outbox):
    n = approved(user=agent, channel="SMS", subject="")
    d = service.queue_delivery(n, user=agent)
    assert service.attempt_delivery(d.pk, now=dt.datetime(2026, 11, 24, 12, 0, tzinfo=LONDON)) == "delivered"
    files = list((outbox / "sms").glob("*.json"))
    assert len(files) == 1
    record = json.loads(files[0].read_text())
    assert record["to"].startswith("+447700900") and record["body"] == n.body


def test_opted_out_marketing_is_refused_at_send_even_if_the_draft_exists(agent):
    n = approved(user=agent, kind="marketing", situation="tariff_value")
    n.customer.opted_in = False
    n.customer.save()
    d = service.queue_delivery(n, user=agent)
    assert service.attempt_delivery(d.pk) == "suppressed"
    d.refresh_from_db()
    assert d.permanent and d.last_error.startswith("Marketing message refused: Opted_In=No")
    assert mail.outbox == [] and kinds(n)[-1] == "suppressed"


def test_a_later_unsubscribe_interaction_refuses_marketing(agent):
    n = approved(user=agent, kind="marketing", situation="tariff_value")
    InteractionFactory(customer=n.customer, interaction_type="Unsubscribe", occurred_at=timezone.now())
    assert service.attempt_delivery(service.queue_delivery(n, user=agent).pk) == "suppressed"


def test_the_ledger_withdrawal_refuses_marketing_but_not_service(agent):
    marketing = approved(user=agent, kind="marketing", situation="tariff_value")
    ConsentChange.objects.create(
        customer=marketing.customer, marketing_consent=False, source="unsubscribe_link", occurred_at=timezone.now()
    )
    d = service.queue_delivery(marketing, user=agent)
    assert service.attempt_delivery(d.pk) == "suppressed"
    assert "withdrawn (Unsubscribe link)" in Delivery.objects.get(pk=d.pk).last_error
    service_msg = approved(user=agent, kind="service", channel="SMS", subject="")
    ConsentChange.objects.create(
        customer=service_msg.customer, marketing_consent=False, source="agent", occurred_at=timezone.now()
    )
    noon = dt.datetime(2026, 11, 24, 12, 0, tzinfo=LONDON)
    assert service.attempt_delivery(service.queue_delivery(service_msg).pk, now=noon) == "delivered"


def test_the_frequency_cap_refuses_and_names_itself(agent):
    earlier = approved(user=agent, now=timezone.now() - dt.timedelta(days=1))
    n = approved(user=agent, customer=earlier.customer)
    d = service.queue_delivery(n, user=agent)
    assert service.attempt_delivery(d.pk) == "suppressed"
    assert (
        "Contact policy “Frequency cap”: 1 Email message in the last 7 days" in Delivery.objects.get(pk=d.pk).last_error
    )


def test_account_status_refuses_even_a_service_message(agent):
    n = approved(user=agent, status="Closed")
    assert service.attempt_delivery(service.queue_delivery(n).pk) == "suppressed"
    assert Delivery.objects.get(notification=n).last_error.startswith("Contact policy “Account status”:")


def test_quiet_hours_hold_then_release_at_eight(agent, outbox, enqueued, django_capture_on_commit_callbacks):
    n = approved(user=agent, channel="SMS", subject="", original_subject="")
    late = dt.datetime(2026, 11, 24, 22, 30, tzinfo=LONDON)
    with django_capture_on_commit_callbacks(execute=True):
        d = service.queue_delivery(n, user=agent, now=late)
    assert service.attempt_delivery(d.pk, now=late) == "held"
    d.refresh_from_db()
    assert timezone.localtime(d.held_until) == dt.datetime(2026, 11, 25, 8, 0, tzinfo=LONDON)
    assert not (outbox / "sms").exists()
    with django_capture_on_commit_callbacks(execute=True):
        assert service.release_held(now=dt.datetime(2026, 11, 25, 7, 59, tzinfo=LONDON)) == 0
        assert service.release_held(now=dt.datetime(2026, 11, 25, 8, 0, tzinfo=LONDON)) == 1
    assert enqueued == [d.pk, d.pk]  # once when approved, once when released
    assert service.attempt_delivery(d.pk, now=dt.datetime(2026, 11, 25, 8, 0, 5, tzinfo=LONDON)) == "delivered"
    assert len(list((outbox / "sms").glob("*.json"))) == 1
    assert kinds(n) == ["send_requested", "held", "sent", "delivered"]


def test_email_is_not_subject_to_quiet_hours(agent):
    late = dt.datetime(2026, 11, 24, 22, 30, tzinfo=LONDON)
    n = approved(user=agent, now=late)
    assert service.attempt_delivery(service.queue_delivery(n, now=late).pk, now=late) == "delivered"


class _Flaky:
    name = "flaky"
    confirms_delivery = False

    def __init__(self, error):
        self.error = error

    def send(self, message):
        raise self.error


def test_a_transient_error_requeues_then_fails_visibly_on_the_last_attempt(agent, monkeypatch):
    monkeypatch.setattr(service, "get_backend", lambda channel: _Flaky(TransientDeliveryError("SMTP 421")))
    n = approved(user=agent)
    d = service.queue_delivery(n)
    with pytest.raises(TransientDeliveryError):
        service.attempt_delivery(d.pk)
    d.refresh_from_db()
    assert (d.status, d.attempts, d.last_error) == ("queued", 1, "SMTP 421")
    assert service.attempt_delivery(d.pk, final_attempt=True) == "failed"
    d.refresh_from_db()
    assert d.status == "failed" and not d.permanent and "SMTP 421" in d.last_error and d.retryable


def test_an_agent_can_retry_a_failed_send(agent, monkeypatch, enqueued, django_capture_on_commit_callbacks):
    monkeypatch.setattr(service, "get_backend", lambda channel: _Flaky(TransientDeliveryError("timeout")))
    n = approved(user=agent)
    d = service.queue_delivery(n)
    service.attempt_delivery(d.pk, final_attempt=True)
    monkeypatch.setattr(service, "get_backend", get_backend)  # the provider is back
    with django_capture_on_commit_callbacks(execute=True):
        service.retry_delivery(Delivery.objects.get(pk=d.pk), user=agent)
    assert enqueued == [d.pk]
    assert service.attempt_delivery(d.pk) == "delivered" and len(mail.outbox) == 1
    with pytest.raises(service.DeliveryActionError):
        service.retry_delivery(Delivery.objects.get(pk=d.pk), user=agent)  # delivered: nothing to retry


def test_a_permanent_error_is_not_retried_and_marks_the_address_bad(agent, monkeypatch):
    error = PermanentDeliveryError("Recipient refused", code="recipient_refused")
    monkeypatch.setattr(service, "get_backend", lambda channel: _Flaky(error))
    n = approved(user=agent)
    d = service.queue_delivery(n)
    assert service.attempt_delivery(d.pk) == "failed"
    d.refresh_from_db()
    assert d.permanent and not d.retryable
    assert CustomerContact.objects.get(customer=n.customer).email_bad
    with pytest.raises(service.DeliveryActionError, match="permanent"):
        service.retry_delivery(d, user=agent)


def test_a_bounce_marks_the_address_bad_and_later_sends_stop(agent):
    n = approved(user=agent, now=timezone.now() - dt.timedelta(days=10))
    d = service.queue_delivery(n)
    service.attempt_delivery(d.pk)
    service.mark_bounced(Delivery.objects.get(pk=d.pk), reason="550 mailbox unavailable")
    d.refresh_from_db()
    assert d.status == "bounced" and d.permanent
    contact = CustomerContact.objects.get(customer=n.customer)
    assert contact.email_bad and "550" in contact.bad_reason
    assert NotificationHistory.objects.get(notification_id=f"SNE-{n.pk}").delivery_status == "Bounced"
    later = approved(user=agent, customer=n.customer)
    d2 = service.queue_delivery(later)
    assert service.attempt_delivery(d2.pk) == "failed"
    d2.refresh_from_db()
    assert d2.permanent and "marked bad" in d2.last_error
    assert len(mail.outbox) == 1  # only the first message was ever handed to the backend


def test_a_late_bounce_for_an_old_address_leaves_the_new_one_alone(agent):
    n = approved(user=agent, now=timezone.now() - dt.timedelta(days=10))
    d = service.queue_delivery(n)
    service.attempt_delivery(d.pk)
    old = Delivery.objects.get(pk=d.pk).recipient
    CustomerContact.objects.filter(customer=n.customer).update(email="ann.reid@newmail.example", is_placeholder=False)

    service.mark_bounced(Delivery.objects.get(pk=d.pk), reason="550 mailbox unavailable")  # days later

    contact = CustomerContact.objects.get(customer=n.customer)
    assert old != "ann.reid@newmail.example"
    assert (contact.email, contact.email_bad, contact.bad_reason) == ("ann.reid@newmail.example", False, "")
    assert Delivery.objects.get(pk=d.pk).status == "bounced"  # the message itself did bounce


def test_phone_becomes_a_call_task_the_agent_completes(agent, enqueued, django_capture_on_commit_callbacks):
    n = approved(user=agent, channel="Phone", subject="")
    with django_capture_on_commit_callbacks(execute=True):
        d = service.queue_delivery(n, user=agent)
    assert d.status == "call_task" and enqueued == []  # nothing is sent by the system
    d = service.record_call_outcome(d, outcome="voicemail", note="Left a message about the bill", user=agent)
    assert (d.status, d.call_outcome, d.called_by) == ("called", "voicemail", agent)
    assert kinds(n)[-2:] == ["called", "delivered"]
    with pytest.raises(service.DeliveryActionError):
        service.record_call_outcome(d, outcome="reached", note="", user=agent)


def test_sending_records_the_history_row_the_next_analysis_reads(agent):
    n = approved(user=agent, kind="marketing", situation="tariff_value", priority="Medium")
    service.attempt_delivery(service.queue_delivery(n).pk)
    row = NotificationHistory.objects.get(notification_id=f"SNE-{n.pk}")
    assert (row.customer_id, row.channel, row.delivery_status, row.notification_priority) == (
        n.customer_id,
        "Email",
        "Delivered",
        "Medium",
    )
    assert row.notification_type == "Marketing: tariff value" and not row.opened


def test_events_and_the_consent_ledger_are_append_only(agent):
    from notifications.common.models import AppendOnlyError

    n = approved(user=agent)
    service.queue_delivery(n, user=agent)
    event = NotificationEvent.objects.filter(notification=n).first()
    event.source = "tampered"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        NotificationEvent.objects.filter(pk=event.pk).update(source="x")
    change = ConsentChange.objects.create(
        customer=n.customer, marketing_consent=False, source="agent", occurred_at=timezone.now()
    )
    with pytest.raises(AppendOnlyError):
        change.delete()
    with pytest.raises(AppendOnlyError):
        ConsentChange.objects.all().delete()


def test_a_queued_delivery_whose_message_was_lost_is_sent_again(agent, enqueued, django_capture_on_commit_callbacks):
    n = approved(user=agent)
    d = service.queue_delivery(n)  # its task message never reached a worker (no commit callback ran)
    assert enqueued == []
    with django_capture_on_commit_callbacks(execute=True):
        assert service.release_held(now=timezone.now()) == 0
    assert enqueued == []  # a fresh queued row is left to its own message
    with django_capture_on_commit_callbacks(execute=True):
        service.release_held(now=timezone.now() + service.STUCK_AFTER + dt.timedelta(seconds=1))
    assert enqueued == [d.pk]


def test_the_worker_finds_the_delivery_tasks():
    """In a fresh process (this one has imported the tasks already), as a worker starting up would."""
    import subprocess
    import sys

    code = (
        "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'notification_engine.settings');"
        "django.setup(); from notification_engine.celery import app; app.loader.import_default_modules();"
        "print(sorted(t for t in app.tasks if t.startswith('notifications.delivery')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True).stdout
    assert "notifications.delivery.tasks.deliver" in out and "notifications.delivery.tasks.release_held" in out


def test_the_release_runs_every_minute_from_the_beat_schedule():
    from django_celery_beat.models import PeriodicTask

    task = PeriodicTask.objects.get(task="notifications.delivery.tasks.release_held")
    assert task.enabled and (task.interval.every, task.interval.period) == (1, "minutes")


def test_a_broker_outage_does_not_break_the_send(agent, monkeypatch, django_capture_on_commit_callbacks):
    from notifications.delivery import tasks

    def broker_down(pk):
        raise ConnectionError("broker unreachable")

    monkeypatch.setattr(tasks.deliver, "delay", broker_down)
    n = approved(user=agent)
    with django_capture_on_commit_callbacks(execute=True):
        d = service.queue_delivery(n, user=agent)
    assert Delivery.objects.get(pk=d.pk).status == "queued"  # kept, and swept up by release_held later


def test_app_push_goes_to_the_outbox_with_a_placeholder_endpoint(agent, outbox):
    n = approved(user=agent, channel="App Push", subject="", original_subject="")
    noon = dt.datetime(2026, 11, 24, 12, 0, tzinfo=LONDON)
    assert service.attempt_delivery(service.queue_delivery(n).pk, now=noon) == "delivered"
    record = json.loads(next((outbox / "push").glob("*.json")).read_text())
    assert record["to"].startswith("arn:aws:sns:") and ":000000000000:" in record["to"]
    assert CustomerContact.objects.get(customer=n.customer).is_placeholder


def test_the_frequency_cap_counts_our_own_message_once_not_twice(agent):
    """A sent message is both a queue item and a history row (SNE-<pk>): the cap must count it once."""
    from notifications.contact_rules.models import ContactPolicy
    from notifications.contact_rules.services.policies import check_send_allowed

    ContactPolicy.objects.update_or_create(
        rule="frequency_cap",
        defaults={
            "enabled": True,
            "parameters": {
                "marketing_max": 2,
                "marketing_window_days": 7,
                "per_channel_max": 2,
                "channel_window_days": 7,
            },
        },
    )
    first = approved(user=agent, kind="marketing", situation="tariff_value", now=timezone.now() - dt.timedelta(days=1))
    service.attempt_delivery(service.queue_delivery(first).pk)
    assert NotificationHistory.objects.filter(notification_id=f"SNE-{first.pk}", delivery_status="Delivered").exists()
    second = approved(user=agent, kind="marketing", situation="tariff_value", customer=first.customer)
    verdict = check_send_allowed(second)
    caps = [r for r in verdict.results if r.policy == "frequency_cap"]
    assert all(r.passed for r in caps), caps  # 1 of 2, not 2 of 2
    assert "1 marketing message in the last 7 days" in caps[0].reason
