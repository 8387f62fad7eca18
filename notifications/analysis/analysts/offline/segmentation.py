"""Offline segmentation: transparent weighted signals per segment (weights in rules.py)."""

from __future__ import annotations

import datetime as dt

from notifications.analysis.analysts.offline import rules as R
from notifications.analysis.analysts.offline.signals import local_date
from notifications.profiles.schemas import CustomerProfile, NotificationRecord, Segment, Segmentation, SegmentReason

W = R.SEGMENT_WEIGHTS
SEGMENTS = tuple(Segment)  # iterating an Enum class is slow; this runs for every customer
_ACTIVITY_KEY = {
    "Value Seekers": "price_activity",
    "Digital Natives": "digital_activity",
    "Traditionalists": "traditional_activity",
    "Eco Savers": "green_activity",
}
_SCENARIO_KEY = {
    "Value Seekers": "price_scenario",
    "Digital Natives": "digital_scenario",
    "Traditionalists": "traditional_scenario",
    "Eco Savers": "green_scenario",
}


def _add(reasons: list[dict], field: str, value: object, segment: Segment, weight: float) -> None:
    # Plain dicts here, validated once in `segment` (pydantic's core is far faster on one nested call).
    if weight > 0:
        reasons.append({"field": field, "value": str(value), "points_to": segment, "weight": round(weight, 2)})


def segment_reasons(profile: CustomerProfile, today: dt.date) -> list[dict]:
    """Every signal that fired, naming the field and its real value."""
    out: list[dict] = []
    vs, tr, dn, eco = Segment.VALUE_SEEKERS, Segment.TRADITIONALISTS, Segment.DIGITAL_NATIVES, Segment.ECO_SAVERS

    if profile.income_bracket == "Low":
        _add(out, "income_bracket", "Low", vs, W["income_low"])
    elif profile.income_bracket == "Medium":
        _add(out, "income_bracket", "Medium", vs, W["income_medium"])

    age = profile.age
    if age >= R.AGE_TRADITIONAL:
        _add(out, "age", age, tr, W["age_60_plus"])
    elif age >= R.AGE_TRADITIONAL_LEANING:
        _add(out, "age", age, tr, W["age_50_59"])
    elif age < R.AGE_DIGITAL:
        _add(out, "age", age, dn, W["age_under_35"])
    elif age < R.AGE_DIGITAL_LEANING:
        _add(out, "age", age, dn, W["age_35_44"])

    channel = profile.preferred_channel
    if channel == "Phone":
        _add(out, "preferred_channel", channel, tr, W["prefers_phone"])
    elif channel == "App Push":
        _add(out, "preferred_channel", channel, dn, W["prefers_app_push"])
    elif channel == "SMS":
        _add(out, "preferred_channel", channel, dn, W["prefers_sms"])

    if (a := profile.activity) is not None:
        if a.subscription_type == "Green":
            _add(out, "activity.subscription_type", "Green", eco, W["subscription_green"])
        elif a.subscription_type == "Basic":
            _add(out, "activity.subscription_type", "Basic", vs, W["subscription_basic"])
        if "tariff" in a.last_transaction.lower():
            _add(out, "activity.last_transaction", a.last_transaction, vs, W["tariff_switch_transaction"])
        if a.engagement_score < R.ENGAGEMENT_LOW:
            _add(out, "activity.engagement_score", a.engagement_score, tr, W["low_engagement"])
        elif a.engagement_score >= R.ENGAGEMENT_HIGH:
            _add(out, "activity.engagement_score", a.engagement_score, dn, W["high_engagement"])
        if a.account_tenure_years >= R.LONG_TENURE_YEARS:
            _add(out, "activity.account_tenure_years", a.account_tenure_years, tr, W["long_tenure"])
        days = (today - local_date(a.last_login)).days
        if days <= R.RECENT_LOGIN_DAYS:
            _add(out, "activity.last_login", f"{a.last_login:%Y-%m-%d}", dn, W["recent_login"])
        elif days >= R.STALE_LOGIN_DAYS:
            _add(out, "activity.last_login", f"{a.last_login:%Y-%m-%d}", tr, W["no_recent_login"])
        if a.churn_risk_score >= R.HIGH_CHURN:
            _add(out, "activity.churn_risk_score", a.churn_risk_score, vs, W["high_churn"])
        for pattern, seg in R.ACTIVITY_SIGNALS:
            if a.recent_activity and R.find(pattern, a.recent_activity):
                _add(out, "activity.recent_activity", a.recent_activity, Segment(seg), W[_ACTIVITY_KEY[seg]])
                break
    if profile.satisfaction_score <= R.LOW_SATISFACTION:
        _add(out, "satisfaction_score", profile.satisfaction_score, vs, W["low_satisfaction"])
    for r in profile.recommended_actions:
        for pattern, seg in R.SCENARIO_SIGNALS:
            if R.find(pattern, r.scenario):
                _add(out, "recommended_actions.scenario", r.scenario, Segment(seg), W[_SCENARIO_KEY[seg]])
                break

    _free_text_signals(profile, out)
    _channel_mix_signals(profile, out)
    _notification_signals(profile, out)
    return out


