"""The send rules (notifications/delivery/send_rules.py): one set of checks for the confirm panel,
the send action and the delivery worker, for the message's own channel."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from notifications.delivery.send_rules import Stage, evaluate
from notifications.delivery.services import delivery as service
from notifications.delivery.services.sending import SendRefused, send_notification
from notifications.queue.models import Notification
from notifications.queue.services import claims
from notifications.staff.models import AuditEvent
from tests.factories import AccountActivityFactory, NotificationFactory
from tests.notifications.delivery.delivery_helpers import approved

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")
NIGHT = dt.datetime(2026, 11, 24, 22, 30, tzinfo=LONDON)
QUIET = "Quiet hours for SMS and push"  # the policy as supervisors name it


def claimed(user, *, at=None, **kwargs) -> Notification:
    n = NotificationFactory(claimed_by=user, claimed_at=at or timezone.now(), **kwargs)
    AccountActivityFactory(customer=n.customer, account_status="Active")
    return n


def outcomes(rules) -> dict[str, str]:
    return {c.name: c.outcome for c in rules.checks}


def test_a_call_at_night_is_not_held_by_the_sms_quiet_hours(agent):
    call = claimed(agent, at=NIGHT, channel="Phone", subject="", customer__preferred_channel="SMS")
    rules = evaluate(call, stage=Stage.CONFIRM, user=agent, now=NIGHT)
    assert rules.ok and rules.held_until is None
    assert outcomes(rules)[QUIET] == "pass"
    assert [c.message for c in rules.checks if c.name == QUIET] == ["Quiet hours do not apply to Phone"]

    sms = claimed(agent, at=NIGHT, channel="SMS", subject="")
    rules = evaluate(sms, stage=Stage.CONFIRM, user=agent, now=NIGHT)
    assert rules.ok and rules.held_until == dt.datetime(2026, 11, 25, 8, 0, tzinfo=LONDON)
    assert outcomes(rules)[QUIET] == "hold"  # shown as "Will be held until 08:00", not as a failure


def test_an_sms_over_two_segments_is_refused_at_send(agent):
    body = "Hello, your account needs attention. " + "Please call us about your bill “today”. " * 9  # UCS-2 quotes
    n = claimed(agent, channel="SMS", subject="", body=body, original_body=body)
    with pytest.raises(SendRefused) as refused:
        send_notification(n, user=agent, expected_version=1)
    # Also a style warning (the curly quotes switch it to UCS-2), but the length alone refuses it.
    assert refused.value.codes == ["undeliverable", "style_not_acknowledged"]
    too_long = refused.value.reasons[0]
    assert too_long.startswith("Too long for SMS:") and "the limit is 2 segments (134 characters)" in too_long
    assert Notification.objects.get(pk=n.pk).status == "waiting"


def test_an_invented_amount_blocks_until_fixed(agent):
    body = "Hello, we can refund £480 to your account this week. The Customer Care team"
    n = claimed(agent, body=body, original_body=body)
    rules = evaluate(n, stage=Stage.SEND, user=agent)
    assert rules.codes == ["draft_problem"] and "not in the customer's data" in rules.reasons[0]


def test_style_warnings_need_an_acknowledgement_which_goes_on_the_trail(agent):
    body = "Hello, we would like to help you organize your payments. The Customer Care team"
    n = claimed(agent, body=body, original_body=body)
    with pytest.raises(SendRefused) as refused:
        send_notification(n, user=agent, expected_version=1)
    assert refused.value.codes == ["style_not_acknowledged"] and "organise" in refused.value.reasons[0]
    send_notification(n, user=agent, expected_version=1, acknowledged_style=True)
    requested = n.events.get(kind="send_requested")
    assert (
        requested.user == agent
        and "American spelling: use 'organise'." in requested.metadata["acknowledged_warnings"][0]
    )
    # The staff audit trail too, in the summary a supervisor reads on the draft's admin page.
    sent = AuditEvent.objects.get(action="sent", object_id=str(n.pk))
    assert sent.summary == (
        "Sent by Alex Agent on Email; style warnings acknowledged: American spelling: use 'organise'. (“organize”)"
    )


def test_marketing_consent_is_not_a_check_on_a_service_message(agent):
    n = claimed(agent, kind="service", customer__opted_in=False)
    assert "Marketing consent" not in outcomes(evaluate(n, stage=Stage.CONFIRM, user=agent))
    m = claimed(agent, kind="marketing", customer__opted_in=False)
    rules = evaluate(m, stage=Stage.CONFIRM, user=agent)
    assert outcomes(rules)["Marketing consent"] == "fail" and "no_marketing_consent" in rules.codes


def test_a_line_break_in_a_subject_is_refused_when_saved(agent):
    n = claimed(agent)
    with pytest.raises(claims.QueueActionError) as refused:
        claims.edit_draft(n, user=agent, subject="Hello\r\nBcc: x@example.org", body=n.body, expected_version=1)
    assert refused.value.status_code == 422 and "one line" in refused.value.message
    assert Notification.objects.get(pk=n.pk).version == 1  # nothing saved


def test_a_failed_delivery_shows_as_failed_and_a_retry_sends_it_again(agent, client):
    n = approved(user=agent)
    d = service.queue_delivery(n)
    service._fail(d, n, "SMTP 451: try later", timezone.now(), permanent=False)
    n.refresh_from_db()
    assert n.status == "failed"
    client.force_login(agent)
    html = client.get(f"/cards/{n.pk}/").content.decode()
    assert "Not delivered: failed after the send by Email" in html and "SMTP 451: try later" in html
    service.retry_delivery(d, user=agent)
    n.refresh_from_db()
    assert n.status == "sent"
    assert list(n.events.values_list("kind", flat=True)) == ["send_requested", "failed", "send_requested"]


def test_a_late_receipt_settles_only_an_outcome_unknown_failure():
    permanent = service.queue_delivery(approved())
    service._fail(permanent, permanent.notification, "550 user unknown", timezone.now(), permanent=True)
    assert service.mark_delivered(permanent).status == "failed"  # a real failure is never "delivered"

    unknown = service.queue_delivery(approved())
    service._fail(unknown, unknown.notification, "Outcome unknown: the worker stopped", timezone.now(), permanent=False)
    service.mark_delivered(unknown)
    unknown.refresh_from_db()
    unknown.notification.refresh_from_db()
    assert (unknown.status, unknown.notification.status) == ("delivered", "sent")


def test_the_worker_refuses_what_changed_since_the_send_with_the_same_wording(agent):
    n = approved(kind="marketing", customer__opted_in=False)
    d = service.queue_delivery(n)
    assert service.attempt_delivery(d.pk) == "suppressed"
    d.refresh_from_db()
    n.refresh_from_db()
    assert d.last_error == (
        "Marketing message refused: Opted_In=No: the customer has not agreed to marketing. "
        "Only a service message may be sent."
    )
    assert n.status == "failed"
    assert n.events.get(kind="suppressed").metadata["codes"] == ["no_marketing_consent"]
