"""Bulk profile assembly: constant queries, newest-first history with a cap, consent over all history."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from notifications.profiles import selectors as selector
from notifications.profiles.selectors import HISTORY_CAP, load_profiles, profile_hash
from tests.factories import (
    LONDON,
    AccountActivityFactory,
    CustomerFactory,
    InteractionFactory,
    NotificationHistoryFactory,
    RecommendedActionFactory,
)

pytestmark = pytest.mark.django_db


def _customer_with_history(interactions: int = 3, notifications: int = 2):
    customer = CustomerFactory()
    AccountActivityFactory(customer=customer, last_login=dt.datetime(2026, 1, 1, 9, tzinfo=LONDON), engagement_score=10)
    AccountActivityFactory(customer=customer, last_login=dt.datetime(2026, 6, 1, 9, tzinfo=LONDON), engagement_score=90)
    for _ in range(interactions):
        InteractionFactory(customer=customer)
    for _ in range(notifications):
        NotificationHistoryFactory(customer=customer)
    RecommendedActionFactory(customer=customer)
    return customer


def test_five_queries_whatever_the_number_of_customers(django_assert_num_queries):
    customers = [_customer_with_history() for _ in range(12)]
    with django_assert_num_queries(5):
        profiles = load_profiles(c.pk for c in customers)
    assert set(profiles) == {c.pk for c in customers}
    few = customers[:2]
    with django_assert_num_queries(5):
        load_profiles(c.pk for c in few)


def test_batches_keep_queries_proportional_to_batches_not_customers(django_assert_num_queries, monkeypatch):
    customers = [_customer_with_history(1, 1) for _ in range(5)]
    monkeypatch.setattr(selector, "BATCH_SIZE", 2)
    with django_assert_num_queries(15):  # 3 batches × 5 tables
        profiles = load_profiles([c.pk for c in customers])
    assert len(profiles) == 5


def test_profile_holds_all_five_datasets_newest_first():
    customer = _customer_with_history(interactions=3, notifications=2)
    profile = load_profiles([customer.pk])[customer.pk]
    assert profile.customer_id == customer.customer_id
    assert profile.name == customer.name
    assert profile.activity is not None and profile.activity.engagement_score == 90  # the newest snapshot
    assert profile.activity.churn_risk_score == Decimal("30")
    stamps = [i.occurred_at for i in profile.interactions]
    assert stamps == sorted(stamps, reverse=True) and len(stamps) == 3
    assert [n.sent_at for n in profile.notifications] == sorted(
        (n.sent_at for n in profile.notifications), reverse=True
    )
    assert len(profile.recommended_actions) == 1
    assert profile.interactions_total == 3 and profile.notifications_total == 2


def test_history_is_capped_but_totals_and_consent_see_everything():
    customer = CustomerFactory()
    old = dt.datetime(2020, 1, 1, 9, tzinfo=LONDON)
    InteractionFactory(customer=customer, occurred_at=old, interaction_type="Unsubscribe")
    for _ in range(HISTORY_CAP + 5):
        InteractionFactory(customer=customer)
    profile = load_profiles([customer.pk])[customer.pk]
    assert len(profile.interactions) == HISTORY_CAP
    assert all(i.interaction_type != "Unsubscribe" for i in profile.interactions)  # fell off the end…
    assert profile.interactions_total == HISTORY_CAP + 6
    assert profile.last_unsubscribe_at == old  # …but consent still knows


def test_scattered_keys_load_only_those_customers(django_assert_num_queries):
    first, middle, last = (_customer_with_history(2, 1) for _ in range(3))
    with django_assert_num_queries(5):
        profiles = load_profiles([last.pk, first.pk])
    assert set(profiles) == {first.pk, last.pk}
    assert all(len(p.interactions) == 2 for p in profiles.values())
    assert middle.pk not in profiles


def test_customer_without_history_and_unknown_keys():
    customer = CustomerFactory()
    profiles = load_profiles([customer.pk, 999_999])
    assert list(profiles) == [customer.pk]
    profile = profiles[customer.pk]
    assert profile.activity is None and profile.interactions == () and profile.notifications == ()
    assert load_profiles([]) == {}


def test_profile_hash_is_stable_and_tracks_what_the_analyst_reads():
    customer = _customer_with_history()
    first = profile_hash(load_profiles([customer.pk])[customer.pk])
    assert first == profile_hash(load_profiles([customer.pk])[customer.pk])
    InteractionFactory(customer=customer, summary="New complaint about a bill")
    second = profile_hash(load_profiles([customer.pk])[customer.pk])
    assert second != first
    customer.satisfaction_score = 2
    customer.save()
    assert profile_hash(load_profiles([customer.pk])[customer.pk]) != second
