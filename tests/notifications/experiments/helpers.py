"""Experiment decisions with their analyses and account snapshots, as a run and a later export leave them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from notifications.analysis.models import ContactDecision
from tests.factories import AccountActivityFactory, CustomerAnalysisFactory, CustomerFactory

DECIDED = dt.datetime(2026, 9, 1, 9, 0, tzinfo=dt.UTC)


def decided(
    job, arm: str, *, churned: bool, situation: str = "tariff_value", at: dt.datetime = DECIDED, key="holdout-1"
):
    """A customer decided about at `at`, with a snapshot before; one 20 days after unless `churned` (dormant)."""
    customer = CustomerFactory()
    AccountActivityFactory(customer=customer, last_login=at - dt.timedelta(days=5), churn_risk_score=Decimal("60"))
    if not churned:
        AccountActivityFactory(customer=customer, last_login=at + dt.timedelta(days=20), churn_risk_score=Decimal("55"))
    CustomerAnalysisFactory(customer=customer, job=job, detail={"situation": situation, "channel": "SMS"})
    decide(customer, job, arm, at, key)
    return customer


def decide(customer, job, arm: str, at: dt.datetime, key: str = "holdout-1") -> ContactDecision:
    decision = ContactDecision.objects.create(customer=customer, job=job, allowed=True, experiment=key, arm=arm)
    ContactDecision.objects.filter(pk=decision.pk).update(decided_at=at)  # auto_now_add: set after
    return decision
