"""State machines (TRANSITIONS, lifecycle.move) and the write services' transactions."""

from __future__ import annotations

from unittest import mock

import pytest
from django.db import transaction
from django.utils import timezone

from notifications.queue.lifecycle import move
from notifications.queue.models import Notification
from notifications.queue.services import claims
from notifications.staff.models import AuditEvent
from tests.factories import NotificationFactory, make_role_user

pytestmark = pytest.mark.django_db


def test_a_move_the_table_does_not_allow_changes_nothing_and_records_nothing():
    n = NotificationFactory(status="dismissed", dismissed_at=timezone.now(), dismiss_reason="other")
    assert move(n, "sent", event="sent", source="test", sent_at=timezone.now()) is False
    n.refresh_from_db()
    assert (n.status, n.sent_at, n.events.count()) == ("dismissed", None, 0)


def test_a_stale_object_cannot_move_the_row_back():
    n = NotificationFactory()
    Notification.objects.filter(pk=n.pk).update(status="sent", sent_at=timezone.now())  # another worker sent it
    assert move(n, "dismissed") is False  # n still says "waiting" in memory; the database decides
    assert Notification.objects.get(pk=n.pk).status == "sent"


def test_a_claim_and_its_audit_row_roll_back_together():
    agent = make_role_user("agnes", "Agents")
    n = NotificationFactory()
    with (
        mock.patch.object(claims.audit, "record_claim", side_effect=RuntimeError("audit table unavailable")),
        pytest.raises(RuntimeError),
    ):
        claims.claim(n, user=agent)
    n.refresh_from_db()
    assert (n.claimed_by, AuditEvent.objects.count()) == (None, 0)  # no claim without its audit row


def test_a_write_service_refuses_to_run_inside_someone_elses_transaction():
    agent = make_role_user("agnes", "Agents")
    n = NotificationFactory()
    with pytest.raises(RuntimeError, match="durable"), transaction.atomic():
        claims.claim(n, user=agent)
