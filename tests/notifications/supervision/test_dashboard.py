"""The supervisor dashboard: queue by priority and age, throughput today, oldest High, results funnel."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from notifications.queue.models import Notification
from notifications.supervision.selectors.dashboard import dashboard
from tests.factories import NotificationFactory, NotificationHistoryFactory, make_role_user

pytestmark = pytest.mark.django_db


def aged(hours: float, **kwargs) -> Notification:
    n = NotificationFactory(**kwargs)
    Notification.objects.filter(pk=n.pk).update(created_at=timezone.now() - dt.timedelta(hours=hours))
    return n


def test_figures():
    now = timezone.now()
    aged(0.5, priority="High")
    oldest = aged(30, priority="High")
    aged(5, priority="Medium")
    aged(100, priority="Low")
    aged(2, priority="High", status="dismissed")  # not in the queue
    agent = make_role_user("agnes", "Agents")
    for _ in range(2):
        NotificationFactory(status="sent", sent_at=now, sent_by=agent)
    NotificationFactory(status="sent", sent_at=now - dt.timedelta(days=2), sent_by=agent)  # not today
    NotificationHistoryFactory(opened=True, clicked=True, action_taken="Paid bill")
    NotificationHistoryFactory(opened=False, clicked=False, delivery_status="Bounced")

    d = dashboard(now)
    assert d.queue["High"] == [1, 0, 0, 1, 0]
    assert d.queue["Medium"] == [0, 0, 1, 0, 0]
    assert d.queue["Low"] == [0, 0, 0, 0, 1]
    assert d.queue_totals == {"High": 2, "Medium": 1, "Low": 1}
    assert d.throughput == [("agnes", 2)]
    assert d.oldest_high.pk == oldest.pk
    funnel = dict(d.funnel)
    assert funnel["sent"] >= 2 and funnel["opened"] >= 1 and funnel["actioned"] >= 1


def test_dashboard_page_is_staff_only_and_cheap(as_supervisor, client, django_assert_max_num_queries):
    for hours in (1, 10, 50):
        aged(hours, priority="High")
    with django_assert_max_num_queries(15):
        page = as_supervisor.get(reverse("control:dashboard"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Oldest waiting High priority" in html and "Results funnel" in html
    assert '<meta http-equiv="refresh"' in html


def test_the_funnel_stays_on_the_history_until_a_message_has_gone_out():
    from notifications.queue.models import Delivery, NotificationEvent

    NotificationHistoryFactory(opened=True, clicked=False, action_taken="")
    draft = NotificationFactory()
    # The pipeline records a "drafted" event for every draft: that is not a sent message.
    NotificationEvent.objects.create(notification=draft, kind="drafted", occurred_at=timezone.now(), source="worker")
    d = dashboard()
    assert d.funnel_source == "imported notification history" and dict(d.funnel)["sent"] == 1

    Delivery.objects.create(notification=draft, channel="Email", status="sent", sent_at=timezone.now())
    d = dashboard()
    assert d.funnel_source == "our messages" and dict(d.funnel) == {
        "sent": 1,
        "delivered": 0,
        "opened": 0,
        "clicked": 0,
        "actioned": 0,
    }


def test_the_dashboard_and_the_results_page_count_the_same_funnel(agent):
    """One email sent, delivered and clicked (no open: images blocked), one call that reached the customer."""
    from notifications.delivery.services import delivery as service
    from notifications.queue.lifecycle import record_lifecycle_event
    from notifications.supervision.selectors.results import results
    from tests.notifications.delivery.delivery_helpers import approved

    email = approved()
    assert service.attempt_delivery(service.queue_delivery(email).pk) == "delivered"
    record_lifecycle_event(email, "clicked", source="tracking_link")
    call = service.queue_delivery(approved(channel="Phone", subject=""))
    service.record_call_outcome(call, outcome="reached", note="Talked it through", user=agent)

    expected = {"sent": 2, "delivered": 2, "opened": 1, "clicked": 1, "actioned": 0}
    assert dict(dashboard().funnel) == expected  # not "Sent 1, Delivered 2 (200%)"
    assert results(weeks=4).total.counts == expected
