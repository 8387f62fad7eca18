"""Contact policies: each rule with its reason, parameters as validated data, bulk evaluation."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from notifications.contact_rules.models import ContactPolicy
from notifications.contact_rules.services.policies import check_send_allowed, evaluate_policies
from tests.factories import (
    AccountActivityFactory,
    CustomerFactory,
    InteractionFactory,
    NotificationFactory,
    NotificationHistoryFactory,
)

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
NOON = dt.datetime(2026, 11, 10, 12, 0, tzinfo=LONDON)


def _customer(channel: str = "Email", status: str = "Active", **kwargs):
    customer = CustomerFactory(preferred_channel=channel, **kwargs)
    AccountActivityFactory(customer=customer, account_status=status)
    return customer


def _verdict(customer, now=NOON):
    return evaluate_policies([customer.pk], now=now)[customer.pk]


def _reasons(verdict, policy):
    return [r.reason for r in verdict.results if r.policy == policy]


def _failed(verdict):
    return {r.policy for r in verdict.results if not r.passed}


def test_a_contactable_customer_passes_every_policy_with_a_reason_for_each():
    verdict = _verdict(_customer())
    assert verdict.allowed and verdict.marketing_allowed and verdict.may_draft and verdict.held_until is None
    assert {r.policy for r in verdict.results} == {
        "consent",
        "account_status",
        "frequency_cap",
        "cool_down",
        "quiet_hours",
    }
    assert all(r.passed and r.reason for r in verdict.results)


def test_no_marketing_consent_blocks_marketing_only():
    verdict = _verdict(_customer(opted_in=False))
    assert verdict.allowed and not verdict.marketing_allowed
    assert _failed(verdict) == {"consent"}
    assert "Opted_In=No" in _reasons(verdict, "consent")[0]


def test_an_unsubscribe_interaction_withdraws_marketing_consent_even_with_opted_in_yes():
    customer = _customer(opted_in=True)
    InteractionFactory(customer=customer, interaction_type="Unsubscribe", channel="SMS",
                       occurred_at=dt.datetime(2026, 3, 2, 9, 0, tzinfo=LONDON))  # fmt: skip
    verdict = _verdict(customer)
    assert verdict.allowed and not verdict.marketing_allowed
    assert "Unsubscribe interaction on 2026-03-02" in _reasons(verdict, "consent")[0]


@pytest.mark.parametrize("status", ["Suspended", "Closed", "Pending"])
def test_only_active_accounts_may_be_contacted(status):
    verdict = _verdict(_customer(status=status))
    assert not verdict.allowed and not verdict.may_draft and not verdict.marketing_allowed
    assert _reasons(verdict, "account_status") == [f"Account status is {status}: only Active accounts may be contacted"]


def test_no_account_activity_means_the_status_is_unknown_and_blocks():
    verdict = _verdict(CustomerFactory())
    assert not verdict.allowed
    assert "unknown" in _reasons(verdict, "account_status")[0]


def test_marketing_cap_counts_the_source_history_in_the_last_seven_days():
    customer = _customer(channel="SMS")
    for days in (2, 5):
        NotificationHistoryFactory(customer=customer, channel="Email", notification_type="Special Offer",
                                   sent_at=NOON - dt.timedelta(days=days))  # fmt: skip
    NotificationHistoryFactory(customer=customer, channel="Email", notification_type="Tariff Offer",
                               sent_at=NOON - dt.timedelta(days=9))  # fmt: skip
    verdict = _verdict(customer)
    assert verdict.allowed and not verdict.marketing_allowed  # service messages still allowed
    assert "2 marketing messages in the last 7 days (cap 1)" in _reasons(verdict, "frequency_cap")


def test_channel_cap_counts_history_and_our_sent_messages_on_that_channel():
    customer = _customer(channel="SMS")
    NotificationHistoryFactory(customer=customer, channel="Email", notification_type="Bill Reminder",
                               sent_at=NOON - dt.timedelta(days=1))  # fmt: skip
    assert _verdict(customer).allowed  # another channel: fine

    NotificationFactory(customer=customer, status="sent", sent_at=NOON - dt.timedelta(days=3), channel="SMS")
    verdict = _verdict(customer)
    assert not verdict.allowed and not verdict.may_draft
    assert "1 SMS message in the last 7 days (cap 1 per channel)" in _reasons(verdict, "frequency_cap")


def test_bounced_messages_do_not_count_against_the_cap():
    customer = _customer()
    NotificationHistoryFactory(customer=customer, channel="Email", delivery_status="Bounced", opened=False,
                               sent_at=NOON - dt.timedelta(days=1))  # fmt: skip
    assert _verdict(customer).allowed


def test_cool_down_after_three_ignored_notifications_in_a_row():
    customer = _customer(channel="Phone")  # the ignored emails do not hit the Phone channel's cap
    for days in (2, 5, 8):
        NotificationHistoryFactory(customer=customer, opened=False, sent_at=NOON - dt.timedelta(days=days))
    verdict = _verdict(customer)
    assert not verdict.allowed and _failed(verdict) == {"cool_down"}
    assert _reasons(verdict, "cool_down") == [
        "3 notifications in a row not opened, the last on 2026-11-08: paused until 2026-11-22"
    ]
    # 14 days after the last ignored one the pause is over.
    assert "cool_down" not in _failed(_verdict(customer, now=NOON + dt.timedelta(days=13)))


def test_cool_down_resets_when_one_of_the_last_three_was_opened():
    customer = _customer()
    for days, opened in ((8, False), (9, True), (10, False), (11, False)):
        NotificationHistoryFactory(customer=customer, opened=opened, sent_at=NOON - dt.timedelta(days=days))
    assert "cool_down" not in _failed(_verdict(customer))


@pytest.mark.parametrize(
    ("local", "held_until"),
    [
        (dt.datetime(2026, 11, 10, 22, 30), dt.datetime(2026, 11, 11, 8, 0)),
        (dt.datetime(2026, 11, 10, 21, 0), dt.datetime(2026, 11, 11, 8, 0)),
        (dt.datetime(2026, 11, 11, 7, 59), dt.datetime(2026, 11, 11, 8, 0)),
        (dt.datetime(2026, 7, 1, 23, 15), dt.datetime(2026, 7, 2, 8, 0)),  # British Summer Time
        (dt.datetime(2026, 11, 11, 8, 0), None),
        (dt.datetime(2026, 11, 10, 20, 59), None),
    ],
)
@pytest.mark.parametrize("channel", ["SMS", "App Push"])
def test_quiet_hours_hold_sms_and_push_until_eight_uk_time(channel, local, held_until):
    verdict = _verdict(_customer(channel=channel), now=local.replace(tzinfo=LONDON))
    expected = held_until.replace(tzinfo=LONDON) if held_until else None
    assert verdict.held_until == expected
    assert verdict.may_draft  # a hold, never a refusal
    assert verdict.allowed is (expected is None)
    if expected:
        assert _reasons(verdict, "quiet_hours") == [f"Quiet hours for {channel} until 08:00"]


def test_quiet_hours_do_not_apply_to_email_or_phone():
    for channel in ("Email", "Phone"):
        verdict = _verdict(_customer(channel=channel), now=dt.datetime(2026, 11, 10, 23, 0, tzinfo=LONDON))
        assert verdict.allowed and verdict.held_until is None


def test_policies_are_data_a_disabled_policy_is_not_applied():
    customer = _customer(status="Suspended")
    ContactPolicy.objects.filter(rule="account_status").update(enabled=False)
    verdict = _verdict(customer)
    assert verdict.allowed and "account_status" not in {r.policy for r in verdict.results}


def test_a_missing_policy_row_falls_back_to_its_defaults_rather_than_switching_off():
    customer = _customer(status="Suspended")
    ContactPolicy.objects.filter(rule="account_status").delete()
    assert not _verdict(customer).allowed


def test_parameters_are_edited_as_data_and_take_effect():
    customer = _customer()
    NotificationHistoryFactory(customer=customer, channel="Email", sent_at=NOON - dt.timedelta(days=1))
    assert not _verdict(customer).allowed
    ContactPolicy.objects.filter(rule="frequency_cap").update(parameters={"per_channel_max": 2})
    assert _verdict(customer).allowed


@pytest.mark.parametrize(
    ("rule", "parameters"),
    [
        ("cool_down", {"days": 0}),
        ("cool_down", {"ignored_in_a_row": "three"}),
        ("frequency_cap", {"marketing_max": -1}),
        ("frequency_cap", {"per_channel": 1}),  # unknown key: a typo must not be ignored
        ("quiet_hours", {"start": "25:00"}),
        ("account_status", {"allowed_statuses": []}),
    ],
)
def test_invalid_parameters_are_refused(rule, parameters):
    policy = ContactPolicy.objects.get(rule=rule)
    policy.parameters = parameters
    with pytest.raises(ValidationError) as excinfo:
        policy.full_clean()
    assert "parameters" in excinfo.value.message_dict


def test_the_default_policies_exist_with_valid_parameters():
    policies = {p.rule: p for p in ContactPolicy.objects.all()}
    assert set(policies) == {"consent", "account_status", "frequency_cap", "cool_down", "quiet_hours"}
    for policy in policies.values():
        policy.full_clean()
        assert policy.enabled and policy.description
    assert policies["cool_down"].params().ignored_in_a_row == 3
    assert policies["frequency_cap"].params().marketing_window_days == 7


def test_evaluation_is_bulk_a_constant_number_of_queries(django_assert_num_queries):
    def make(n):
        pks = []
        for _ in range(n):
            customer = _customer()
            NotificationHistoryFactory(customer=customer)
            InteractionFactory(customer=customer)
            pks.append(customer.pk)
        return pks

    few, many = make(2), make(20)
    with django_assert_num_queries(7) as few_queries:
        evaluate_policies(few, now=NOON)
    with django_assert_num_queries(len(few_queries.captured_queries)):
        evaluate_policies(many, now=NOON)


def test_check_send_allowed_uses_the_items_channel_and_does_not_count_the_item_itself():
    customer = _customer(channel="Email")
    item = NotificationFactory(customer=customer, channel="SMS", kind="marketing", situation="tariff_value")
    verdict = check_send_allowed(item, now=dt.datetime(2026, 11, 10, 23, 0, tzinfo=LONDON))
    assert verdict.held_until == dt.datetime(2026, 11, 11, 8, 0, tzinfo=LONDON)  # SMS: quiet hours apply
    assert not verdict.allowed and verdict.may_draft
    assert check_send_allowed(item, now=NOON).allowed
