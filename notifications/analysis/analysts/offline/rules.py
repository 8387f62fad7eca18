"""Every weight and threshold the offline analyst uses, in one place.

Change a number here and the tests that pin the behaviour tell you what moved.
Each weight is in points; a segment's score is the sum of the points of the
signals that fired, and the risk score is 1 + the sum of its components,
clamped to 1–10. Reasons and the score breakdown quote each signal by field
name and real value, so an agent can see exactly why.
"""

from __future__ import annotations

import functools
import re

from customers import selectors as customer_selectors

RULES_VERSION = "offline-rules-1"

# --- segmentation ------------------------------------------------------------------
# Words in free text (interaction summaries, recent activity, last transaction,
# notification types) that show what a customer cares about.
PRICE_WORDS = re.compile(
    r"\b(prices?|pricing|price cap|cheap(?:er|est)?|costs?|costly|tariffs?|discounts?|deals?|compar\w*|"
    r"switch(?:ing)? supplier|shopping around|afford\w*|expensive|savings?|exit fees?|standing charge|"
    r"unit rates?|rise|rises|increased?|went up|higher than expected|bill shock|double|fixed (?:rate|tariff)|"
    r"refunds?|credit balance|overcharg\w*)\b",
    re.I,
)
GREEN_WORDS = re.compile(
    r"\b(green|renewables?|solar|wind|eco|carbon|emissions?|heat pumps?|ev|electric (?:car|vehicle)s?|"
    r"sustainab\w*|climate|insulation|smart export|export (?:meter|reading)s?|net zero|battery)\b",
    re.I,
)
# What the source system logged as the customer's latest online (or offline) activity.
ACTIVITY_SIGNALS = (
    (re.compile(r"tariff comparison|exit fees|price cap|bill breakdown|direct debit", re.I), "Value Seekers"),
    (re.compile(r"\bapp\b|half-hourly|push notification|topped up", re.I), "Digital Natives"),
    (re.compile(r"by phone|paper bill|called customer services|no online activity|by post", re.I),
     "Traditionalists"),
    (GREEN_WORDS, "Eco Savers"),
)  # fmt: skip
# The source system's own next-best action says what it thinks the customer cares about.
SCENARIO_SIGNALS = (
    (GREEN_WORDS, "Eco Savers"),
    (re.compile(r"\bapp\b|time-of-use|digital", re.I), "Digital Natives"),
    (re.compile(r"paper|meter reading|priority services|smart meter offer", re.I), "Traditionalists"),
    (re.compile(r"tariff review|fixed tariff|churn|bill shock|direct debit", re.I), "Value Seekers"),
)
DIGITAL_NOTIFICATION_WORDS = re.compile(r"\b(app|usage insight)\b", re.I)
# Interaction channels, matched as substrings of the channel name ("In-App Chat", "Letter").
DIGITAL_CHANNEL_PARTS = ("app", "social")  # web chat and email are used by everyone
TRADITIONAL_CHANNEL_PARTS = ("phone", "letter", "post", "in person", "in-person", "branch", "visit")

SEGMENT_WEIGHTS = {
    # Value Seekers: price sensitivity shows in what they ask about and click.
    "income_low": 1.5,
    "income_medium": 0.5,
    "subscription_basic": 1.0,
    "tariff_switch_transaction": 1.5,
    "price_text_per_mention": 1.0,
    "price_text_max": 3.0,
    "price_notification_engaged_each": 1.0,
    "price_notification_max": 2.0,
    "price_activity": 1.5,
    "price_scenario": 1.0,
    "high_churn": 1.0,  # price-sensitive customers are the ones who shop around and leave
    "low_satisfaction": 0.5,
    # Traditionalists: older, phone first, little digital activity, long-standing.
    "age_60_plus": 2.5,
    "age_50_59": 1.0,
    "prefers_phone": 2.0,
    "traditional_interactions_majority": 1.5,
    "low_engagement": 1.0,
    "long_tenure": 0.5,
    "no_recent_login": 1.0,
    "traditional_activity": 1.5,
    "traditional_scenario": 1.0,
    "slow_to_respond": 0.5,
    # Digital Natives: younger, app and chat first, log in often.
    "age_under_35": 2.5,
    "age_35_44": 0.5,
    "prefers_app_push": 2.5,
    "prefers_sms": 0.5,
    "digital_interactions_majority": 1.5,
    "high_engagement": 1.5,
    "recent_login": 1.0,
    "digital_activity": 1.5,
    "digital_scenario": 1.0,
    "digital_notification_engaged_each": 0.5,
    "digital_notification_max": 1.0,
    "quick_to_respond": 0.5,
    # Eco Savers: on the green tariff, or asking about green topics.
    "subscription_green": 3.5,
    "green_text_per_mention": 1.5,
    "green_text_max": 3.0,
    "green_notification_engaged_each": 1.0,
    "green_notification_max": 2.0,
    "green_activity": 2.0,
    "green_scenario": 1.0,
}
# How much one notification engaged the customer: a click or an action says more about their
# interest than an open (and opens are the least reliable: image proxies open mail too).
ENGAGEMENT_POINTS = {"open": 1.0, "click": 1.5, "action": 2.0}
AGE_TRADITIONAL = 60
AGE_TRADITIONAL_LEANING = 50
AGE_DIGITAL = 35
AGE_DIGITAL_LEANING = 45
ENGAGEMENT_LOW = 35  # engagement_score below this is low
ENGAGEMENT_HIGH = 70  # at or above this is high
RECENT_LOGIN_DAYS = 7
HIGH_CHURN = 60  # churn_risk_score at or above this
LOW_SATISFACTION = 5  # satisfaction_score at or below this
QUICK_RESPONSE_HOURS = 2  # median hours to open our notifications
SLOW_RESPONSE_HOURS = 24
STALE_LOGIN_DAYS = 60
LONG_TENURE_YEARS = 10
MAJORITY_SHARE = 0.5  # more than half of the customer's interactions
MIN_INTERACTIONS_FOR_SHARE = 2
# Confidence is the winner's share of all points, so 0.25 means "no idea" with four
# segments; with no signal at all the customer is put in the most common segment.
NO_SIGNAL_SEGMENT = "Traditionalists"
NO_SIGNAL_CONFIDENCE = 0.25

