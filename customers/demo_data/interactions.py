"""Rows for `Interaction History.csv`: what the customer contacted us about, and how it went."""

from __future__ import annotations

import random

from customers.demo_data.clock import Calendar
from customers.demo_data.personas import CHANNEL, DIGITAL, GREEN, PRICE, TOPICS, TRADITIONAL, Customer
from customers.demo_data.sampling import Weighted
from customers.demo_data.texts import TOPIC_MIX, awkward, fill
from customers.demo_data.texts import TOPICS as TOPIC_TEXT

COUNTS = {
    PRICE: Weighted.of({0: 22, 1: 36, 2: 24, 3: 11, 4: 4, 5: 2, 6: 1}),
    TRADITIONAL: Weighted.of({0: 50, 1: 32, 2: 13, 3: 4, 4: 1}),
    DIGITAL: Weighted.of({0: 55, 1: 30, 2: 11, 3: 3, 4: 1}),
    GREEN: Weighted.of({0: 38, 1: 35, 2: 18, 3: 6, 4: 3}),
}

CHANNELS = {
    PRICE: Weighted.of({"Phone": 36, "Web Chat": 30, "Email": 25, "SMS": 5, "In-App Chat": 4}),
    TRADITIONAL: Weighted.of({"Phone": 72, "Email": 14, "Letter": 12, "Web Chat": 2}),
    DIGITAL: Weighted.of({"In-App Chat": 42, "Web Chat": 33, "Email": 12, "Phone": 7, "SMS": 6}),
    GREEN: Weighted.of({"Email": 35, "Web Chat": 30, "Phone": 20, "In-App Chat": 15}),
}

# (min, max) minutes to a first response, by channel.
RESPONSE_MINUTES = {
    "Phone": (1, 40),
    "Web Chat": (1, 15),
    "In-App Chat": (1, 12),
    "SMS": (5, 600),
    "Email": (30, 2880),
    "Letter": (1440, 10080),
}
RESOLUTION = Weighted.of({"Resolved": 82, "Pending": 13, "Escalated": 5})
UNRESOLVED = Weighted.of({"Pending": 55, "Escalated": 45})
OFFICE_HOURS = Weighted.of({h: 1 for h in range(8, 20)})
ANY_HOUR = Weighted.of({h: (3 if 7 <= h <= 22 else 0.4) for h in range(24)})
COMPLAINT_TOPICS = ("bill_shock", "service_complaint", "dd_rise")

# Topics whose presence the recommended actions react to.
FLAG_TOPICS = frozenset(
    {
        "bill_shock",
        "dd_rise",
        "missed_payment",
        "app_issue",
        "ev_tariff",
        "solar_export",
        "smart_meter_fault",
        "psr",
        "heat_pump",
        "cheaper_tariff",
    }
)


def _topics(rng: random.Random, c: Customer) -> list[str]:
    # The signals the brief asks for must exist, not just be likely, so they go first.
    topics = []
    if c.payment_difficulty:
        topics.append("missed_payment")
    if c.risk_tier == "critical":
        topics.append(COMPLAINT_TOPICS[rng.randrange(3)])
    if c.unsubscribed:
        topics.append("unsubscribe")
    mix = TOPIC_MIX[c.facet(TOPICS)]
    topics.extend(mix.pick(rng) for _ in range(COUNTS[c.facet(TOPICS)].pick(rng)))
    return topics[:6]


def interaction_rows(rng: random.Random, cal: Calendar, c: Customer) -> list[list]:
    rows = []
    used: set[tuple[str, str, str]] = set()
    window = min(c.since_days_back, 540)  # the export covers the last ~18 months
    channels = CHANNELS[c.facet(CHANNEL)]
    for topic_key in _topics(rng, c):
        topic = TOPIC_TEXT[topic_key]
        interaction_type = topic.types.pick(rng)
        channel = channels.pick(rng)
        if interaction_type == "Unsubscribe" and channel == "Phone":
            channel = "Email"
        recent = topic_key in COMPLAINT_TOPICS or topic_key == "missed_payment"
        days_back = rng.randint(1, min(window, 120) if recent else window)
        hours = OFFICE_HOURS if channel in ("Phone", "Letter") else ANY_HOUR
        stamp = cal.stamp(days_back, hours.pick(rng), rng.randrange(60))
        if (stamp, channel, interaction_type) in used:
            continue  # the natural key must be unique; dropping the duplicate keeps it so
        used.add((stamp, channel, interaction_type))

        sentiment = topic.sentiment.pick(rng)
        if c.risk_tier == "critical" and sentiment == "Neutral" and rng.random() < 0.7:
            sentiment = "Negative"
        if c.risk_tier == "critical" and topic_key in COMPLAINT_TOPICS:
            resolution = UNRESOLVED.pick(rng) if rng.random() < 0.75 else "Resolved"
        elif days_back > 90:
            resolution = "Resolved" if rng.random() < 0.95 else "Escalated"
        else:
            resolution = RESOLUTION.pick(rng)
        if topic_key in FLAG_TOPICS:
            c.flags.add(topic_key)
            if resolution != "Resolved" and topic_key in COMPLAINT_TOPICS:
                c.flags.add("unresolved_complaint")

        low, high = RESPONSE_MINUTES[channel]
        roll = rng.random()
        response = "" if roll < 0.03 else rng.randint(low, high)
        agent = "" if channel == "In-App Chat" and roll > 0.7 else f"AG-{rng.randrange(101, 261)}"
        summary = fill(rng, topic.templates[rng.randrange(len(topic.templates))])
        if roll > 0.96:
            summary = awkward(rng, summary)
        elif 0.03 <= roll < 0.04:
            summary = ""  # agents sometimes save a contact with no notes
        rows.append([c.customer_id, channel, stamp, interaction_type, sentiment, summary, response, resolution, agent])
    return rows
