"""The audit tables are append-only in the database itself; only an erasure may delete from them.

Raw SQL through `connection.cursor()` bypasses the models' own refusals, so these tests go through it.
Run on SQLite by default and on PostgreSQL with DATABASE_URL (the triggers differ per vendor).
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from customers.models import Customer
from notifications.common.append_only import FLAG_TABLE, set_erasure_flag
from notifications.contact_rules.models import ConsentChange
from notifications.queue.models import Notification, NotificationEvent
from notifications.staff.models import AuditEvent
from notifications.staff.services import record_notification_event, record_staff_action
from notifications.supervision.services.erasure import allow_erasure, erase_customer
from tests.factories import NotificationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def trail(agent):
    """One row in each append-only table, about one customer's draft."""
    n = NotificationFactory()
    audit = record_notification_event(agent, "claimed", n, summary="Claimed by agnes")
    event = NotificationEvent.objects.create(notification=n, kind="drafted", occurred_at=timezone.now(), source="t")
    consent = ConsentChange.objects.create(
        customer=n.customer, marketing_consent=False, source="agent", occurred_at=timezone.now(), notification=n
    )
    return {"notification": n, AuditEvent: audit, NotificationEvent: event, ConsentChange: consent}


TEXT_COLUMN = {AuditEvent: "summary", NotificationEvent: "source", ConsentChange: "channel"}


def raw(sql: str, params: list) -> None:
    # A savepoint of its own: on PostgreSQL a refused statement aborts the transaction around it.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.mark.parametrize("model", [AuditEvent, NotificationEvent, ConsentChange], ids=lambda m: m.__name__)
def test_raw_sql_cannot_update_or_delete_a_row(trail, model):
    row, table, column = trail[model], model._meta.db_table, TEXT_COLUMN[model]
    before = model._base_manager.filter(pk=row.pk).values_list(column, flat=True).get()
    with pytest.raises(DatabaseError, match="append-only"):
        raw(f"UPDATE {table} SET {column} = %s WHERE id = %s", ["rewritten", row.pk])
    with pytest.raises(DatabaseError, match="append-only"):
        raw(f"DELETE FROM {table} WHERE id = %s", [row.pk])
    assert model._base_manager.filter(pk=row.pk).values_list(column, flat=True).get() == before


def test_the_flag_lets_a_delete_through_but_never_an_update(trail):
    audit = trail[AuditEvent]
    with allow_erasure():
        with pytest.raises(DatabaseError, match="append-only"):
            raw("UPDATE staff_auditevent SET summary = %s WHERE id = %s", ["rewritten", audit.pk])
        raw("DELETE FROM staff_auditevent WHERE id = %s", [audit.pk])
    assert not AuditEvent.objects.filter(pk=audit.pk).exists()
    # The flag ended with the block: the next delete is refused again.
    event = trail[NotificationEvent]
    with pytest.raises(DatabaseError, match="append-only"):
        raw("DELETE FROM queue_notificationevent WHERE id = %s", [event.pk])


def test_the_flag_cannot_be_set_outside_a_transaction():
    # In autocommit the SQLite flag row would stay committed: refused before any SQL is sent.
    autocommit = SimpleNamespace(in_atomic_block=False, vendor=connection.vendor)
    with pytest.raises(RuntimeError, match="atomic"):
        set_erasure_flag(autocommit, True)


def test_an_actor_cannot_be_swapped_but_a_deleted_user_is_set_to_null(trail, agent, supervisor):
    audit, event, consent = trail[AuditEvent], trail[NotificationEvent], trail[ConsentChange]
    with pytest.raises(DatabaseError, match="append-only"):
        raw("UPDATE staff_auditevent SET actor_id = %s WHERE id = %s", [supervisor.pk, audit.pk])
    NotificationEvent.objects.create(
        notification=trail["notification"], kind="edited", occurred_at=timezone.now(), source="agent", user=agent
    )
    agent.delete()  # on_delete=SET_NULL: the one UPDATE the triggers allow
    audit = AuditEvent.objects.get(pk=audit.pk)
    assert (audit.actor_id, audit.actor_name, audit.summary) == (None, "agnes", "Claimed by agnes")
    assert not NotificationEvent.objects.filter(user__isnull=False).exists()
    assert ConsentChange.objects.get(pk=consent.pk).source == "agent"
    assert NotificationEvent.objects.filter(pk=event.pk).exists()


def test_a_draft_with_an_event_trail_cannot_be_deleted_on_its_own(trail):
    n = trail["notification"]
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        n.delete()
    assert Notification.objects.filter(pk=n.pk).exists()


def test_erasure_removes_the_customer_and_its_trail_and_records_that_it_happened(trail, admin_user):
    n = trail["notification"]
    other = NotificationFactory()
    kept = NotificationEvent.objects.create(notification=other, kind="drafted", occurred_at=timezone.now(), source="t")
    unrelated = record_staff_action(admin_user, "imported", None, summary="Import 1 imported")
    ref = n.customer.customer_id

    outcome = erase_customer(n.customer, user=admin_user)

    assert not Customer.objects.filter(customer_id=ref).exists()
    assert not Notification.objects.filter(pk=n.pk).exists()
    assert not NotificationEvent.objects.filter(notification_id=n.pk).exists()
    assert not ConsentChange.objects.filter(pk=trail[ConsentChange].pk).exists()
    assert list(AuditEvent.objects.filter(customer_ref=ref).values_list("action", flat=True)) == ["erased"]
    erased = AuditEvent.objects.get(action="erased")
    assert erased.actor_name == "ada" and erased.detail["deleted"]["staff.AuditEvent"] == 1
    assert outcome.rows_deleted["queue.NotificationEvent"] == 1
    # Nobody else's rows went, and the tables are append-only again afterwards (no flag left behind,
    # which on SQLite would be a committed row in sne_erasure_flag).
    assert NotificationEvent.objects.filter(pk=kept.pk).exists() and AuditEvent.objects.filter(pk=unrelated.pk).exists()
    with pytest.raises(DatabaseError, match="append-only"):
        raw("DELETE FROM queue_notificationevent WHERE id = %s", [kept.pk])
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {FLAG_TABLE}")
            assert cursor.fetchone() == (0,)


def test_deleting_a_customer_any_other_way_still_cascades_through_the_triggers(trail):
    # e.g. from a shell or a data fix: the Customer delete itself switches the flag on for its transaction.
    customer = trail["notification"].customer
    customer.delete()
    assert not Customer.objects.filter(pk=customer.pk).exists()
    assert not NotificationEvent.objects.exists() and not ConsentChange.objects.exists()
    with pytest.raises(DatabaseError, match="append-only"):
        raw("DELETE FROM staff_auditevent WHERE id = %s", [trail[AuditEvent].pk])
