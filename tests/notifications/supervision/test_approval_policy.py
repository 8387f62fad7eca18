"""Approval before sending, when the approval policy asks for it (High priority and/or marketing)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from notifications.delivery.send_rules import Stage, evaluate
from notifications.queue.models import ApprovalPolicy, Notification
from notifications.queue.selectors.approval import approval_needed
from notifications.supervision.services import approvals as supervision
from tests.factories import NotificationFactory

pytestmark = pytest.mark.django_db


def approval_missing(n: Notification) -> str:
    """The send rules' word on the approval ("" when it is not a reason to refuse)."""
    return " ".join(c.message for c in evaluate(n, stage=Stage.SEND).refusals if c.name == "Approval")


def test_off_by_default():
    assert approval_missing(NotificationFactory(priority="High", kind="marketing")) == ""


def test_required_for_high_priority_until_approved_at_this_version(supervisor):
    ApprovalPolicy(high_priority=True).save()
    high, low = NotificationFactory(priority="High"), NotificationFactory(priority="Low")
    assert approval_needed(high) == "High priority" and approval_needed(low) == ""
    assert "need a supervisor's approval" in approval_missing(high)
    supervision.approve([high], user=supervisor)
    assert approval_missing(high) == ""
    Notification.objects.filter(pk=high.pk).update(version=2)
    high.refresh_from_db()
    assert "changed after it was approved" in approval_missing(high)
    trail = list(high.events.values_list("kind", "source", "user__username"))
    assert trail == [("approved", "supervisor", supervisor.username)]  # the message's trail says who approved


def test_required_for_marketing():
    ApprovalPolicy(marketing=True).save()
    assert approval_missing(NotificationFactory(kind="marketing", priority="Low"))
    assert not approval_missing(NotificationFactory(kind="service", priority="High"))


def test_supervisors_edit_the_approval_policy(as_supervisor):
    response = as_supervisor.post(reverse("admin:queue_approvalpolicy_add"), {"marketing": "on"})
    assert response.status_code == 302
    assert ApprovalPolicy.load().marketing


def test_agents_cannot(as_agent):
    as_agent.post(reverse("admin:queue_approvalpolicy_add"), {"marketing": "on"})
    assert not ApprovalPolicy.objects.exists()
