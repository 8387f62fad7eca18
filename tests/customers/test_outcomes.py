"""Outcomes read from imported data over the window after a decision, against hand-worked answers."""

import datetime as dt
from decimal import Decimal

import pytest

from customers.selectors import Outcome, data_as_of, read_outcomes
from tests.factories import AccountActivityFactory, CustomerFactory, InteractionFactory, NotificationHistoryFactory

UTC = dt.UTC
DECIDED = dt.datetime(2026, 10, 1, 12, 0, tzinfo=UTC)  # window: to 30 November 2026 12:00 UTC


def at(month: int, day: int, hour: int = 10) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, 0, tzinfo=UTC)


@pytest.fixture
def small_world(db):
    """Five customers, each with the rows that decide one outcome; the data reaches 10 December 2026."""
    kept = CustomerFactory(customer_id="KEPT")
    AccountActivityFactory(customer=kept, last_login=at(9, 20), churn_risk_score=Decimal("40"))
    AccountActivityFactory(customer=kept, last_login=at(10, 3), churn_risk_score=Decimal("38"))
    AccountActivityFactory(customer=kept, last_login=at(10, 20), churn_risk_score=Decimal("35.5"))  # newest inside
    AccountActivityFactory(customer=kept, last_login=at(12, 10), churn_risk_score=Decimal("90"))  # after the window
    InteractionFactory(customer=kept, occurred_at=at(10, 5), interaction_type="Complaint")
    NotificationHistoryFactory(customer=kept, sent_at=at(10, 10), clicked=True, action_taken="Switched Tariff")

    quiet = CustomerFactory(customer_id="QUIET")
    AccountActivityFactory(customer=quiet, last_login=at(9, 1), churn_risk_score=Decimal("70"))
    AccountActivityFactory(customer=quiet, last_login=at(12, 5))  # came back after the window: still dormant in it
    InteractionFactory(customer=quiet, occurred_at=at(9, 28), interaction_type="Complaint")  # before the decision
    InteractionFactory(customer=quiet, occurred_at=at(12, 1), interaction_type="Complaint")  # after the window
    NotificationHistoryFactory(customer=quiet, sent_at=at(10, 2), action_taken="Viewed Only")
    NotificationHistoryFactory(customer=quiet, sent_at=at(11, 2), action_taken="Unsubscribed")
    NotificationHistoryFactory(customer=quiet, sent_at=at(9, 30), action_taken="Paid Bill")  # before the decision

    closed = CustomerFactory(customer_id="CLOSED")
    AccountActivityFactory(customer=closed, last_login=at(9, 15), churn_risk_score=Decimal("80"))
    AccountActivityFactory(
        customer=closed, last_login=at(11, 2), account_status="Closed", churn_risk_score=Decimal("95")
    )
    InteractionFactory(customer=closed, occurred_at=at(10, 30), interaction_type="complaint")  # any capitalisation

    # A closure that a newer export recorded on the old snapshot, in place.
    switched = CustomerFactory(customer_id="SWITCHED")
    AccountActivityFactory(customer=switched, last_login=at(9, 25), account_status="Switched Away")
    NotificationHistoryFactory(customer=switched, sent_at=at(11, 29), action_taken="Paid Bill")

    late = CustomerFactory(customer_id="LATE")  # decided on 1 November: its window ends after the data
    AccountActivityFactory(customer=late, last_login=at(10, 15))
    NotificationHistoryFactory(customer=late, sent_at=at(12, 10, 11))  # the newest row anywhere
    return {c.customer_id: c.pk for c in (kept, quiet, closed, switched, late)}


def test_outcomes_match_the_hand_worked_answers(small_world):
    pk = small_world
    decisions = {pk[c]: DECIDED for c in ("KEPT", "QUIET", "CLOSED", "SWITCHED")} | {pk["LATE"]: at(11, 1, 12)}
    outcomes = read_outcomes(decisions)
    assert outcomes[pk["KEPT"]] == Outcome(
        observed=True, closed=False, dormant=False, complaint=True, positive_action=True, churn_change=Decimal("-4.5")
    )
    assert outcomes[pk["QUIET"]] == Outcome(
        observed=True, closed=False, dormant=True, complaint=False, positive_action=False, churn_change=None
    )
    assert outcomes[pk["CLOSED"]] == Outcome(
        observed=True, closed=True, dormant=False, complaint=True, positive_action=False, churn_change=Decimal("15")
    )
    assert outcomes[pk["SWITCHED"]] == Outcome(
        observed=True, closed=True, dormant=True, complaint=False, positive_action=True, churn_change=None
    )
    assert outcomes[pk["LATE"]] == Outcome(observed=False)
    churned = {c: outcomes[pk[c]].churned for c in pk}
    assert churned == {"KEPT": False, "QUIET": True, "CLOSED": True, "SWITCHED": True, "LATE": False}


def test_the_data_reaches_its_newest_login_interaction_or_notification(small_world):
    assert data_as_of() == at(12, 10, 11)


def test_a_shorter_window_changes_what_counts(small_world):
    # 30 days: KEPT's login on 20 October still counts; CLOSED's closure on 2 November does not.
    pk = small_world
    outcomes = read_outcomes({pk["KEPT"]: DECIDED, pk["CLOSED"]: DECIDED}, window_days=30)
    assert outcomes[pk["KEPT"]].churn_change == Decimal("-4.5")
    assert outcomes[pk["CLOSED"]] == Outcome(
        observed=True, closed=False, dormant=True, complaint=True, positive_action=False, churn_change=None
    )


def test_nothing_is_measured_before_any_data_or_the_window_ends(db):
    customer = CustomerFactory()
    assert read_outcomes({customer.pk: DECIDED}) == {customer.pk: Outcome(observed=False)}
    assert read_outcomes({customer.pk: DECIDED}, as_of=at(11, 29)) == {customer.pk: Outcome(observed=False)}


def test_a_window_must_be_at_least_a_day(db):
    with pytest.raises(ValueError, match="at least one day"):
        read_outcomes({}, window_days=0)


def test_query_count_does_not_grow_with_customers(db, django_assert_num_queries):
    customers = CustomerFactory.create_batch(40)
    for c in customers:
        AccountActivityFactory(customer=c, last_login=at(9, 1))
        AccountActivityFactory(customer=c, last_login=at(10, 9))
        InteractionFactory(customer=c, occurred_at=at(10, 9), interaction_type="Complaint")
    with django_assert_num_queries(3):
        few = read_outcomes({c.pk: DECIDED for c in customers[:3]}, as_of=at(12, 31))
    with django_assert_num_queries(3):
        many = read_outcomes({c.pk: DECIDED for c in customers}, as_of=at(12, 31))
    assert len(few) == 3 and len(many) == 40
    assert all(o.complaint and not o.dormant for o in many.values())
