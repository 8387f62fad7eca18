"""Reads for the holdout experiment: the running settings, who is in which arm, and their outcomes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from customers.demo_data.followup import Subject
from customers.models import AccountActivity
from customers.selectors import data_as_of, read_outcomes
from notifications.analysis.models import ContactDecision, CustomerAnalysis
from notifications.experiments.holdout import Arm, Holdout
from notifications.experiments.models import HoldoutExperiment
from notifications.experiments.uplift import Observation, UpliftReport, uplift_report

COMPARED = (Arm.TREATED, Arm.CONTROL)
_CHUNK = 500


def running_holdout() -> tuple[str, Holdout | None]:
    """(the experiment's key, the holdout to apply: None when paused or the share is 0); one query."""
    row = HoldoutExperiment.load()
    active = not row.paused and row.share > 0
    return row.key, Holdout(row.key, float(row.share)) if active else None


@dataclass(frozen=True)
class Assignment:
    customer_pk: int
    customer_id: str
    job_id: int | None
    arm: str
    decided_at: dt.datetime


def first_assignments(key: str) -> list[Assignment]:
    """Each customer's first treated or control decision in the experiment (intention to treat: a
    customer stays in the arm they were first placed in, whatever later runs did)."""
    rows = (
        ContactDecision.objects.filter(experiment=key, arm__in=COMPARED)
        .order_by("customer_id", "decided_at", "pk")
        .values_list("customer_id", "customer__customer_id", "job_id", "arm", "decided_at")
    )
    out: dict[int, Assignment] = {}
    for pk, customer_id, job_id, arm, decided_at in rows.iterator(chunk_size=5000):
        if pk not in out:
            out[pk] = Assignment(pk, customer_id, job_id, arm, decided_at)
    return list(out.values())


@dataclass(frozen=True)
class UpliftSummary:
    key: str
    window_days: int
    report: UpliftReport
    measured: int  # customers whose window has ended in the imported data
    pending: int  # still inside their window
    held_out: int  # everyone ever placed in the control group
    data_as_of: dt.datetime | None


def experiment_uplift(experiment: HoldoutExperiment | None = None) -> UpliftSummary:
    """The uplift report for the experiment (default: the current one), from imported data only."""
    experiment = experiment or HoldoutExperiment.load()
    assigned = first_assignments(experiment.key)
    as_of = data_as_of()
    outcomes = read_outcomes(
        {a.customer_pk: a.decided_at for a in assigned}, window_days=experiment.window_days, as_of=as_of
    )
    detail = _analysis_detail(assigned)
    observations = []
    for a in assigned:
        o = outcomes[a.customer_pk]
        if not o.observed:
            continue
        priority, situation, channel = detail.get((a.job_id, a.customer_pk), ("", "", ""))
        change = None if o.churn_change is None else float(o.churn_change)
        observations.append(
            Observation(a.arm, priority, situation, channel, o.churned, o.complaint, o.positive_action, change)
        )
    return UpliftSummary(
        key=experiment.key,
        window_days=experiment.window_days,
        report=uplift_report(observations),
        measured=len(observations),
        pending=len(assigned) - len(observations),
        held_out=sum(1 for a in assigned if a.arm == Arm.CONTROL),
        data_as_of=as_of,
    )


def _analysis_detail(assigned: list[Assignment]) -> dict[tuple[int | None, int], tuple[str, str, str]]:
    """(job, customer) -> (priority, situation, channel) from the analysis behind each decision."""
    out = {}
    for start in range(0, len(assigned), _CHUNK):
        part = assigned[start : start + _CHUNK]
        rows = CustomerAnalysis.objects.filter(
            job_id__in={a.job_id for a in part}, customer_id__in=[a.customer_pk for a in part]
        ).values_list("job_id", "customer_id", "priority", "detail__situation", "detail__channel")
        for job_id, customer_pk, priority, situation, channel in rows:
            out[(job_id, customer_pk)] = (priority, situation or "", channel or "")
    return out


def subjects(key: str) -> Iterator[Subject]:
    """The experiment's customers for a demo follow-up export, with their account as it was decided on."""
    assigned = first_assignments(key)
    for start in range(0, len(assigned), _CHUNK):
        part = assigned[start : start + _CHUNK]
        at = {a.customer_pk: a.decided_at for a in part}
        snapshots: dict[int, tuple] = {}
        for pk, login, churn, tenure, plan in AccountActivity.objects.filter(customer_id__in=at).values_list(
            "customer_id", "last_login", "churn_risk_score", "account_tenure_years", "subscription_type"
        ):
            if login <= at[pk] and (pk not in snapshots or login > snapshots[pk][0]):
                snapshots[pk] = (login, churn, tenure, plan)
        for a in part:
            if a.customer_pk in snapshots:
                _, churn, tenure, plan = snapshots[a.customer_pk]
                yield Subject(a.customer_id, a.arm, a.decided_at, float(churn), float(tenure), plan)
            else:
                yield Subject(a.customer_id, a.arm, a.decided_at)
