"""send_notification: every rule re-checked at send time, and one send however many clicks."""

import datetime as dt
import threading
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.utils import timezone

from notifications.delivery.send_rules import Stage, evaluate
from notifications.delivery.services.sending import SendRefused, send_notification
from notifications.queue.models import Notification
from tests.factories import AccountActivityFactory, NotificationFactory, make_role_user

LONDON = ZoneInfo("Europe/London")


def claimed(user, status="Active", **kwargs) -> Notification:
    n = NotificationFactory(claimed_by=user, claimed_at=timezone.now(), **kwargs)
    AccountActivityFactory(customer=n.customer, account_status=status)
    return n


def test_send_records_who_when_and_releases_the_claim(agent):
    n = claimed(agent)
    now = timezone.now()
    sent = send_notification(n, user=agent, expected_version=1, now=now)
    assert (sent.status, sent.sent_at, sent.sent_by, sent.claimed_by) == ("sent", now, agent, None)
    assert Notification.objects.get(pk=n.pk).body == n.body  # what went is what the row keeps


def test_a_policy_refusal_names_the_policy(agent):
    n = claimed(agent, status="Closed")
    with pytest.raises(SendRefused) as refused:
        send_notification(n, user=agent, expected_version=1)
    assert any("Account status" in reason for reason in refused.value.reasons)
    assert Notification.objects.get(pk=n.pk).status == "waiting"


def test_quiet_hours_hold_sms_with_the_time_it_may_go(agent):
    n = claimed(agent, channel="SMS", subject="", original_subject="")
    late = dt.datetime(2026, 11, 24, 22, 30, tzinfo=LONDON)
    n.claimed_at = late
    check = evaluate(n, stage=Stage.SEND, user=agent, now=late)
    # A delay, not a refusal: the send goes ahead and the delivery is held until 08:00 (issue 6).
    assert check.ok and check.held_until is not None
    holds = [c.message for c in check.checks if c.outcome == "hold"]
    assert len(holds) == 1 and holds[0].startswith("Will be held until 08:00 on 25 Nov")
    midday = dt.datetime(2026, 11, 24, 12, 0, tzinfo=LONDON)
    n.claimed_at = midday  # a claim lasts 30 minutes: take it when sending
    assert evaluate(n, stage=Stage.SEND, user=agent, now=midday).ok


def test_email_needs_a_subject(agent):
    n = claimed(agent, subject="  ")
    assert "An email needs a subject." in evaluate(n, stage=Stage.SEND, user=agent).reasons


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="row locks (SELECT … FOR UPDATE) are what this proves; SQLite serialises writers anyway",
)
@pytest.mark.django_db(transaction=True)
def test_concurrent_sends_send_once():
    agent = make_role_user("alex", "Agents")
    n = claimed(agent)
    results: list[str] = []
    barrier = threading.Barrier(4)

    def press_send() -> None:
        barrier.wait()
        try:
            send_notification(Notification.objects.get(pk=n.pk), user=agent, expected_version=1)
            results.append("sent")
        except SendRefused as exc:
            results.append(exc.message)
        finally:
            connection.close()

    threads = [threading.Thread(target=press_send) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results.count("sent") == 1
    assert all(r.startswith("Already sent") for r in results if r != "sent")
