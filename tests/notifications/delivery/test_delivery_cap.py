"""The frequency cap counts messages that reached the customer or are on their way, not ones that never did."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from notifications.contact_rules.services.policies import check_send_allowed, evaluate_policies
from notifications.delivery.services import delivery as service
from notifications.queue.models import Delivery
from tests.notifications.delivery.delivery_helpers import approved

pytestmark = pytest.mark.django_db
NOON = dt.datetime(2026, 11, 24, 12, 0, tzinfo=ZoneInfo("Europe/London"))  # outside quiet hours


@pytest.fixture(autouse=True)
def outbox(settings, tmp_path):
    settings.OUTBOX_DIR = str(tmp_path)
    settings.SMS_BACKEND = settings.PUSH_BACKEND = "outbox"


def earlier_marketing(status: str, *, channel: str = "Email", last_error: str = "") -> Delivery:
    """A marketing message sent yesterday whose delivery ended in `status` (default caps: 1 a week)."""
    n = approved(
        kind="marketing", situation="tariff_value", channel=channel, now=NOON - dt.timedelta(days=1), subject=""
    )
    d = service.queue_delivery(n)
    Delivery.objects.filter(pk=d.pk).update(
        status=status, last_error=last_error, held_until=NOON if status == "held" else None
    )
    return Delivery.objects.get(pk=d.pk)


def marketing_cap(n) -> bool:
    verdict = check_send_allowed(n, now=NOON)
    return next(r for r in verdict.results if r.policy == "frequency_cap" and "marketing message" in r.reason).passed


@pytest.mark.parametrize(
    ("status", "last_error"),
    [
        ("failed", "SNS Throttling: Rate exceeded"),
        ("bounced", "550 user unknown"),
        ("suppressed", "Consent: withdrawn"),
    ],
)
def test_a_message_that_never_reached_the_customer_does_not_use_up_the_cap(status, last_error):
    before = earlier_marketing(status, last_error=last_error)
    n = approved(kind="marketing", situation="tariff_value", customer=before.notification.customer, now=NOON)
    assert marketing_cap(n)
    assert service.attempt_delivery(service.queue_delivery(n).pk, now=NOON) == "delivered"


@pytest.mark.parametrize(
    ("status", "channel"),
    [
        ("queued", "Email"),
        ("held", "SMS"),
        ("sending", "Email"),
        ("sent", "SMS"),
        ("delivered", "Email"),
        ("call_task", "Phone"),
        ("called", "Phone"),
    ],
)
def test_a_message_on_its_way_or_delivered_counts(status, channel):
    before = earlier_marketing(status, channel=channel)
    n = approved(kind="marketing", situation="tariff_value", customer=before.notification.customer, now=NOON)
    assert not marketing_cap(n)
    d = service.queue_delivery(n)
    assert service.attempt_delivery(d.pk, now=NOON) == "suppressed"
    assert (
        "Marketing not allowed by “Frequency cap”: 1 marketing message in the last 7 days"
        in Delivery.objects.get(pk=d.pk).last_error
    )


def test_a_send_whose_outcome_is_unknown_still_counts():
    """The worker died after handing it to the provider: it may well have arrived, so it is not refunded."""
    before = earlier_marketing("sending")
    Delivery.objects.filter(pk=before.pk).update(updated_at=timezone.now() - dt.timedelta(hours=1))
    assert service.fail_stale_sending() == [before.pk]
    n = approved(kind="marketing", situation="tariff_value", customer=before.notification.customer, now=NOON)
    assert not marketing_cap(n)


def test_the_per_channel_cap_skips_a_bounce_too():
    before = earlier_marketing("bounced", last_error="550 user unknown")
    n = approved(customer=before.notification.customer, now=NOON)  # a service email: per-channel cap only
    caps = [r for r in check_send_allowed(n, now=NOON).results if r.policy == "frequency_cap"]
    assert all(r.passed for r in caps) and "0 Email messages" in caps[1].reason


def test_the_cap_is_still_one_query_for_many_customers(django_assert_num_queries):
    def customers(count: int) -> list[int]:
        pks = []
        for status in ["failed", "bounced", "delivered", "sending", "suppressed", "held"][:count]:
            pks.append(earlier_marketing(status).notification.customer_id)
        return pks

    few, many = customers(2), customers(6)
    with django_assert_num_queries(7) as baseline:  # five profile queries, the policies, our sent messages
        evaluate_policies(few, now=NOON)
    with django_assert_num_queries(len(baseline.captured_queries)):
        evaluate_policies(many, now=NOON)
