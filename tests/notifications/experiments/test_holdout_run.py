"""The holdout in a real analysis run: held out customers are prioritised, never drafted, queued or exported."""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from celery.canvas import group
from django.core.management import call_command
from django.utils import timezone

from notifications.analysis.models import ContactDecision, CustomerAnalysis
from notifications.experiments.models import HoldoutExperiment
from notifications.jobs.services import start_job
from notifications.queue.models import Notification
from tests.factories import AccountActivityFactory, CustomerFactory, InteractionFactory
from tests.notifications.jobs.test_worker_support import make_customer, run_inline

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_broker(monkeypatch, settings):
    monkeypatch.setattr(group, "apply_async", lambda self, *a, **k: None)
    settings.ANALYSIS_CHUNK_SIZE = settings.ANALYSIS_OFFLINE_CHUNK_SIZE = 25  # several chunks and batches


def proactive(n: int) -> set[str]:
    """Unhappy Value Seekers with nothing open: a proactive retention call, which may be held out."""
    ids = set()
    for _ in range(n):
        customer = CustomerFactory(age=46, income_bracket="Low", satisfaction_score=2)
        AccountActivityFactory(customer=customer, last_transaction="Tariff Switch", churn_risk_score=Decimal("85"),
                               last_login=timezone.now() - dt.timedelta(days=20))  # fmt: skip
        InteractionFactory(customer=customer, summary="Asked whether a cheaper fixed tariff is available.",
                           occurred_at=timezone.now() - dt.timedelta(days=10))  # fmt: skip
        ids.add(customer.customer_id)
    return ids


def must_contact(n: int) -> set[str]:
    """Value Seekers with an open complaint (make_customer's default): never held out."""
    return {make_customer().customer_id for _ in range(n)}


def experiment(**fields) -> HoldoutExperiment:
    row = HoldoutExperiment.load()
    for name, value in fields.items():
        setattr(row, name, value)
    row.save()
    return row


def arms(job) -> dict[str, str]:
    return dict(ContactDecision.objects.filter(job=job).values_list("customer__customer_id", "arm"))


def queued() -> set[str]:
    return set(Notification.objects.values_list("customer__customer_id", flat=True))


def test_held_out_customers_are_prioritised_but_never_drafted_queued_or_exported():
    experiment(key="retention-trial", share=Decimal("0.5"))
    calm, needed = proactive(40), must_contact(15)
    job = run_inline(start_job(provider="offline"))

    by_arm = arms(job)
    control = {c for c, arm in by_arm.items() if arm == "control"}
    treated = {c for c, arm in by_arm.items() if arm == "treated"}
    assert 10 <= len(control) <= 30  # half of 40, give or take the hash
    assert control | treated == calm
    assert {c for c, arm in by_arm.items() if arm == "excluded"} == needed  # even at the largest share
    assert queued() == treated | needed
    assert set(ContactDecision.objects.filter(job=job).values_list("experiment", flat=True)) == {"retention-trial"}

    held = CustomerAnalysis.objects.filter(job=job, customer__customer_id__in=control)
    assert held.count() == len(control)
    assert all(a.held_out and a.draft == {} and a.priority and a.risk_score for a in held)
    assert {a.no_contact_reason for a in held} == {"Held out: control group of holdout experiment retention-trial."}
    notes = set(ContactDecision.objects.filter(arm="control").values_list("holdout_note", flat=True))
    assert notes == {"Held out: control group of holdout experiment retention-trial."}
    excluded_notes = set(ContactDecision.objects.filter(arm="excluded").values_list("holdout_note", flat=True))
    assert excluded_notes == {"An open complaint: the customer is waiting for us to put it right."}

    out = io.StringIO()
    call_command("export_queue", "--format", "json", stdout=out)
    exported = {row["customer_id"] for row in json.loads(out.getvalue())}
    assert exported == treated | needed and not exported & control


def test_a_rerun_places_everyone_in_the_same_arm():
    experiment(share=Decimal("0.3"))
    proactive(30)
    first = arms(run_inline(start_job(provider="offline")))
    second = arms(run_inline(start_job(provider="offline", force=True)))
    assert first == second
    assert "control" in first.values()


def test_paused_or_zero_share_holds_nobody_out():
    calm = proactive(20)
    experiment(share=Decimal("0.5"), paused=True)
    job = run_inline(start_job(provider="offline"))
    assert set(arms(job).values()) == {""}
    assert queued() == calm
    experiment(share=Decimal("0"), paused=False)
    job = run_inline(start_job(provider="offline", force=True))
    assert set(arms(job).values()) == {""}


def test_an_untouched_draft_is_withdrawn_when_its_customer_is_held_out():
    calm = proactive(20)
    experiment(share=Decimal("0.5"), paused=True)
    run_inline(start_job(provider="offline"))
    assert queued() == calm
    experiment(paused=False)
    job = run_inline(start_job(provider="offline", force=True))
    control = {c for c, arm in arms(job).items() if arm == "control"}
    assert control
    withdrawn = Notification.objects.filter(customer__customer_id__in=control)
    assert {n.status for n in withdrawn} == {"dismissed"}
    assert {n.dismiss_note for n in withdrawn} == {
        f"Analysis job {job.pk}: held out: this customer is in the control group of the holdout experiment."
    }
