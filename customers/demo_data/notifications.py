"""Rows for `Notification History.csv`: what we sent, and whether the customer engaged."""

from __future__ import annotations

import math
import random

from customers.demo_data.clock import Calendar
from customers.demo_data.personas import DIGITAL, GREEN, ONLINE, PRICE, TOPICS, TRADITIONAL, Customer
from customers.demo_data.sampling import Weighted, decimal_text

COUNTS = {
    DIGITAL: Weighted.of({0: 18, 1: 32, 2: 28, 3: 14, 4: 8}),
    PRICE: Weighted.of({0: 30, 1: 40, 2: 22, 3: 8}),
    GREEN: Weighted.of({0: 30, 1: 42, 2: 20, 3: 8}),
    TRADITIONAL: Weighted.of({0: 45, 1: 38, 2: 14, 3: 3}),
}

TYPES = {
    PRICE: Weighted.of(
        {
            "Tariff Saving Offer": 25,
            "Price Change Notice": 15,
            "Fixed Tariff Ending": 10,
            "Bill Ready": 25,
            "Payment Reminder": 15,
            "Satisfaction Survey": 5,
            "Smart Meter Booking": 5,
        }
    ),
    TRADITIONAL: Weighted.of(
        {
            "Bill Ready": 35,
            "Meter Reading Reminder": 25,
            "Payment Reminder": 10,
            "Price Change Notice": 10,
            "Service Update": 10,
            "Smart Meter Booking": 10,
        }
    ),
    DIGITAL: Weighted.of(
        {
            "App Feature Update": 20,
            "Bill Ready": 25,
            "Usage Insight": 20,
            "Tariff Saving Offer": 10,
            "Service Update": 10,
            "Satisfaction Survey": 10,
            "Smart Meter Booking": 5,
        }
    ),
    GREEN: Weighted.of(
        {
            "Green Energy Update": 22,
            "EV Tariff Offer": 14,
            "Carbon Savings Report": 18,
            "Bill Ready": 22,
            "Smart Meter Booking": 8,
            "Solar Export Statement": 8,
            "Service Update": 8,
        }
    ),
}
# What each persona actually cares about: these get opened and clicked far more.
AFFINITY = {
    PRICE: frozenset({"Tariff Saving Offer", "Price Change Notice", "Fixed Tariff Ending"}),
    TRADITIONAL: frozenset({"Bill Ready", "Meter Reading Reminder"}),
    DIGITAL: frozenset({"App Feature Update", "Usage Insight"}),
    GREEN: frozenset({"Green Energy Update", "EV Tariff Offer", "Carbon Savings Report", "Solar Export Statement"}),
}
OPEN_RATE = {DIGITAL: 0.8, PRICE: 0.5, GREEN: 0.58, TRADITIONAL: 0.3}
CLICK_GIVEN_OPEN = {DIGITAL: 0.5, PRICE: 0.3, GREEN: 0.38, TRADITIONAL: 0.08}
# A click recorded with no open, as real exports carry it: SMS and push have no "open" to record, and an
# email client that blocks images records the click alone. Times the customer's click rate, per channel.
CLICK_WITHOUT_OPEN = {"SMS": 0.6, "App Push": 0.6, "Email": 0.1}
MEAN_RESPONSE_HOURS = {DIGITAL: 0.8, PRICE: 6.0, GREEN: 5.0, TRADITIONAL: 30.0}

ACTIONS = {
    "Tariff Saving Offer": "Switched Tariff",
    "Price Change Notice": "Viewed New Rates",
    "Fixed Tariff Ending": "Renewed Fixed Tariff",
    "Bill Ready": "Paid Bill",
    "Payment Reminder": "Paid Bill",
    "Missed Payment Reminder": "Set Up Payment Plan",
    "Satisfaction Survey": "Completed Survey",
    "Smart Meter Booking": "Booked Smart Meter",
    "Meter Reading Reminder": "Submitted Meter Reading",
    "Service Update": "Read Update",
    "App Feature Update": "Updated App",
    "Usage Insight": "Viewed Usage",
    "Green Energy Update": "Read Update",
    "EV Tariff Offer": "Registered Interest in EV Tariff",
    "Carbon Savings Report": "Viewed Carbon Report",
    "Solar Export Statement": "Submitted Export Reading",
}
PRIORITY = {
    "Missed Payment Reminder": Weighted.of({"High": 1}),
    "Payment Reminder": Weighted.of({"High": 4, "Medium": 6}),
    "Fixed Tariff Ending": Weighted.of({"High": 5, "Medium": 5}),
    "Price Change Notice": Weighted.of({"Medium": 8, "High": 2}),
    "Bill Ready": Weighted.of({"Medium": 8, "Low": 2}),
    "Smart Meter Booking": Weighted.of({"Medium": 5, "Low": 5}),
}
DEFAULT_PRIORITY = Weighted.of({"Low": 7, "Medium": 3})

