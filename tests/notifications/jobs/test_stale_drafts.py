"""A re-run takes out of the queue the untouched drafts the data no longer supports; an agent's work stays."""

from __future__ import annotations

import pytest
from celery.canvas import group

from customers.models import AccountActivity, Customer
from notifications.analysis.models import AnalysisJob
from notifications.jobs.services import start_job
from notifications.queue.models import Notification, NotificationEvent
from notifications.queue.services import claims as queue
from notifications.queue.services.claims import QueueActionError
from tests.factories import make_role_user
from tests.notifications.jobs.test_worker_support import make_customer, run_inline

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_broker(monkeypatch):
    monkeypatch.setattr(group, "apply_async", lambda self, *a, **k: None)


def _run() -> AnalysisJob:
    return run_inline(start_job(provider="offline"))


def _close_account(customer: Customer) -> None:
    AccountActivity.objects.filter(customer=customer).update(account_status="Closed")


def test_a_draft_whose_customer_can_no_longer_be_contacted_is_withdrawn_with_the_reason():
    customer = make_customer()
    _run()
    draft = Notification.objects.get(customer=customer)
    _close_account(customer)  # the data changed: the next (incremental) run re-analyses this customer

    job = _run()

    draft.refresh_from_db()
    assert (draft.status, draft.dismiss_reason, draft.dismissed_by) == ("dismissed", "superseded", None)
    assert f"Analysis job {job.pk}" in draft.dismiss_note and "Closed" in draft.dismiss_note
    event = NotificationEvent.objects.get(notification=draft, kind="withdrawn")
    assert (event.source, event.metadata["job"]) == ("analysis", job.pk)
    assert not Notification.objects.filter(customer=customer, status__in=Notification.OPEN_STATUSES).exists()


def test_a_draft_an_agent_has_worked_on_stays_for_the_agent_to_decide():
    agent = make_role_user("agent")
    edited_customer, claimed_customer = make_customer(), make_customer()
    _run()
    edited = queue.claim(Notification.objects.get(customer=edited_customer), user=agent)
    queue.edit_draft(edited, user=agent, subject=edited.subject, body=edited.body + " Thanks.", expected_version=1)
    queue.release(edited, user=agent)
    queue.claim(Notification.objects.get(customer=claimed_customer), user=agent)
    _close_account(edited_customer), _close_account(claimed_customer)

    _run()

    assert Notification.objects.filter(status="waiting").count() == 2
    assert not NotificationEvent.objects.filter(kind="withdrawn").exists()


def test_unchanged_customers_keep_their_drafts_on_an_incremental_run():
    make_customer(), make_customer()
    _run()
    job = _run()
    assert job.skipped == 2
    assert Notification.objects.filter(status="waiting").count() == 2


def test_agents_cannot_use_the_pipelines_withdrawal_reason():
    agent = make_role_user("agent")
    customer = make_customer()
    _run()
    n = queue.claim(Notification.objects.get(customer=customer), user=agent)
    with pytest.raises(QueueActionError):
        queue.dismiss(n, user=agent, reason="superseded")
    n.refresh_from_db()
    assert n.status == "waiting"
