"""Table tests: one row per offline rule (segmentation signals, risk, priority, urgency, situation)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from notifications.analysis.analysts.offline import OfflineAnalyst
from notifications.analysis.analysts.offline import rules as R
from notifications.analysis.analysts.offline.segmentation import segment_reasons
from notifications.profiles.schemas import Segment
from tests.fakes.profiles import TODAY, action, activity, at, interaction, make_profile, notification

analyst = OfflineAnalyst(today=TODAY)
VS, TR, DN, ECO = Segment.VALUE_SEEKERS, Segment.TRADITIONALISTS, Segment.DIGITAL_NATIVES, Segment.ECO_SAVERS


def neutral(**overrides):
    """A profile with no segment signal at all; each test adds one."""
    data = {
        "age": 47,
        "income_bracket": "High",
        "preferred_channel": "Email",
        "satisfaction_score": 8,
        "activity": activity(
            subscription_type="Premium",
            engagement_score=50,
            last_login=at("2026-10-01"),
            recent_activity="",
            last_transaction="",
            churn_risk_score=Decimal("20"),
        ),  # fmt: skip
        "interactions": (),
        "notifications": (),
    }
    data.update(overrides)
    return make_profile(**data)


def test_no_signal_profile_falls_back_with_low_confidence():
    result = analyst.segment(neutral())
    assert result.segment == Segment(R.NO_SIGNAL_SEGMENT)
    assert result.confidence == R.NO_SIGNAL_CONFIDENCE


@pytest.mark.parametrize(
    ("overrides", "field", "segment", "weight"),
    [
        ({"income_bracket": "Low"}, "income_bracket", VS, R.SEGMENT_WEIGHTS["income_low"]),
        ({"age": 72}, "age", TR, R.SEGMENT_WEIGHTS["age_60_plus"]),
        ({"age": 24}, "age", DN, R.SEGMENT_WEIGHTS["age_under_35"]),
        ({"preferred_channel": "Phone"}, "preferred_channel", TR, R.SEGMENT_WEIGHTS["prefers_phone"]),
        ({"preferred_channel": "App Push"}, "preferred_channel", DN, R.SEGMENT_WEIGHTS["prefers_app_push"]),
        ({"satisfaction_score": 3}, "satisfaction_score", VS, R.SEGMENT_WEIGHTS["low_satisfaction"]),
        (
            {"activity": activity(subscription_type="Green", recent_activity="", last_login=at("2026-10-01"))},
            "activity.subscription_type", ECO, R.SEGMENT_WEIGHTS["subscription_green"],
        ),
        (
            {"activity": activity(subscription_type="Premium", recent_activity="Used the tariff comparison tool",
                                  last_login=at("2026-10-01"))},
            "activity.recent_activity", VS, R.SEGMENT_WEIGHTS["price_activity"],
        ),
        (
            {"activity": activity(subscription_type="Premium", recent_activity="Topped up in the app",
                                  last_login=at("2026-10-01"))},
            "activity.recent_activity", DN, R.SEGMENT_WEIGHTS["digital_activity"],
        ),
        (
            {"activity": activity(subscription_type="Premium", engagement_score=90, recent_activity="",
                                  last_login=at("2026-10-01"))},
            "activity.engagement_score", DN, R.SEGMENT_WEIGHTS["high_engagement"],
        ),
        (
            {"activity": activity(subscription_type="Premium", engagement_score=10, recent_activity="",
                                  last_login=at("2026-10-01"))},
            "activity.engagement_score", TR, R.SEGMENT_WEIGHTS["low_engagement"],
        ),
        (
            {"activity": activity(subscription_type="Premium", recent_activity="", last_login=at("2026-11-22"))},
            "activity.last_login", DN, R.SEGMENT_WEIGHTS["recent_login"],
        ),
        (
            {"activity": activity(subscription_type="Premium", recent_activity="", last_login=at("2026-06-01"))},
            "activity.last_login", TR, R.SEGMENT_WEIGHTS["no_recent_login"],
        ),
        (
            {"interactions": (interaction(summary="Asked about solar panels and export payments"),)},
            "interactions.summary", ECO, R.SEGMENT_WEIGHTS["green_text_per_mention"],
        ),
        (
            {"interactions": (interaction(channel="Email", summary="Wants a cheaper tariff"),
                              interaction(channel="Email", summary="Price rise"))},
            "interactions.summary", VS, 2 * R.SEGMENT_WEIGHTS["price_text_per_mention"],
        ),
        (
            {"interactions": (interaction(channel="Letter"), interaction(channel="Phone"))},
            "interactions.channel", TR, R.SEGMENT_WEIGHTS["traditional_interactions_majority"],
        ),
        (
            {"interactions": (interaction(channel="In-App Chat"), interaction(channel="In-App Chat"))},
            "interactions.channel", DN, R.SEGMENT_WEIGHTS["digital_interactions_majority"],
        ),
        (
            {"notifications": (notification(notification_type="Carbon Savings Report", response_time_hours=None),)},
            "notifications.notification_type", ECO, R.SEGMENT_WEIGHTS["green_notification_engaged_each"],
        ),
        (
            {"notifications": (notification(notification_type="Tariff Saving Offer", response_time_hours=None),)},
            "notifications.notification_type", VS, R.SEGMENT_WEIGHTS["price_notification_engaged_each"],
        ),
        (
            {"recommended_actions": (action(scenario="Paper billing preference"),)},
            "recommended_actions.scenario", TR, R.SEGMENT_WEIGHTS["traditional_scenario"],
        ),
    ],
)  # fmt: skip
def test_each_segment_signal_names_its_field_value_and_weight(overrides, field, segment, weight):
    base = {(r["field"], r["points_to"]) for r in segment_reasons(neutral(), TODAY)}
    reasons = [r for r in segment_reasons(neutral(**overrides), TODAY) if (r["field"], r["points_to"]) not in base]
    assert [(r["field"], r["points_to"], r["weight"]) for r in reasons] == [(field, segment, weight)]
    assert reasons[0]["value"]  # quotes the real value


def test_a_click_or_an_action_weighs_more_than_an_open():
    def weight(**engagement):
        note = notification(notification_type="Carbon Savings Report", response_time_hours=None, **engagement)
        reasons = segment_reasons(neutral(notifications=(note,)), TODAY)
        return next(r["weight"] for r in reasons if r["field"] == "notifications.notification_type")

    opened, clicked, actioned = weight(), weight(clicked=True), weight(clicked=True, action_taken="Switched tariff")
    assert opened < clicked < actioned <= R.SEGMENT_WEIGHTS["green_notification_max"]


def test_unopened_notifications_are_not_a_signal():
    profile = neutral(notifications=(notification(notification_type="Tariff Saving Offer", opened=False),))
    assert all(r["field"] != "notifications.notification_type" for r in segment_reasons(profile, TODAY))


def test_winner_and_confidence_are_the_share_of_points():
    profile = neutral(age=72, preferred_channel="Phone", income_bracket="Low")
    result = analyst.segment(profile)
    total = R.SEGMENT_WEIGHTS["age_60_plus"] + R.SEGMENT_WEIGHTS["prefers_phone"]
    assert result.segment == TR
    assert result.confidence == round(total / (total + R.SEGMENT_WEIGHTS["income_low"]), 2)
    assert result.reasons[0].points_to == TR  # the winner's evidence leads


# --- priority ------------------------------------------------------------------------------------


def value_seeker(**overrides):
    return make_profile(**overrides)


def test_risk_score_is_one_plus_the_weighted_components():
    profile = value_seeker(activity=activity(churn_risk_score=Decimal("50")), satisfaction_score=10)
    result = analyst.prioritise(profile)
    points = {c.factor: c.points for c in result.score_breakdown}
    assert points == {"churn risk": R.RISK["churn_max"] / 2}
    assert result.risk_score == round(1 + R.RISK["churn_max"] / 2)
    assert [(f.field, f.value) for f in result.trigger_factors] == [("activity.churn_risk_score", "50")]


@pytest.mark.parametrize(
    ("churn", "satisfaction", "priority"),
    [("95", 1, "High"), ("60", 5, "Medium"), ("10", 9, "Low")],
)
def test_priority_bands(churn, satisfaction, priority):
    profile = value_seeker(activity=activity(churn_risk_score=Decimal(churn)), satisfaction_score=satisfaction)
    assert analyst.prioritise(profile).priority == priority


@pytest.mark.parametrize(
    ("satisfaction", "points"),
    [(1, 2.0), (3, 1.2), (5, 0.4), (6, None), (8, None), (10, None)],  # 2 × (6 - score) / 5, from 5 down
)
def test_satisfaction_is_a_trigger_only_when_low(satisfaction, points):
    profile = value_seeker(activity=activity(churn_risk_score=Decimal("50")), satisfaction_score=satisfaction)
    result = analyst.prioritise(profile)
    breakdown = {c.factor: c.points for c in result.score_breakdown}
    assert breakdown.get("low satisfaction") == points
    factors = [(f.field, f.value) for f in result.trigger_factors]
    assert (("satisfaction_score", str(satisfaction)) in factors) == (points is not None)


@pytest.mark.parametrize(
    ("churn", "why"),
    [
        ("20", None),  # scores 0.8 points, but a low churn risk is no reason to call
        ("45", "the source system's churn model rates a moderate risk that this customer leaves"),
        ("85", "the source system's churn model rates this customer likely to leave"),
    ],
)
def test_churn_is_a_trigger_only_from_a_moderate_risk_and_says_how_likely(churn, why):
    result = analyst.prioritise(value_seeker(activity=activity(churn_risk_score=Decimal(churn)), satisfaction_score=9))
    assert {c.factor: c.points for c in result.score_breakdown}["churn risk"] == float(churn) * 4 / 100
    churn_factors = [f.why for f in result.trigger_factors if f.field == "activity.churn_risk_score"]
    assert churn_factors == ([why] if why else [])


def open_complaint(status="Pending", summary="Engineer never turned up", day="2026-11-10"):
    return interaction(interaction_type="Complaint", resolution_status=status, sentiment="Negative",
                       summary=summary, occurred_at=at(day))  # fmt: skip


@pytest.mark.parametrize(
    ("overrides", "situation", "kind_channel", "urgency"),
    [
        ({"interactions": (interaction(summary="Struggling to pay since losing my job"),)},
         "payment_difficulty", "Email", "Immediate"),
        ({"activity": activity(recent_activity="Missed direct debit payment")}, "payment_difficulty", "Email",
         "Immediate"),
        ({"interactions": (interaction(interaction_type="Payment Arrangement", summary=""),)},
         "payment_difficulty", "Email", "Immediate"),
        ({"interactions": (open_complaint(summary="Overcharged on my last bill"),)}, "billing_support", "Email", None),
        ({"interactions": (open_complaint(),)}, "retention", "Email", None),
        ({"interactions": (open_complaint(status="Escalated"),)}, "retention", "Phone", "Immediate"),
        ({"satisfaction_score": 2}, "retention", "Email", None),
        ({"activity": activity(recent_activity="Registered an EV charger")}, "green_upgrade", "Email", None),
        ({}, "tariff_value", "Email", None),
    ],
)  # fmt: skip
def test_situation_rules(overrides, situation, kind_channel, urgency):
    result = analyst.prioritise(value_seeker(**overrides))
    assert result.should_contact
    assert (result.situation, result.channel) == (situation, kind_channel)
    if urgency:
        assert result.urgency == urgency


def test_service_need_outranks_marketing_and_no_consent_without_need_means_no_contact():
    no_consent = value_seeker(opted_in=False)
    result = analyst.prioritise(no_consent)
    assert not result.should_contact and "marketing consent" in result.no_contact_reason
    assert result.situation == "" and len(result.resolution_steps) >= 3
    with_problem = value_seeker(opted_in=False, interactions=(open_complaint(summary="Bill doubled"),))
    assert analyst.prioritise(with_problem).situation == "billing_support"


def test_closed_account_is_not_contacted():
    result = analyst.prioritise(value_seeker(activity=activity(account_status="Closed")))
    assert not result.should_contact
    assert "Closed" in result.no_contact_reason


def test_ignored_notifications_lead_to_engagement_when_consented():
    profile = value_seeker(
        activity=activity(engagement_score=20),
        notifications=tuple(notification(n, opened=False) for n in range(R.IGNORED_RUN)),
    )
    result = analyst.prioritise(profile)
    assert result.situation == "engagement"
    assert any(f.field == "notifications.opened" for f in result.trigger_factors)
