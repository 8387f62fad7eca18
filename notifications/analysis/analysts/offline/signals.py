"""The facts the priority rules and the drafts both read, derived once per profile."""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from notifications.analysis.analysts.offline import rules as R
from notifications.profiles.consent import Consent, marketing_consent
from notifications.profiles.schemas import CustomerProfile, InteractionRecord, Situation

LONDON = ZoneInfo("Europe/London")
TITLES = {"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "lady", "lord", "rev"}


def local_date(stamp: dt.datetime) -> dt.date:
    return (stamp.astimezone(LONDON) if stamp.tzinfo else stamp).date()


def long_date(day: dt.date) -> str:
    """British long form: 1 August 2025."""
    return f"{day.day} {day:%B %Y}"


def first_name(full_name: str) -> str:
    tokens = [t for t in full_name.split() if t.strip(".").lower() not in TITLES]
    return tokens[0] if tokens else full_name.strip()


@dataclass
class Signals:
    today: dt.date
    consent: Consent
    closed: bool = False
    open_complaints: list[InteractionRecord] = field(default_factory=list)  # Pending or Escalated, newest first
    escalated: InteractionRecord | None = None  # the newest open escalated complaint
    billing_issue: InteractionRecord | None = None  # newest open interaction about a bill
    payment_evidence: list[tuple[str, str]] = field(default_factory=list)  # (field, value)
    negative_recent: list[InteractionRecord] = field(default_factory=list)
    ignored_run: int = 0  # latest delivered notifications in a row left unopened
    days_since_login: int | None = None
    green_interest: str = ""  # the words that showed it, if any
    high_urgency_actions: list[str] = field(default_factory=list)

    @property
    def payment_difficulty(self) -> bool:
        return bool(self.payment_evidence)


_last = threading.local()


def derive(profile: CustomerProfile, today: dt.date) -> Signals:
    """The signals for this profile; prioritise and draft ask for the same customer in turn, so keep the last."""
    cached = getattr(_last, "value", None)
    if cached is not None and cached[0] is profile and cached[1] == today:
        return cached[2]
    signals = _derive(profile, today)
    _last.value = (profile, today, signals)
    return signals


def _derive(profile: CustomerProfile, today: dt.date) -> Signals:
    s = Signals(today=today, consent=marketing_consent(profile))
    a = profile.activity
    if a is not None:
        s.closed = a.account_status.strip().lower() in R.CLOSED_STATUSES
        s.days_since_login = (today - local_date(a.last_login)).days
        if R.find(R.PAYMENT_STATUS_WORDS, a.account_status):
            s.payment_evidence.append(("activity.account_status", a.account_status))
        if R.find(R.PAYMENT_TRANSACTION_WORDS, a.last_transaction):
            s.payment_evidence.append(("activity.last_transaction", a.last_transaction))
        if R.find(R.PAYMENT_DIFFICULTY_WORDS, a.recent_activity):
            s.payment_evidence.append(("activity.recent_activity", a.recent_activity))
        if a.subscription_type != "Green" and (m := R.find(R.GREEN_WORDS, a.recent_activity)):
            s.green_interest = m
    for i in profile.interactions:
        open_ = i.resolution_status in {"Pending", "Escalated"}
        text = f"{i.interaction_type} {i.summary}"
        if open_ and i.interaction_type.lower() == "complaint":
            s.open_complaints.append(i)
            if i.resolution_status == "Escalated" and s.escalated is None:
                s.escalated = i
        if open_ and s.billing_issue is None and R.find(R.BILLING_WORDS, text):
            s.billing_issue = i
        if R.find(R.PAYMENT_DIFFICULTY_WORDS, i.interaction_type):
            s.payment_evidence.append(("interactions.interaction_type", i.interaction_type))
        elif R.find(R.PAYMENT_DIFFICULTY_WORDS, i.summary):
            s.payment_evidence.append((f"interactions[{local_date(i.occurred_at)}].summary", _quote(i.summary)))
        if i.sentiment == "Negative" and (today - local_date(i.occurred_at)).days <= R.RECENT_DAYS:
            s.negative_recent.append(i)
        if not s.green_interest and (m := R.find(R.GREEN_WORDS, text)):
            s.green_interest = m
    if a is not None and a.subscription_type == "Green":
        s.green_interest = ""  # already on the green plan: nothing to upgrade to
    for n in profile.notifications[:5]:  # we ourselves chased a missed payment recently
        if R.find(R.PAYMENT_DIFFICULTY_WORDS, n.notification_type):
            s.payment_evidence.append(("notifications.notification_type", n.notification_type))
            break
    for n in profile.notifications:
        if n.delivery_status != "Delivered":
            continue
        if n.opened:
            break
        s.ignored_run += 1
    s.high_urgency_actions = [r.scenario for r in profile.recommended_actions if r.urgency_level == "High"]
    return s


def _quote(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def choose_situation(profile: CustomerProfile, s: Signals) -> tuple[Situation | None, str]:
    """The situation to write about, or None with the reason not to contact.

    Service needs come first (a struggling or unhappy customer gets help, never
    an offer); marketing only with consent and no open problem.
    """
    if s.closed:
        return None, f"Account status is {profile.activity.account_status}: no outreach to a closed account."
    if s.payment_difficulty:
        return Situation.PAYMENT_DIFFICULTY, ""
    if s.billing_issue is not None:
        return Situation.BILLING_SUPPORT, ""
    churn = profile.activity.churn_risk_score if profile.activity else 0
    if (
        s.open_complaints
        or profile.satisfaction_score <= R.RETENTION_SATISFACTION_AT
        or (churn >= R.RETENTION_CHURN_AT and s.negative_recent)
    ):
        return Situation.RETENTION, ""
    if not s.consent.marketing:
        return None, f"No open service need, and no marketing consent ({s.consent.reason})."
    if s.green_interest:
        return Situation.GREEN_UPGRADE, ""
    engagement = profile.activity.engagement_score if profile.activity else 0
    if engagement < R.ENGAGEMENT_SITUATION_BELOW and s.ignored_run >= R.IGNORED_RUN:
        return Situation.ENGAGEMENT, ""
    return Situation.TARIFF_VALUE, ""
