"""Offline priority analysis for Value Seekers: a weighted risk score and a plan of approach."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from notifications.analysis.analysts.offline import rules as R
from notifications.analysis.analysts.offline.signals import Signals, choose_situation, derive, local_date, long_date
from notifications.profiles.schemas import (
    SITUATION_KIND,
    CustomerProfile,
    MessageKind,
    Priority,
    PriorityAnalysis,
    ScoreComponent,
    Situation,
    TriggerFactor,
    Urgency,
)


def _fmt(value: Decimal | float) -> str:
    text = f"{Decimal(str(value)).normalize():f}"
    return text


def _score(profile: CustomerProfile, s: Signals) -> tuple[list[ScoreComponent], list[TriggerFactor]]:
    parts: list[ScoreComponent] = []
    factors: list[TriggerFactor] = []
    a = profile.activity

    def add(factor: str, points: float, field: str, value: str, why: str, *, trigger: bool = True) -> None:
        if points <= 0:
            return
        # Our own non-empty strings and numbers: no need to re-validate each one.
        parts.append(ScoreComponent.model_construct(factor=factor, points=round(points, 2)))
        if trigger:  # only what pushes towards contact is shown as a reason to contact
            factors.append(TriggerFactor.model_construct(field=field, value=value, why=why))

    if a is not None:
        churn = float(a.churn_risk_score)
        likely = churn >= R.HIGH_CHURN
        # Every point of churn risk counts towards the score, but a low one is no reason to call.
        add("churn risk", R.RISK["churn_max"] * churn / 100, "activity.churn_risk_score", _fmt(a.churn_risk_score),
            "the source system's churn model rates this customer likely to leave" if likely else
            "the source system's churn model rates a moderate risk that this customer leaves",
            trigger=churn >= R.CHURN_TRIGGER_AT)  # fmt: skip
    sat = profile.satisfaction_score
    if sat <= R.LOW_SATISFACTION:  # 1 -> the full points, LOW_SATISFACTION -> a fifth; above it, none
        points = R.RISK["satisfaction_max"] * (R.LOW_SATISFACTION + 1 - sat) / R.LOW_SATISFACTION
        add("low satisfaction", points, "satisfaction_score", str(sat),
            "the customer's own satisfaction rating is low; low scores come before switching")  # fmt: skip
    if s.open_complaints:
        n = len(s.open_complaints)
        since = long_date(local_date(s.open_complaints[-1].occurred_at))
        points = min(n * R.RISK["unresolved_complaint_each"], R.RISK["unresolved_complaint_max"])
        if s.escalated is not None:
            points += R.RISK["escalated_extra"]
        statuses = "/".join(sorted({c.resolution_status for c in s.open_complaints}))
        add("unresolved complaints", points, "interactions.resolution_status",
            f"{n} open complaint{'s' if n > 1 else ''} ({statuses}) since {since}",
            "an unresolved complaint is the strongest reason a customer leaves")  # fmt: skip
    if s.negative_recent:
        n = len(s.negative_recent)
        add("negative recent contacts", min(n * R.RISK["negative_recent_each"], R.RISK["negative_recent_max"]),
            "interactions.sentiment", f"{n} Negative since {long_date(local_date(s.negative_recent[-1].occurred_at))}",
            "recent contacts left the customer unhappy")  # fmt: skip
    if a is not None and a.engagement_score < R.ENGAGEMENT_LOW:
        add("low engagement", R.RISK["low_engagement"], "activity.engagement_score", str(a.engagement_score),
            "the customer rarely engages with their account")  # fmt: skip
    if a is not None and s.days_since_login is not None and s.days_since_login >= R.STALE_LOGIN_DAYS:
        add("no recent login", R.RISK["stale_login"], "activity.last_login", long_date(local_date(a.last_login)),
            f"no login for {s.days_since_login} days")  # fmt: skip
    if s.ignored_run >= R.IGNORED_RUN:
        add("notifications ignored", R.RISK["ignored_notifications"], "notifications.opened",
            f"{s.ignored_run} delivered in a row unopened",
            "our messages are not reaching them; change approach")  # fmt: skip
    if s.payment_difficulty:
        field, value = s.payment_evidence[0]
        add("payment difficulty", R.RISK["payment_difficulty"], field, value,
            "signs the customer may be struggling to pay: offer payment help, never sales")  # fmt: skip
    if s.high_urgency_actions:
        add("high-urgency recommended action", R.RISK["high_urgency_action"], "recommended_actions.urgency_level",
            f"High: {s.high_urgency_actions[0]}", "the source system already flagged this as urgent")  # fmt: skip
    return parts, factors


def _priority(risk: int) -> Priority:
    if risk >= R.PRIORITY_HIGH_AT:
        return Priority.HIGH
    return Priority.MEDIUM if risk >= R.PRIORITY_MEDIUM_AT else Priority.LOW


def _urgency(risk: int, s: Signals) -> Urgency:
    if risk >= R.URGENCY_IMMEDIATE_AT or s.escalated is not None or s.payment_difficulty:
        return Urgency.IMMEDIATE
    if risk >= R.URGENCY_24H_AT:
        return Urgency.WITHIN_24_HOURS
    return Urgency.WITHIN_A_WEEK if risk >= R.URGENCY_WEEK_AT else Urgency.ROUTINE


_CONTACT_REASON = {
    Situation.PAYMENT_DIFFICULTY: "Offer payment help: there are signs the customer may be struggling to pay.",
    Situation.BILLING_SUPPORT: "Resolve an open billing query before it becomes a reason to leave.",
    Situation.RETENTION: "Put right what has gone wrong for an unhappy customer at risk of leaving.",
    Situation.GREEN_UPGRADE: "The customer has shown interest in greener energy; offer a review of the Green plan.",
    Situation.ENGAGEMENT: "Re-engage a customer who has stopped reading our messages.",
    Situation.TARIFF_VALUE: "A price-conscious customer: offer a no-obligation tariff review.",
}
_STEPS = {
    Situation.PAYMENT_DIFFICULTY: [
        "Ask how they are managing, listen, and do not mention products or tariffs.",
        "Assess what they can afford (Standard Financial Statement) and agree a realistic payment plan.",
        "Check eligibility for support schemes and offer to add them to the Priority Services Register.",
        "Explain payment methods and dates they can choose, and pause any debt recovery while this is agreed.",
        "Confirm the plan in writing and book a check-in call.",
    ],
    Situation.BILLING_SUPPORT: [
        "Open the billing query and read the history before contacting them.",
        "Check the meter readings and bill calculation; correct any estimate with an actual reading.",
        "Explain the bill line by line and confirm any correction or refund in writing.",
        "Close the query only when the customer agrees it is resolved.",
    ],
    Situation.RETENTION: [
        "Read the open complaint and earlier contacts so they do not have to repeat themselves.",
        "Apologise for what went wrong and agree one owner for the fix.",
        "Fix the underlying problem and confirm what was done, with dates.",
        "Ask whether anything else is getting in the way; no offers until it is fixed.",
    ],
    Situation.GREEN_UPGRADE: [
        "Confirm what interests them about greener energy.",
        "Compare their current plan with the Green plan using their own usage.",
        "Send the comparison in writing with no pressure to decide.",
    ],
    Situation.ENGAGEMENT: [
        "Check their contact details and preferred channel are right.",
        "Send one short, useful message about managing their account.",
        "If there is still no response, pause messages rather than send more.",
    ],
    Situation.TARIFF_VALUE: [
        "Review their current tariff against their usage.",
        "Show the cheapest suitable tariff with the real annual cost, including any exit fees.",
        "Let them decide in their own time and confirm the choice in writing.",
    ],
}
_NO_CONTACT_STEPS = [
    "Do not send an automated message.",
    "Review the account notes for anything that needs a human decision.",
    "Re-assess at the next analysis run.",
]


def prioritise(profile: CustomerProfile, today: dt.date) -> PriorityAnalysis:
    s = derive(profile, today)
    parts, factors = _score(profile, s)
    total = sum(p.points for p in parts)
    risk = max(1, min(10, round(1 + total)))
    situation, no_contact = choose_situation(profile, s)
    channel = profile.preferred_channel
    if situation is not None and s.escalated is not None and R.ESCALATED_PHONE:
        channel = "Phone"  # an escalated complaint needs a person on the phone, not a template
    if not factors:  # a calm account: say so with real values rather than invent a trigger
        factors.append(
            TriggerFactor(field="satisfaction_score", value=str(profile.satisfaction_score), why="no risk signals")
        )
    kind = SITUATION_KIND[situation] if situation else None
    urgency = _urgency(risk, s)
    return PriorityAnalysis(
        risk_score=risk,
        priority=_priority(risk),
        urgency=urgency,
        contact_reason=_CONTACT_REASON[situation] if situation else no_contact,
        trigger_factors=factors,
        potential_impact=_impact(profile, risk),
        customer_insights=_insights(profile, s),
        communication_style=_style(profile, situation),
        conversation_starters=_starters(profile, s, situation),
        topics_to_avoid=_avoid(s, kind),
        resolution_steps=_STEPS[situation] if situation else _NO_CONTACT_STEPS,
        follow_up_timing=R.FOLLOW_UP[urgency.value],
        score_breakdown=parts or [ScoreComponent(factor="baseline", points=0)],
        should_contact=situation is not None,
        no_contact_reason=no_contact,
        situation=situation.value if situation else "",
        channel=channel if situation else "",
    )


def _impact(profile: CustomerProfile, risk: int) -> str:
    since = f"a customer since {profile.customer_since.year}"
    plan = f" on the {profile.activity.subscription_type} plan" if profile.activity else ""
    level = "High" if risk >= R.PRIORITY_HIGH_AT else "Moderate" if risk >= R.PRIORITY_MEDIUM_AT else "Low"
    return f"{level} risk of losing {since}{plan}; a price-conscious customer compares suppliers readily."


def _insights(profile: CustomerProfile, s: Signals) -> list[str]:
    out = [f"Prefers {profile.preferred_channel}; {profile.income_bracket} income bracket; aged {profile.age}."]
    recent = profile.notifications[:5]
    if recent:
        opened = sum(1 for n in recent if n.opened)
        out.append(f"Opened {opened} of the last {len(recent)} notifications.")
    if profile.interactions:
        last = profile.interactions[0]
        out.append(
            f"Last contact {long_date(local_date(last.occurred_at))}: {last.interaction_type} by {last.channel}, "
            f"{last.sentiment.lower()}, {last.resolution_status.lower()}."
        )
    if not s.consent.marketing:
        out.append(f"No marketing consent: {s.consent.reason}.")
    if s.escalated is not None:
        out.append("Open escalated complaint: call rather than message, whatever the preferred channel.")
    return out


def _style(profile: CustomerProfile, situation: Situation | None) -> str:
    if situation == Situation.PAYMENT_DIFFICULTY:
        return "Supportive and unhurried; no jargon, no judgement, and never a sales message."
    if situation in {Situation.RETENTION, Situation.BILLING_SUPPORT}:
        return "Plain and direct: acknowledge the problem, own the fix, give specific next steps."
    if profile.age >= R.AGE_TRADITIONAL:
        return "Courteous and clear, with figures in writing; give them time to decide."
    return "Friendly and concise; lead with their own numbers, not generic claims."


def _starters(profile: CustomerProfile, s: Signals, situation: Situation | None) -> list[str]:
    if situation == Situation.PAYMENT_DIFFICULTY:
        return [
            "How are you managing with your energy bills at the moment?",
            "What would a manageable payment look like for you?",
        ]  # noqa: E501
    if situation == Situation.BILLING_SUPPORT and s.billing_issue is not None:
        when = long_date(local_date(s.billing_issue.occurred_at))
        return [f"I'm calling about the bill query you raised on {when}.", "Can we go through the bill together?"]
    if situation == Situation.RETENTION:
        return ["I'd like to understand what has gone wrong for you.", "What would put this right for you?"]
    if situation == Situation.GREEN_UPGRADE:
        return [f"You mentioned an interest in {s.green_interest}; what would you like to know?"]
    return [f"You've been with us since {profile.customer_since.year}; is your tariff still right for you?"]


def _avoid(s: Signals, kind: MessageKind | None) -> list[str]:
    out = []
    if kind != MessageKind.MARKETING:
        out.append("Offers, upgrades or new tariffs: this is a service contact.")
    if s.payment_difficulty:
        out.append("Debt collection language or threats of prepayment meters.")
    if s.open_complaints:
        out.append("Asking them to repeat the complaint history.")
    if not s.consent.marketing:
        out.append("Any marketing: no consent.")
    return out or ["Pressure to decide quickly."]