# --- priority (Value Seekers) -----------------------------------------------------------
RISK = {
    "churn_max": 4.0,  # churn_risk_score 100% -> 4 points, linearly
    "satisfaction_max": 2.0,  # satisfaction 1 -> 2 points, LOW_SATISFACTION (5) -> 0.4, above it -> 0
    "unresolved_complaint_each": 1.0,
    "unresolved_complaint_max": 2.0,
    "escalated_extra": 0.5,
    "negative_recent_each": 0.25,
    "negative_recent_max": 1.0,
    "low_engagement": 0.5,
    "stale_login": 0.5,
    "ignored_notifications": 0.5,
    "payment_difficulty": 1.0,
    "high_urgency_action": 0.5,
}
CHURN_TRIGGER_AT = 40  # churn_risk_score at or above this is shown as a trigger factor (it always scores)
RECENT_DAYS = 90  # "recent" interactions for sentiment
IGNORED_RUN = 3  # the last N delivered notifications all unopened
PRIORITY_HIGH_AT = 7  # risk_score >= 7 -> High
PRIORITY_MEDIUM_AT = 4  # risk_score >= 4 -> Medium, else Low
URGENCY_IMMEDIATE_AT = 9
URGENCY_24H_AT = 7
URGENCY_WEEK_AT = 4
FOLLOW_UP = {
    "Immediate": "Call back within 1 working day if there is no reply.",
    "Within 24 hours": "Follow up after 2 working days if there is no reply.",
    "Within a week": "Follow up after 1 week if there is no reply.",
    "Routine": "Review at the next monthly check; no chaser needed.",
}

# --- situations ----------------------------------------------------------------------
# SLC 27.5: "reason to believe" a customer is struggling to pay.
PAYMENT_DIFFICULTY_WORDS = re.compile(
    r"\b(struggl\w*|can'?t afford|cannot afford|unable to pay|arrears|debt|in debt|payment plan|"
    r"missed (?:\w+ ){0,3}payments?|late payments?|hardship|behind on|overdue|payment difficult\w*|"
    r"payment arrangements?|help with (?:my |the |their )?bills|"
    r"food bank|lost (?:my|his|her|their) job|redundan\w*)\b",
    re.I,
)
PAYMENT_TRANSACTION_WORDS = re.compile(
    r"\b(missed|failed|late|declined|returned|bounced)\b.*\bpayment|arrears|debt", re.I
)
PAYMENT_STATUS_WORDS = re.compile(r"\b(arrears|overdue|debt|collections?|payment plan)\b", re.I)
BILLING_WORDS = re.compile(
    r"\b(bills?|billing|billed|charged?|charges|overcharg\w*|refunds?|direct debit|invoice|statement|"
    r"estimated? reading|meter readings?|balance|credit)\b",
    re.I,
)
# One list of "the customer has gone" statuses, shared with the holdout's outcome reading.
CLOSED_STATUSES = customer_selectors.CLOSED_STATUSES
RETENTION_CHURN_AT = 70  # churn_risk_score >= this with a recent negative contact -> retention
RETENTION_SATISFACTION_AT = 3  # satisfaction_score <= this -> retention (they told us they are unhappy)
ESCALATED_PHONE = True  # an open escalated complaint gets a call from a person, not a message
ENGAGEMENT_SITUATION_BELOW = 40  # marketing "engagement" message when engagement_score is below this


@functools.lru_cache(maxsize=1 << 16)
def find(pattern: re.Pattern[str], text: str) -> str:
    """The first match of `pattern` in `text`, or "".

    Cached: the same texts (activity labels, notification types, scenarios, templated
    agent notes) recur across thousands of customers, and regex scans dominate the cost.
    """
    match = pattern.search(text)
    return match.group(0) if match else ""
