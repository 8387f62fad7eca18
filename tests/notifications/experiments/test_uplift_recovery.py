"""The report against a known answer: a planted 5-point churn effect on 20,000 demo customers.

The demo's price-conscious customers (the Value Seekers) are split by the holdout
(10%), a follow-up export is written with contacted customers churning 5 points
less, both exports are imported, and the report must put -5 inside its 95% interval.
"""

import csv
import datetime as dt

import pytest

from customers.demo_data import generate_dataset
from customers.demo_data.followup import Effects, Subject, write_follow_up
from customers.importing import import_datasets
from customers.importing.services import find_dataset_files
from customers.models import Customer
from customers.selectors import read_outcomes
from notifications.experiments.holdout import assign
from notifications.experiments.uplift import Observation, uplift_report

DECIDED = dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.UTC)  # five days after the demo export


def _report(tmp_path, customers: int, effect: float):
    generate_dataset(tmp_path / "demo", customers=customers, seed=7, with_personas=True)
    import_datasets(find_dataset_files(tmp_path / "demo"))
    with open(tmp_path / "demo" / "personas.csv", encoding="utf-8", newline="") as handle:
        value_seekers = [r["Customer_ID"] for r in csv.DictReader(handle) if r["Persona"] == "price_conscious"]
    arms = {cid: assign("retention-2026", cid, 0.10) for cid in value_seekers}
    write_follow_up(tmp_path / "later", [Subject(cid, arm, DECIDED) for cid, arm in arms.items()],
                    effects=Effects(churn=effect))  # fmt: skip
    import_datasets(find_dataset_files(tmp_path / "later"))
    pks = dict(Customer.objects.filter(customer_id__in=arms).values_list("pk", "customer_id"))
    outcomes = read_outcomes(dict.fromkeys(pks, DECIDED))
    return uplift_report(
        Observation(arms[pks[pk]], "High", "tariff_value", "Email", o.churned, o.complaint, o.positive_action,
                    None if o.churn_change is None else float(o.churn_change))
        for pk, o in outcomes.items() if o.observed
    )  # fmt: skip


@pytest.mark.django_db
def test_the_report_recovers_a_planted_five_point_churn_effect_on_20000_customers(tmp_path):
    headline = _report(tmp_path, 20_000, effect=-5).headline
    assert headline.control_n >= 400 and headline.treated_n >= 4000
    assert headline.low <= -5 <= headline.high
    assert not headline.wide


@pytest.mark.django_db
def test_a_tiny_sample_is_too_few_to_tell(tmp_path):
    headline = _report(tmp_path, 60, effect=-5).headline
    assert headline.verdict.startswith("Too few customers to tell yet")
