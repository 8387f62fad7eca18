"""Segment reasons cite a real field with the customer's actual value (notifications/analysts/segment_grounding.py)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from notifications.analysis.analysts.offline import OfflineAnalyst
from notifications.content.grounding import profile_facts
from notifications.content.segment_grounding import reason_problems, support_share
from notifications.profiles.schemas import Segmentation
from tests.fakes.profiles import TODAY, activity, at, make_profile

PROFILE = make_profile(activity=activity(last_login=at("2026-11-01", "09:30"), engagement_score=62))
FACTS = profile_facts(PROFILE, TODAY)


def problems(field: str, value: str, points_to: str = "Value Seekers", segment: str = "Value Seekers") -> list[str]:
    reason = {"field": field, "value": value, "points_to": points_to, "weight": 1}
    answer = Segmentation.model_validate({"segment": segment, "confidence": 0.7, "reasons": [reason]})
    return reason_problems(answer, PROFILE, FACTS)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("income_bracket", "Low"),
        ("income_bracket", "low income"),
        ("age", "41"),
        ("activity.engagement_score", "62"),
        ("engagement_score", "62"),
        ("activity.subscription_type", "Basic plan"),
        ("activity.last_login", "1 November 2026"),
        ("activity.last_login", "2026-11-01"),
        ("customer_since", "2019-04-01"),
        ("interactions.summary", "Asked whether a cheaper tariff is available."),
        ("interactions[0].summary", "a cheaper tariff"),
        ("interactions.interaction_type", "Query"),
        ("notifications.notification_type", "Tariff Offer"),
        ("notifications.opened", "True"),
    ],
)
def test_real_fields_with_real_values_pass(field, value):
    assert problems(field, value) == []


@pytest.mark.parametrize(
    ("field", "value", "problem"),
    [
        ("price_sensitivity", "very high", "'price_sensitivity' is not a field of the customer's record"),
        ("interactions", "many", "'interactions' is not a field of the customer's record"),
        ("interactions.mood", "angry", "'interactions.mood' is not a field of the customer's record"),
        ("income_bracket", "High", "the customer's income_bracket is not 'High'"),
        ("age", "29", "the customer's age is not '29'"),
        ("engagement_score", "62 out of 100", "number '100' is not in the customer's record"),
        ("activity.last_login", "3 November 2026", "the customer's activity.last_login is not '3 November 2026'"),
        ("interactions.summary", "Threatened to switch to a rival",
         "the customer's interactions.summary is not 'Threatened to switch to a rival'"),
        ("interactions.summary", "Asked whether a cheaper tariff is available for £40 less",
         "money '£40' is not in the customer's record"),
    ],
)  # fmt: skip
def test_invented_fields_and_values_are_named(field, value, problem):
    assert problems(field, value) == [f"reason {field!r}={value!r}: {problem}"]


def test_a_reason_must_support_the_chosen_segment():
    assert problems("income_bracket", "Low", points_to="Value Seekers", segment="Eco Savers") == [
        "no reason points to the chosen segment 'Eco Savers'"
    ]


def test_support_share_of_the_offline_evidence():
    reasons = OfflineAnalyst(today=TODAY).segment(make_profile(age=72, preferred_channel="Phone")).reasons
    assert support_share(reasons, "Traditionalists") == 0.5  # 4.5 of 9 points
    assert support_share(reasons, "Eco Savers") == 0.0
    assert support_share([], "Eco Savers") is None


def test_every_offline_segmentation_of_generated_customers_is_grounded():
    """The offline scorer's own answers (as a model that follows the rules would give them) always pass."""
    from customers import demo_data
    from tests.fakes.generated import profiles_from_csv

    analyst = OfflineAnalyst(today=TODAY)
    with tempfile.TemporaryDirectory() as tmp:
        demo_data.generate_dataset(Path(tmp), customers=400, seed=11, with_personas=True, as_of=TODAY)
        profiles, _ = profiles_from_csv(Path(tmp))
    failing = {}
    for profile in profiles:
        answer = analyst.segment(profile)
        if found := reason_problems(answer, profile, profile_facts(profile, TODAY), answer.reasons):
            failing[profile.customer_id] = found
    assert len(profiles) == 400 and failing == {}
