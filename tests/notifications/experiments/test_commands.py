"""uplift_report prints what the results page shows; experiment_subjects writes the follow-up generator's input."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from django.core.management import call_command

from customers.demo_data.followup import read_subjects
from notifications.analysis.models import AnalysisJob
from tests.factories import AccountActivityFactory, CustomerFactory, NotificationHistoryFactory
from tests.notifications.experiments.helpers import DECIDED, decide, decided

pytestmark = pytest.mark.django_db


@pytest.fixture
def job():
    return AnalysisJob.objects.create(provider="offline", status="succeeded")


def _run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_uplift_report_prints_the_sizes_the_verdict_and_each_breakdown(job):
    for i in range(20):
        decided(job, "treated", churned=i < 2, situation="tariff_value" if i % 2 else "retention")
    for i in range(5):
        decided(job, "control", churned=i < 1)
    NotificationHistoryFactory(sent_at=dt.datetime(2026, 12, 1, tzinfo=dt.UTC))
    lines = _run("uplift_report").splitlines()
    assert lines[0] == (
        "Holdout experiment holdout-1: 25 customers measured over 60 days after each decision "
        "(data up to 01 Dec 2026); 0 still inside the window; 5 held out in all."
    )
    assert lines[2].startswith("Too few customers to tell yet: the churn rate could have changed by anything from")
    assert lines[5].split()[:4] == ["Churned", "(account", "closed,", "or"]
    assert "10.0% n=20" in lines[5] and "20.0% n=5" in lines[5] and "-10.0 (" in lines[5]
    assert lines[10] == "  churned by priority:"
    assert lines[11].startswith("  High ") and "n=20" in lines[11]
    assert [line.split()[0] for line in lines[13:16]] == ["churned", "retention", "tariff_value"]


def test_uplift_report_json_for_an_earlier_experiment(job):
    decided(job, "treated", churned=False, key="trial-a")
    decided(job, "treated", churned=True)
    NotificationHistoryFactory(sent_at=dt.datetime(2026, 12, 1, tzinfo=dt.UTC))
    report = json.loads(_run("uplift_report", "--json", "--experiment", "trial-a"))
    assert (report["experiment"], report["measured"], report["held_out"]) == ("trial-a", 1, 0)
    assert report["headline"]["treated"] == 0.0
    assert report["headline"]["verdict"] == "No control-group customers to compare against yet."


def test_subjects_are_each_customers_first_compared_decision_with_the_account_as_it_was(job):
    first = CustomerFactory(customer_id="C-FIRST")
    AccountActivityFactory(customer=first, last_login=DECIDED - dt.timedelta(days=30), churn_risk_score=Decimal("40"),
                           account_tenure_years=Decimal("4.5"), subscription_type="Premium")  # fmt: skip
    AccountActivityFactory(customer=first, last_login=DECIDED + dt.timedelta(days=3), churn_risk_score=Decimal("99"))
    decide(first, job, "control", DECIDED)
    later = AnalysisJob.objects.create(provider="offline", status="succeeded")
    decide(first, later, "treated", DECIDED + dt.timedelta(days=7))  # a later run: the first arm stands
    decide(CustomerFactory(customer_id="C-NEEDED"), job, "excluded", DECIDED)  # never compared
    decide(CustomerFactory(customer_id="C-NEW"), job, "treated", DECIDED)  # no snapshot: defaults
    text = _run("experiment_subjects")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows == [
        ["Customer_ID", "Arm", "Decided_At", "Churn_Risk_Score", "Account_Tenure_Years", "Subscription_Type"],
        ["C-FIRST", "control", "2026-09-01T09:00:00+00:00", "40", "4.5", "Premium"],
        ["C-NEW", "treated", "2026-09-01T09:00:00+00:00", "50", "3", "Basic"],
    ]
    assert [s.customer_id for s in read_subjects(io.StringIO(text), "stdin")] == ["C-FIRST", "C-NEW"]
