"""The Delivery admin: supervisors find failed and stuck sends and retry the retryable ones in bulk."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from notifications.delivery.services import delivery as service
from notifications.queue.models import Delivery, NotificationEvent
from tests.notifications.delivery.delivery_helpers import approved

pytestmark = pytest.mark.django_db
CHANGELIST = "admin:queue_delivery_changelist"


def delivery(status: str, *, permanent: bool = False, last_error: str = "", age: dt.timedelta | None = None):
    d = service.queue_delivery(approved())
    fields = {"status": status, "permanent": permanent, "last_error": last_error}
    if age is not None:
        fields["updated_at"] = timezone.now() - age
    Delivery.objects.filter(pk=d.pk).update(**fields)
    return Delivery.objects.get(pk=d.pk)


def act(client, action: str, rows):
    data = {"action": action, "_selected_action": [d.pk for d in rows]}
    return client.post(reverse(CHANGELIST), data, follow=True)


def test_retry_selected_requeues_only_retryable_failures(
    as_supervisor, supervisor, enqueued, django_capture_on_commit_callbacks
):
    retryable = delivery("failed", last_error="SNS Throttling: Rate exceeded")
    permanent = delivery("failed", permanent=True, last_error="Invalid number")
    delivered = delivery("delivered")
    with django_capture_on_commit_callbacks(execute=True):
        response = act(as_supervisor, "retry_selected", [retryable, permanent, delivered])
    assert response.status_code == 200
    page = response.content.decode()
    assert "Retrying 1 failed delivery(ies)." in page
    assert "Skipped 1 permanent failure(s), which are never retried and 1 not failed." in page
    statuses = dict(Delivery.objects.values_list("pk", "status"))
    assert statuses == {retryable.pk: "queued", permanent.pk: "failed", delivered.pk: "delivered"}
    assert enqueued == [retryable.pk]  # one new send, after commit
    retry = NotificationEvent.objects.get(notification_id=retryable.notification_id, source="agent_retry")
    assert retry.user == supervisor


def test_the_action_is_offered_to_supervisors(as_supervisor):
    delivery("failed", last_error="timeout")  # an empty list offers no actions at all
    page = as_supervisor.get(reverse(CHANGELIST)).content.decode()
    assert "Retry selected failed deliveries" in page


def test_a_staff_user_without_the_queue_permission_cannot_retry(client, enqueued):
    from django.contrib.auth.models import Permission, User

    viewer = User.objects.create_user("viewer", password="x", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_delivery"))
    client.force_login(viewer)
    failed = delivery("failed", last_error="timeout")
    assert "Retry selected failed deliveries" not in client.get(reverse(CHANGELIST)).content.decode()
    act(client, "retry_selected", [failed])
    assert Delivery.objects.get(pk=failed.pk).status == "failed" and enqueued == []


def test_the_needs_attention_filter_finds_failed_and_stuck_sends(as_supervisor, settings):
    stale = settings.DELIVERY_SENDING_STALE_AFTER + dt.timedelta(minutes=1)
    retryable = delivery("failed", last_error="timeout")
    unknown = delivery("failed", last_error="Outcome unknown: the worker stopped after handing this…")
    permanent = delivery("failed", permanent=True, last_error="Invalid number")
    stuck_sending = delivery("sending", age=stale)
    stuck_queued = delivery("queued", age=service.STUCK_AFTER + dt.timedelta(minutes=1))
    delivery("sending", age=dt.timedelta(seconds=30))  # in flight now: not stuck
    delivery("delivered", age=stale)

    def listed(value: str) -> set[int]:
        response = as_supervisor.get(reverse(CHANGELIST), {"attention": value})
        assert response.status_code == 200
        return {d.pk for d in response.context["cl"].result_list}

    page = as_supervisor.get(reverse(CHANGELIST)).content.decode()
    assert "By needs attention" in page and "Stuck (queued or sending too long)" in page
    assert listed("retryable") == {retryable.pk, unknown.pk}
    assert listed("outcome_unknown") == {unknown.pk}
    assert listed("permanent") == {permanent.pk}
    assert listed("stuck") == {stuck_sending.pk, stuck_queued.pk}