def _free_text_signals(profile: CustomerProfile, out: list[dict]) -> None:
    price = green = 0
    price_examples: list[str] = []
    green_examples: list[str] = []
    for i in profile.interactions:
        text = f"{i.interaction_type} {i.summary}"
        # A green question that mentions a tariff ("EV tariff") is about green energy, not price.
        if R.find(R.GREEN_WORDS, text):
            green += 1
            green_examples.append(f"{i.occurred_at:%Y-%m-%d} {i.interaction_type}")
        elif R.find(R.PRICE_WORDS, text):
            price += 1
            price_examples.append(f"{i.occurred_at:%Y-%m-%d} {i.interaction_type}")
    if price:
        weight = min(price * W["price_text_per_mention"], W["price_text_max"])
        _add(out, "interactions.summary", f"{price} about prices or bills ({', '.join(price_examples[:3])})",
             Segment.VALUE_SEEKERS, weight)  # fmt: skip
    if green:
        weight = min(green * W["green_text_per_mention"], W["green_text_max"])
        _add(out, "interactions.summary", f"{green} about green energy ({', '.join(green_examples[:3])})",
             Segment.ECO_SAVERS, weight)  # fmt: skip


def _channel_mix_signals(profile: CustomerProfile, out: list[dict]) -> None:
    total = len(profile.interactions)
    if total < R.MIN_INTERACTIONS_FOR_SHARE:
        return
    digital = sum(1 for i in profile.interactions if any(p in i.channel.lower() for p in R.DIGITAL_CHANNEL_PARTS))
    traditional = sum(
        1 for i in profile.interactions if any(p in i.channel.lower() for p in R.TRADITIONAL_CHANNEL_PARTS)
    )
    if digital / total > R.MAJORITY_SHARE:
        _add(out, "interactions.channel", f"{digital} of {total} digital", Segment.DIGITAL_NATIVES,
             W["digital_interactions_majority"])  # fmt: skip
    elif traditional / total > R.MAJORITY_SHARE:
        _add(out, "interactions.channel", f"{traditional} of {total} phone or post", Segment.TRADITIONALISTS,
             W["traditional_interactions_majority"])  # fmt: skip


SCALE = ", ".join(f"{kind} {points:g}" for kind, points in R.ENGAGEMENT_POINTS.items())  # "open 1, click 1.5, …"


def _engagement_points(n: NotificationRecord) -> float:
    points = R.ENGAGEMENT_POINTS
    if n.action_taken:
        return points["action"]
    return points["click"] if n.clicked else points["open"]


def _notification_signals(profile: CustomerProfile, out: list[dict]) -> None:
    engaged = {Segment.VALUE_SEEKERS: 0.0, Segment.ECO_SAVERS: 0.0, Segment.DIGITAL_NATIVES: 0.0}
    hours = []
    for n in profile.notifications:
        if not n.opened:
            continue
        if n.response_time_hours is not None:
            hours.append(n.response_time_hours)
        if R.find(R.GREEN_WORDS, n.notification_type):
            engaged[Segment.ECO_SAVERS] += _engagement_points(n)
        elif R.find(R.DIGITAL_NOTIFICATION_WORDS, n.notification_type):
            engaged[Segment.DIGITAL_NATIVES] += _engagement_points(n)
        elif R.find(R.PRICE_WORDS, n.notification_type):
            engaged[Segment.VALUE_SEEKERS] += _engagement_points(n)
    for seg, label, each, most in (
        (Segment.VALUE_SEEKERS, "price or tariff", "price_notification_engaged_each", "price_notification_max"),
        (Segment.ECO_SAVERS, "green", "green_notification_engaged_each", "green_notification_max"),
        (Segment.DIGITAL_NATIVES, "app or usage", "digital_notification_engaged_each", "digital_notification_max"),
    ):
        if points := engaged[seg]:
            _add(out, "notifications.notification_type", f"{label} notifications engaged with: {points:g} points "
                 f"({SCALE})", seg, min(points * W[each], W[most]))  # fmt: skip
    if hours:
        median = sorted(hours)[len(hours) // 2]
        if median <= R.QUICK_RESPONSE_HOURS:
            _add(out, "notifications.response_time_hours", f"median {median}", Segment.DIGITAL_NATIVES,
                 W["quick_to_respond"])  # fmt: skip
        elif median >= R.SLOW_RESPONSE_HOURS:
            _add(out, "notifications.response_time_hours", f"median {median}", Segment.TRADITIONALISTS,
                 W["slow_to_respond"])  # fmt: skip


def segment(profile: CustomerProfile, today: dt.date) -> Segmentation:
    reasons = segment_reasons(profile, today)
    totals = dict.fromkeys(SEGMENTS, 0.0)
    for reason in reasons:
        totals[reason["points_to"]] += reason["weight"]
    grand = sum(totals.values())
    if grand == 0:
        fallback = Segment(R.NO_SIGNAL_SEGMENT)
        reason = SegmentReason(field="profile", value="no distinguishing signals", points_to=fallback, weight=0)
        return Segmentation(segment=fallback, confidence=R.NO_SIGNAL_CONFIDENCE, reasons=[reason])
    # Ties go to the earlier segment in the enum: deterministic.
    winner = max(SEGMENTS, key=totals.__getitem__)
    confidence = round(totals[winner] / grand, 2)
    # Strongest evidence first; the winner's reasons lead so the card reads well.
    reasons.sort(key=lambda r: (r["points_to"] != winner, -r["weight"]))
    return Segmentation.model_validate({"segment": winner, "confidence": confidence, "reasons": reasons})
