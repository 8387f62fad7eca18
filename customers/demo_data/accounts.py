"""Rows for `Customer Profiles.csv` and `Account Activity Logs.csv`."""

from __future__ import annotations

import random

from customers.demo_data.clock import DAYS_PER_YEAR, Calendar
from customers.demo_data.personas import (
    DIGITAL,
    GREEN,
    ONLINE,
    PRICE,
    SPECS,
    TOPICS,
    TRADITIONAL,
    Customer,
    source_segment,
)
from customers.demo_data.sampling import Weighted, clamp, decimal_text

SNAPSHOTS = {
    DIGITAL: Weighted.of({1: 50, 2: 35, 3: 15}),
    PRICE: Weighted.of({1: 72, 2: 22, 3: 6}),
    GREEN: Weighted.of({1: 72, 2: 22, 3: 6}),
    TRADITIONAL: Weighted.of({1: 82, 2: 15, 3: 3}),
}

# Login hours: digital natives log in late; traditionalists in the daytime.
LOGIN_HOURS = {
    DIGITAL: Weighted.of({h: (3 if 7 <= h <= 17 else 6 if 18 <= h <= 23 else 2 if h <= 1 else 0.3) for h in range(24)}),
    TRADITIONAL: Weighted.of({h: (5 if 8 <= h <= 17 else 1 if 18 <= h <= 21 else 0) for h in range(24)}),
    PRICE: Weighted.of({h: (3 if 7 <= h <= 22 else 0.5) for h in range(24)}),
    GREEN: Weighted.of({h: (3 if 7 <= h <= 22 else 0.5) for h in range(24)}),
}

TRANSACTIONS = {
    PRICE: Weighted.of(
        {
            "Bill Payment": 30,
            "Tariff Switch": 12,
            "Support Request": 15,
            "Direct Debit Change": 15,
            "Meter Reading": 10,
            "Refund": 6,
            "Top-up": 5,
            "": 4,
        }
    ),
    TRADITIONAL: Weighted.of(
        {"Bill Payment": 42, "Meter Reading": 30, "Direct Debit Change": 8, "Support Request": 8, "Refund": 3, "": 6}
    ),
    DIGITAL: Weighted.of(
        {
            "Bill Payment": 30,
            "Top-up": 25,
            "Tariff Switch": 12,
            "Meter Reading": 8,
            "Support Request": 8,
            "Direct Debit Change": 6,
            "Refund": 4,
            "": 3,
        }
    ),
    GREEN: Weighted.of(
        {
            "Bill Payment": 30,
            "Meter Reading": 20,
            "Tariff Switch": 15,
            "Support Request": 12,
            "Direct Debit Change": 8,
            "Refund": 5,
            "Top-up": 5,
            "": 4,
        }
    ),
}
STRUGGLING_TRANSACTIONS = Weighted.of({"Direct Debit Change": 5, "Support Request": 4, "Bill Payment": 2})

RECENT_ACTIVITY = {
    PRICE: Weighted.of(
        {
            "Used the tariff comparison tool": 25,
            "Viewed bill breakdown": 22,
            "Downloaded latest bill": 15,
            "Read the price cap email": 10,
            "Checked exit fees": 8,
            "Viewed direct debit details": 12,
            "": 4,
        }
    ),
    TRADITIONAL: Weighted.of(
        {
            "Submitted meter reading by phone": 25,
            "Requested a paper bill": 18,
            "Called customer services": 20,
            "Paid bill by phone": 12,
            "No online activity": 15,
            "Viewed bill": 6,
            "": 4,
        }
    ),
    DIGITAL: Weighted.of(
        {
            "Viewed usage in the app": 25,
            "Topped up in the app": 15,
            "Enabled push notifications": 8,
            "Checked half-hourly usage": 14,
            "Paid bill in the app": 16,
            "Updated the app": 10,
            "Used the tariff comparison tool": 4,
            "": 3,
        }
    ),
    GREEN: Weighted.of(
        {
            "Viewed carbon footprint report": 24,
            "Registered an EV charger": 10,
            "Submitted solar export reading": 14,
            "Read the green energy newsletter": 14,
            "Viewed smart meter usage": 18,
            "Viewed bill": 10,
            "": 4,
        }
    ),
}
STRUGGLING_ACTIVITY = Weighted.of({"Missed direct debit payment": 6, "Viewed payment plan options": 3})


def profile_row(rng: random.Random, cal: Calendar, c: Customer) -> list:
    c.segment_label = source_segment(rng, c)
    return [
        c.customer_id,
        c.name,
        c.age,
        c.location,
        c.channel,
        c.segment_label,
        "Yes" if c.opted_in else "No",
        c.income,
        cal.date(c.since_days_back),
        c.satisfaction,
    ]


def _status(rng: random.Random, c: Customer) -> str:
    roll = rng.random()
    if c.risk_tier == "critical" and roll < 0.15:
        return "Pending Switch"
    if c.payment_difficulty and roll > 0.94:
        return "Suspended"
    if roll > 0.995:
        return "Closed"
    if roll > 0.99:
        return "Suspended"
    return "Active"


def activity_rows(rng: random.Random, cal: Calendar, c: Customer) -> list[list]:
    online = c.facet(ONLINE)
    topics = c.facet(TOPICS)
    gap_low, gap_high = SPECS[online].login_gap_days
    hours = LOGIN_HOURS[online]
    # Snapshots newest first; each older one is one login gap further back, and
    # none predates the customer joining (tenure must stay >= 0).
    days_back = rng.randint(1, gap_high)
    rows = []
    for index in range(SNAPSHOTS[online].pick(rng)):
        if days_back > c.since_days_back:
            break
        newest = index == 0
        if newest and c.payment_difficulty and rng.random() < 0.7:
            transaction = STRUGGLING_TRANSACTIONS.pick(rng)
            activity = STRUGGLING_ACTIVITY.pick(rng)
        else:
            transaction = TRANSACTIONS[topics].pick(rng)
            activity = RECENT_ACTIVITY[topics].pick(rng)
        engagement = c.engagement if newest else int(clamp(c.engagement + rng.randint(-8, 8), 0, 100))
        churn = c.churn if newest else clamp(c.churn - rng.uniform(-4, 10), 0, 100)
        subscription = c.subscription
        if not newest and transaction == "Tariff Switch" and rng.random() < 0.5:
            subscription = "Basic"  # they switched to today's tariff after this snapshot
        tenure = max(0.0, (c.since_days_back - days_back) / DAYS_PER_YEAR)
        rows.append(
            [
                c.customer_id,
                _status(rng, c) if newest else "Active",
                transaction,
                cal.stamp(days_back, hours.pick(rng), rng.randrange(60)),
                activity,
                engagement,
                f"{tenure:.1f}",
                subscription,
                decimal_text(churn, rng.choice((0, 1, 2))),
            ]
        )
        days_back += rng.randint(gap_low, gap_high) + rng.randint(1, 30)
    if not rows:  # a customer who joined after their only sampled login: log them in since joining
        d = rng.randint(1, c.since_days_back)
        tenure = (c.since_days_back - d) / DAYS_PER_YEAR
        rows.append(
            [
                c.customer_id,
                "Active",
                TRANSACTIONS[topics].pick(rng),
                cal.stamp(d, hours.pick(rng), rng.randrange(60)),
                RECENT_ACTIVITY[topics].pick(rng),
                c.engagement,
                f"{tenure:.1f}",
                c.subscription,
                decimal_text(c.churn, 2),
            ]
        )
    return rows
