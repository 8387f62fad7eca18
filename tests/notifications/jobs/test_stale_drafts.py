"""Re-runs and stale facts: untouched drafts the data no longer supports are withdrawn, those whose facts changed
are re-drafted; an agent's work stays, and cannot go out on changed customer data until the agent confirms it."""

from __future__ import annotations

import pytest
from celery.canvas import group
from django.urls import reverse

from customers.models import AccountActivity, Customer
from notifications.analysis.models import AnalysisJob
from notifications.delivery.send_rules import Stage, evaluate
from notifications.delivery.services.sending import SendRefused, send_notification
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


# --- after an import changes a customer's data: re-drafted if untouched, else confirmed by the agent ---


def _reimport_name(customer: Customer, name: str) -> None:
    Customer.objects.filter(pk=customer.pk).update(name=name)  # what a profiles re-import writes


def test_an_untouched_draft_is_redrafted_on_the_new_data():
    customer = make_customer(name="Ann Reid")
    _run()
    draft = Notification.objects.get(customer=customer)
    assert "Ann" in draft.body
    _reimport_name(customer, "Bob Smith")  # the ID now belongs to someone else
    _run()
    draft.refresh_from_db()
    assert draft.is_open and "Bob" in draft.body and "Ann" not in draft.body
    assert draft.data_snapshot["name"] == "Bob Smith"


def _worked_on_then_renamed() -> tuple:
    """(agent, customer, draft): Ann Reid's draft, claimed and edited by an agent, then her ID re-imported
    as Bob Smith."""
    agent = make_role_user("alex", "Agents")
    customer = make_customer(name="Ann Reid")
    _run()
    draft = queue.claim(Notification.objects.get(customer=customer), user=agent)
    draft = queue.edit_draft(draft, user=agent, subject=draft.subject, body=draft.body + " ", expected_version=1)
    _reimport_name(customer, "Bob Smith")
    return agent, customer, draft


def test_a_draft_an_agent_works_on_says_what_changed_and_waits_for_their_confirmation(client):
    agent, customer, draft = _worked_on_then_renamed()
    _run()  # the agent's work is never rewritten by a re-run…
    draft.refresh_from_db()
    assert "Ann" in draft.body

    check = evaluate(draft, stage=Stage.SEND, user=agent)  # …but it cannot go out on the old facts
    assert check.data_changes == ["Name: Ann Reid → Bob Smith"]
    assert (
        "Customer data changed since this draft (Name: Ann Reid → Bob Smith). Check the text still fits, "
        "then confirm it, or dismiss it and re-run the analysis."
    ) in check.reasons
    with pytest.raises(SendRefused):
        send_notification(draft, user=agent, expected_version=draft.version)

    client.force_login(agent)
    page = client.get(reverse("notifications:send_confirm", args=[draft.pk]), headers={"HX-Request": "true"})
    assert "I have checked: the draft still fits the new data" in page.content.decode()
    client.post(reverse("notifications:confirm_data", args=[draft.pk]))
    draft.refresh_from_db()
    assert evaluate(draft, stage=Stage.SEND, user=agent).data_changes == []
    event = NotificationEvent.objects.filter(notification=draft, kind="edited").latest("occurred_at")
    assert event.metadata["data_confirmed"] == ["Name: Ann Reid → Bob Smith"]
    # Confirming the data does not make the old greeting right: the send rules still refuse the wrong name.
    with pytest.raises(SendRefused, match="This name is not the customer's"):
        send_notification(draft, user=agent, expected_version=draft.version)
    draft = queue.edit_draft(
        draft, user=agent, subject=draft.subject, body=draft.body.replace("Ann", "Bob"), expected_version=draft.version
    )
    assert send_notification(draft, user=agent, expected_version=draft.version).status == "sent"


def test_only_a_claimant_confirms():
    agent, other = make_role_user("alex", "Agents"), make_role_user("bea", "Agents")
    customer = make_customer()
    _run()
    draft = queue.claim(Notification.objects.get(customer=customer), user=agent)
    with pytest.raises(queue.QueueActionError, match="Claim this customer before confirming the draft."):
        queue.confirm_current_data(draft, user=other)


def test_a_confirmation_from_a_panel_left_open_does_not_cover_changes_the_agent_never_read(client):
    agent, customer, draft = _worked_on_then_renamed()
    _run()
    client.force_login(agent)
    page = client.get(reverse("notifications:send_confirm", args=[draft.pk]), headers={"HX-Request": "true"})
    seen = evaluate(draft, stage=Stage.CONFIRM, user=agent).data_hash
    assert f'name="data_hash" value="{seen}"' in page.content.decode()
    _reimport_name(customer, "Cal Dunn")  # another import while the panel is open
    _run()

    response = client.post(
        reverse("notifications:confirm_data", args=[draft.pk]), {"data_hash": seen}, headers={"HX-Request": "true"}
    )

    assert response.status_code == 409
    assert "changed again since you read it" in response.content.decode()
    draft.refresh_from_db()
    assert evaluate(draft, stage=Stage.SEND, user=agent).data_changes == ["Name: Ann Reid → Cal Dunn"]
    assert not NotificationEvent.objects.filter(notification=draft, metadata__has_key="data_confirmed").exists()
