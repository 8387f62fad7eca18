"""Grounding: numbers, dates, amounts and names must come from the profile (or be today)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from notifications.content.grounding import invented_facts, invented_in_factor, profile_facts
from notifications.profiles.schemas import TriggerFactor
from tests.fakes.profiles import TODAY, activity, at, interaction, make_profile


@pytest.fixture
def profile():
    return make_profile(
        name="Morag MacLeod",
        activity=activity(churn_risk_score=Decimal("85.00"), engagement_score=23),
        satisfaction_score=2,
        interactions=(
            interaction(
                occurred_at=at("2026-08-01", "14:30"),
                interaction_type="Complaint",
                resolution_status="Pending",
                summary="Bill of £120.50 is double last quarter.",
            ),
            interaction(occurred_at=at("2026-07-15")),
            interaction(occurred_at=at("2026-07-01")),
        ),
    )


@pytest.fixture
def facts(profile):
    return profile_facts(profile, TODAY)


def kinds(text, facts):
    return [(i.kind, i.text) for i in invented_facts(text, facts)]


@pytest.mark.parametrize(
    "text",
    [
        "Your churn risk is 85% and satisfaction 2.",
        "churn_risk_score=85.00",
        "You raised a complaint on 1 August 2026.",
        "Complaint from 2026-08-01 at 14:30.",
        "Since 01/08/2026 we have not resolved it.",
        "A customer since 2019; your bill of £120.50.",
        "Today, 24 November 2026, we checked your account.",
        "3 contacts since August 2026.",
        "Hello Morag,\nThanks.",
        "Dear Mrs MacLeod,",
        "May I speak to Morag MacLeod?",
        "Kind regards,\nThe Customer Care team",
    ],
)
def test_facts_from_the_profile_pass(text, facts):
    assert kinds(text, facts) == []


@pytest.mark.parametrize(
    ("text", "kind", "offending"),
    [
        ("We can save you £50 a year.", "money", "£50"),
        ("Your bill of £120.51 is wrong.", "money", "£120.51"),
        ("Churn risk 86%.", "number", "86%"),
        ("You have been with us 47 years.", "number", "47"),
        ("You called on 2 August 2026.", "date", "2 August 2026"),
        ("Complaint of 2026-08-02.", "date", "2026-08-02"),
        ("Your appointment at 09:15.", "time", "09:15"),
        ("Hello Fiona,\nThanks.", "name", "Fiona"),
        ("Dear Mr Smith,", "name", "Mr Smith"),
        ("Kind regards,\nSarah Jones", "name", "Sarah Jones"),
    ],
)
def test_invented_facts_are_named(text, kind, offending, facts):
    assert (kind, offending) in kinds(text, facts)


def test_counts_up_to_the_record_count_pass_but_percentages_do_not(facts):
    assert kinds("You contacted us 3 times.", facts) == []
    assert kinds("You contacted us 4 times.", facts)  # only 3 interactions and 1 notification
    assert kinds("3% cheaper", facts)


def test_today_is_always_allowed(profile):
    facts = profile_facts(profile, dt.date(2027, 3, 9))
    assert kinds("Checked on 9 March 2027.", facts) == []


def test_non_ascii_names_are_recognised():
    profile = make_profile(name="Siobhán Ó Briain")
    facts = profile_facts(profile, TODAY)
    assert kinds("Hello Siobhán,\nThanks.", facts) == []
    assert ("name", "Siobhan") in kinds("Hello Siobhan,\n", facts)


def test_trigger_factor_must_name_a_real_field_and_value(facts):
    good = TriggerFactor(field="activity.churn_risk_score", value="85", why="likely to leave")
    assert invented_in_factor(good, facts) == []
    made_up_field = TriggerFactor(field="credit_score", value="85", why="x")
    assert [i.kind for i in invented_in_factor(made_up_field, facts)] == ["field"]
    made_up_value = TriggerFactor(field="satisfaction_score", value="7", why="x")
    assert invented_in_factor(made_up_value, facts)
