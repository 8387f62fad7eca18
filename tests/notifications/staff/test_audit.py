"""The audit trail: append-only, readable diffs, policy and settings changes, searchable in admin."""

from __future__ import annotations

import pytest
from django.urls import reverse

from notifications.common.models import AppendOnlyError
from notifications.common.text_diff import draft_diff, text_diff
from notifications.contact_rules.models import ContactPolicy
from notifications.staff.models import AuditEvent
from notifications.staff.services import record_notification_event, record_staff_action
from tests.factories import NotificationFactory

pytestmark = pytest.mark.django_db


def test_events_are_append_only(supervisor):
    n = NotificationFactory()
    event = record_notification_event(supervisor, "approved", n, summary="Approved version 1")
    assert (event.actor_name, event.customer_ref, event.object_type) == (
        "sue",
        n.customer.customer_id,
        "queue.notification",
    )
    event.summary = "rewritten"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(summary="rewritten")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get().summary == "Approved version 1"


def test_the_admin_cannot_add_change_or_delete_events(as_admin, admin_user):
    event = record_staff_action(admin_user, "imported", None, summary="Import 1 imported")
    assert as_admin.get(reverse("admin:staff_auditevent_add")).status_code == 403
    change = reverse("admin:staff_auditevent_change", args=[event.pk])
    assert as_admin.get(change).status_code == 200  # view only
    assert as_admin.post(change, {"summary": "x"}).status_code == 403
    assert as_admin.post(reverse("admin:staff_auditevent_delete", args=[event.pk]), {"post": "yes"}).status_code == 403
    assert AuditEvent.objects.get().summary == "Import 1 imported"


def test_diffs_are_readable():
    diff = draft_diff(
        "About your bill", "Hello Morag,\nYour bill is ready.", "About your bill", "Hello Morag,\nYour bill is late."
    )
    assert "-Your bill is ready." in diff and "+Your bill is late." in diff
    assert "subject" not in diff  # unchanged subject: no hunk
    assert text_diff("same", "same") == ""


def test_trail_is_searchable_by_customer_and_text(as_supervisor, supervisor):
    a, b = NotificationFactory(), NotificationFactory()
    record_notification_event(supervisor, "approved", a, summary="Approved version 1")
    record_notification_event(supervisor, "dismissed", b, summary="Dismissed: customer vulnerable")
    url = reverse("admin:staff_auditevent_changelist")
    page = as_supervisor.get(url, {"q": a.customer.customer_id}).content.decode()
    assert "Approved version 1" in page and "customer vulnerable" not in page
    page = as_supervisor.get(url, {"q": "vulnerable"}).content.decode()
    assert "customer vulnerable" in page and "Approved version 1" not in page
    page = as_supervisor.get(url, {"action__exact": "dismissed"}).content.decode()
    assert "customer vulnerable" in page


def test_policy_change_is_recorded_with_who_and_a_diff(as_supervisor):
    policy = ContactPolicy.objects.get(rule="frequency_cap")
    url = reverse("admin:contact_rules_contactpolicy_change", args=[policy.pk])
    data = {"enabled": "on", "parameters": '{"marketing_max": 2}', "description": policy.description}
    response = as_supervisor.post(url, data)
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="policy_changed")
    assert event.actor_name == "sue"
    assert event.detail["after"]["parameters"] == {"marketing_max": 2}
    assert '+    "marketing_max": 2' in event.diff.splitlines()
    page = as_supervisor.get(url).content.decode()
    assert "Frequency cap: changed parameters" in page  # the history is on the policy's page


def test_saving_an_unchanged_policy_records_nothing(as_supervisor):
    policy = ContactPolicy.objects.get(rule="cool_down")
    url = reverse("admin:contact_rules_contactpolicy_change", args=[policy.pk])
    import json

    data = {
        "enabled": "on" if policy.enabled else "",
        "parameters": json.dumps(policy.parameters),
        "description": policy.description,
    }
    as_supervisor.post(url, data)
    assert not AuditEvent.objects.exists()


def test_events_outlive_the_user_and_the_draft(agent):
    n = NotificationFactory()
    record_notification_event(agent, "claimed", n, summary="Claimed by agnes")
    agent.delete()
    n.delete()
    event = AuditEvent.objects.get()
    assert (event.actor, event.actor_name, event.object_id) == (None, "agnes", str(n.pk or event.object_id))
