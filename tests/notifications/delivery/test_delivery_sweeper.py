"""A send whose worker died between the claim and the outcome: failed visibly by the sweep, never resent."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from notifications.delivery.services import delivery as service
from notifications.queue.models import Delivery, NotificationEvent
from tests.factories import make_role_user
from tests.notifications.delivery.delivery_helpers import approved

pytestmark = pytest.mark.django_db


class _DiesMidSend:
    """The provider call starts, then the worker process goes (SIGTERM, OOM kill): nothing is recorded."""

    name = "dies"
    confirms_delivery = False

    def __init__(self) -> None:
        self.calls = 0

    def send(self, message):
        self.calls += 1
        raise SystemExit("worker killed")  # not an Exception: attempt_delivery's handlers never see it


@pytest.fixture
def stuck(monkeypatch):
    """A delivery left SENDING by a worker that died after handing it to the provider."""
    backend = _DiesMidSend()
    monkeypatch.setattr(service, "get_backend", lambda channel: backend)
    n = approved()
    d = service.queue_delivery(n)
    with pytest.raises(SystemExit):
        service.attempt_delivery(d.pk)
    d.refresh_from_db()
    assert d.status == "sending" and backend.calls == 1
    d.backend = backend
    return d


def later(settings, extra: dt.timedelta = dt.timedelta(minutes=1)) -> dt.datetime:
    return timezone.now() + settings.DELIVERY_SENDING_STALE_AFTER + extra


def test_a_stale_sending_delivery_becomes_a_visible_retryable_failure(
    stuck, settings, enqueued, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        service.release_held(now=later(settings))  # the every-minute sweep
    d = Delivery.objects.get(pk=stuck.pk)
    assert (d.status, d.permanent, d.retryable) == ("failed", False, True)
    assert d.last_error.startswith("Outcome unknown: the worker stopped after handing this to the provider at ")
    assert "check the provider log before retrying" in d.last_error
    assert enqueued == [] and stuck.backend.calls == 1  # at most once: the sweep never sends it again
    event = NotificationEvent.objects.get(notification_id=d.notification_id, kind="failed")
    assert event.source == "sweeper" and event.metadata["outcome_unknown"] is True
    # The agent sees it on the card, with the Retry button.
    agent = make_role_user("alex", "Agents")
    client.force_login(agent)
    card = client.get(reverse("notifications:card", args=[d.notification_id])).content.decode()
    assert "Outcome unknown" in card and "Retry send" in card


def test_a_fresh_sending_delivery_is_left_alone(stuck, settings, enqueued, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        service.release_held(now=timezone.now() + settings.DELIVERY_SENDING_STALE_AFTER - dt.timedelta(minutes=1))
    d = Delivery.objects.get(pk=stuck.pk)
    assert d.status == "sending" and d.last_error == ""
    assert not NotificationEvent.objects.filter(notification_id=d.notification_id, kind="failed").exists()
    assert enqueued == []


def test_the_threshold_is_a_setting(stuck, settings):
    settings.DELIVERY_SENDING_STALE_AFTER = dt.timedelta(minutes=2)
    assert service.fail_stale_sending(now=timezone.now() + dt.timedelta(minutes=1)) == []
    assert service.fail_stale_sending(now=timezone.now() + dt.timedelta(minutes=3)) == [stuck.pk]


def test_sweeping_twice_records_one_failure(stuck, settings):
    service.release_held(now=later(settings))
    service.release_held(now=later(settings, dt.timedelta(minutes=5)))
    assert NotificationEvent.objects.filter(notification_id=stuck.notification_id, kind="failed").count() == 1


def test_an_agent_can_retry_it_after_checking_the_provider_log(
    stuck, settings, enqueued, monkeypatch, django_capture_on_commit_callbacks
):
    from notifications.delivery.backends import get_backend

    service.release_held(now=later(settings))
    monkeypatch.setattr(service, "get_backend", get_backend)  # a healthy worker this time
    agent = make_role_user("alex", "Agents")
    with django_capture_on_commit_callbacks(execute=True):
        service.retry_delivery(Delivery.objects.get(pk=stuck.pk), user=agent)
    assert enqueued == [stuck.pk]
    assert service.attempt_delivery(stuck.pk) == "delivered"


def test_other_states_are_not_swept(settings):
    n = approved()
    d = service.queue_delivery(n)
    long_ago = timezone.now() - dt.timedelta(days=1)
    for status in ("queued", "sent", "delivered", "call_task"):
        Delivery.objects.filter(pk=d.pk).update(status=status, updated_at=long_ago)
        assert service.fail_stale_sending() == []
        assert Delivery.objects.get(pk=d.pk).status == status
