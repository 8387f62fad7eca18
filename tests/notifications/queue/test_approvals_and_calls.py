"""The queue's approval conversation and follow-up calls, as services (the views' tests walk the screens)."""

import datetime as dt

import pytest
from django.utils import timezone

from notifications.queue.models import Approval, Notification
from notifications.queue.services import approvals
from notifications.queue.services.calls import follow_up_problem
from notifications.queue.services.claims import QueueActionError, StaleEdit
from notifications.supervision.services import approvals as bulk
from tests.factories import NotificationFactory

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 11, 20, 15, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("on", "problem"),
    [
        (None, ""),
        (dt.date(2026, 11, 20), "A follow-up call must be on a later day than today."),
        (dt.date(2026, 11, 21), ""),
        (dt.date(2027, 11, 21), ""),
        (dt.date(2027, 11, 23), "A follow-up call must be within a year."),
    ],
)
def test_follow_up_dates(on, problem):
    assert follow_up_problem(on, NOW) == problem


def test_the_admins_bulk_approval_is_the_same_step(supervisor):
    n = NotificationFactory(approval_state="requested")
    bulk.approve([n], user=supervisor)
    n.refresh_from_db()
    assert (n.approval_state, n.approval_by) == ("approved", supervisor)
    assert Approval.objects.get(notification=n).version == n.version


def test_a_supervisor_edit_needs_no_claim_but_the_version_read(supervisor, colleague):
    n = NotificationFactory(claimed_by=colleague, claimed_at=timezone.now(), channel="SMS", subject="")
    with pytest.raises(StaleEdit):
        approvals.decide(n, user=supervisor, decision="approve", expected_version=2, subject="", body="Hi")
    approvals.decide(
        n, user=supervisor, decision="approve", expected_version=1, subject="", body="Hello, we can help. Reply HELP."
    )
    n.refresh_from_db()
    assert (n.version, n.body) == (2, "Hello, we can help. Reply HELP.")
    assert (n.claimed_by, n.edited_by) == (colleague, supervisor)  # the agent keeps the claim


def test_only_an_open_draft_can_be_decided(supervisor):
    n = NotificationFactory(status="dismissed", dismissed_at=timezone.now(), dismiss_reason="other")
    with pytest.raises(QueueActionError, match="already dismissed"):
        approvals.decide(n, user=supervisor, decision="approve", expected_version=1)
    assert Notification.objects.get(pk=n.pk).approval_state == ""
