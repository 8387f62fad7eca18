"""The workspace's own actions write the audit trail: claim, edit (with a diff), revert, release,
dismiss, snooze and send — whoever does them and through whichever page."""

from __future__ import annotations

import pytest

from notifications.delivery.services import sending
from notifications.queue.models import ApprovalPolicy
from notifications.queue.services import claims as queue
from notifications.staff.models import AuditEvent
from tests.factories import AccountActivityFactory, NotificationFactory

pytestmark = pytest.mark.django_db


def actions(n) -> list[str]:
    return list(
        AuditEvent.objects.filter(object_type="queue.notification", object_id=str(n.pk))
        .order_by("created_at", "id")
        .values_list("action", flat=True)
    )


def test_claim_edit_revert_release(agent, supervisor):
    n = NotificationFactory()
    queue.claim(n, user=agent)
    n = queue.edit_draft(n, user=agent, subject=n.subject, body="Hello,\nNew text.", expected_version=1)
    n = queue.revert_draft(n, user=agent, expected_version=2)
    queue.release(n, user=supervisor)
    assert actions(n) == ["claimed", "edited", "reverted", "released"]
    edit = AuditEvent.objects.get(action="edited")
    assert edit.actor_name == "agnes" and "+New text." in edit.diff and edit.detail["version"] == 2
    assert "sue released agnes's claim" in AuditEvent.objects.get(action="released").summary


def test_dismiss_and_snooze(agent):
    a, b = NotificationFactory(), NotificationFactory()
    queue.dismiss(a, user=agent, reason="vulnerable", note="Recently bereaved")
    queue.snooze(b, user=agent, reason="other", duration="3d")
    d = AuditEvent.objects.get(action="dismissed")
    assert d.summary == "Dismissed: Customer vulnerable" and d.detail["note"] == "Recently bereaved"
    assert AuditEvent.objects.get(action="snoozed").summary.startswith("Snoozed until")


def test_send_records_the_exact_message_and_its_diff(agent):
    n = NotificationFactory()
    AccountActivityFactory(customer=n.customer)  # the account-status policy needs it
    queue.claim(n, user=agent)
    n = queue.edit_draft(n, user=agent, subject=n.subject, body=n.body + "\nKind regards", expected_version=1)
    sending.send_notification(n, user=agent, expected_version=2)
    sent = AuditEvent.objects.get(action="sent")
    assert sent.detail["body"].endswith("Kind regards") and sent.detail["edited"] is True
    assert "+Kind regards" in sent.diff


def test_a_send_needing_approval_is_refused_until_approved(agent, supervisor):
    from notifications.supervision.services import approvals as supervision

    ApprovalPolicy(high_priority=True).save()
    n = NotificationFactory(priority="High")
    AccountActivityFactory(customer=n.customer)
    queue.claim(n, user=agent)
    with pytest.raises(sending.SendRefused, match="approval"):
        sending.send_notification(n, user=agent, expected_version=1)
    supervision.approve([n], user=supervisor)
    sending.send_notification(n, user=agent, expected_version=1)
    n.refresh_from_db()
    assert n.status == "sent"