OTHER_CHANNELS = Weighted.of({"Email": 45, "SMS": 35, "App Push": 20})
PHONE_FIRST = Weighted.of({"Email": 55, "Phone": 25, "SMS": 20})
SEND_HOURS = Weighted.of({h: (3 if 9 <= h <= 18 else 1) for h in range(8, 21)})


def _channel(rng: random.Random, c: Customer) -> str:
    if c.channel == "Phone":
        return PHONE_FIRST.pick(rng)  # automated calls are rare; most phone people still get email
    return c.channel if rng.random() < 0.78 else OTHER_CHANNELS.pick(rng)


def notification_rows(rng: random.Random, cal: Calendar, c: Customer, next_id: int) -> list[list]:
    online = c.facet(ONLINE)
    topics = c.facet(TOPICS)
    liked = AFFINITY[topics]
    types = TYPES[topics]
    count = COUNTS[online].pick(rng)
    window = min(c.since_days_back, 365)
    rows = []
    for index in range(count + (1 if c.payment_difficulty else 0)):
        kind = "Missed Payment Reminder" if c.payment_difficulty and index == 0 else types.pick(rng)
        channel = _channel(rng, c)
        days_back = rng.randint(1, 60 if kind == "Missed Payment Reminder" else window)
        roll = rng.random()
        if roll < 0.04:
            delivery = "Bounced" if channel == "Email" else "Failed"
        elif roll < 0.055:
            delivery = "Failed"
        else:
            delivery = "Delivered"
        open_rate = OPEN_RATE[online]
        click_rate = CLICK_GIVEN_OPEN[online]
        if kind in liked:
            open_rate = min(0.95, open_rate + 0.25)
            click_rate = min(0.9, click_rate * 1.7 + 0.05)
        elif kind == "Missed Payment Reminder":
            open_rate = 0.75
        draw = rng.random() if delivery == "Delivered" else 1.0
        opened = draw < open_rate
        clicked = opened and rng.random() < click_rate
        if clicked:
            action = ACTIONS[kind] if rng.random() < 0.85 else ""
        else:
            action = "Viewed Only" if opened and rng.random() < 0.1 else ""
        response = decimal_text(max(0.01, rng.expovariate(1 / MEAN_RESPONSE_HOURS[online])), 2) if opened else ""
        if delivery == "Delivered" and not opened:
            clicked, action, response = _click_without_open(draw, open_rate, click_rate, channel, kind, online)
        rows.append(
            [
                f"N-{next_id + index}",
                c.customer_id,
                channel,
                cal.stamp(days_back, SEND_HOURS.pick(rng), rng.randrange(60)),
                kind,
                "Yes" if opened else "No",
                "Yes" if clicked else "No",
                action,
                delivery,
                PRIORITY.get(kind, DEFAULT_PRIORITY).pick(rng),
                response,
            ]
        )
    return rows


def _coin(u: float, p: float) -> tuple[bool, float]:
    """A uniform draw `u` as a coin with chance `p`, and what is left of it: a fresh uniform draw."""
    return (True, u / p) if u < p else (False, (u - p) / (1 - p))


def _click_without_open(
    draw: float, open_rate: float, click_rate: float, channel: str, kind: str, online: str
) -> tuple[bool, str, str]:
    """(clicked, action, response hours) for a delivered row that was not opened.

    Made from what is left of the open draw rather than new draws, so every other row of a seed is
    the same as before clicks without opens were generated.
    """
    _, u = _coin(draw, open_rate)  # not opened: the rest of the draw is uniform again
    clicked, u = _coin(u, min(0.9, click_rate * CLICK_WITHOUT_OPEN.get(channel, 0.0)))
    if not clicked:
        return False, "", ""
    acted, u = _coin(u, 0.85)
    hours = -MEAN_RESPONSE_HOURS[online] * math.log(1 - u)  # exponential, as for opened rows
    return True, ACTIONS[kind] if acted else "", decimal_text(max(0.01, hours), 2)
