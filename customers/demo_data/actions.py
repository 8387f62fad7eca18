"""Rows for `Recommended Actions.csv`: the source system's own next-best actions.

They follow from what the other files say about the customer (a payment
difficulty, an unresolved complaint, a smart meter that stopped reporting),
so they must be built after the interactions.
"""

from __future__ import annotations

import random

from customers.demo_data.personas import DIGITAL, GREEN, PRICE, TOPICS, TRADITIONAL, Customer
from customers.demo_data.sampling import Weighted

# scenario -> (recommended action, urgency choices, follow-up chance, team)
Scenario = tuple[str, Weighted[str], float, str]
HIGH = Weighted.of({"High": 1})
HIGH_MED = Weighted.of({"High": 6, "Medium": 4})
MED = Weighted.of({"Medium": 7, "High": 1, "Low": 2})
LOW = Weighted.of({"Low": 8, "Medium": 2})

SCENARIOS: dict[str, Scenario] = {
    "High churn risk": ("Retention call to review the tariff and offer a loyalty fix", HIGH, 0.95, "Retention"),
    "Unresolved billing complaint": ("Call back, resolve and confirm in writing", HIGH, 1.0, "Complaints"),
    "Bill shock": ("Walk the customer through the bill and check for estimated reads", HIGH_MED, 0.8, "Billing"),
    "Payment difficulty": (
        "Offer an affordable payment plan and check Warm Home Discount eligibility",
        HIGH_MED,
        1.0,
        "Collections & Support",
    ),
    "Direct debit review": ("Review the direct debit against actual usage", MED, 0.7, "Billing"),
    "Tariff review": ("Send a personalised tariff comparison", LOW, 0.3, "Sales"),
    "Fixed tariff ending": ("Remind the customer of renewal options before the fix ends", MED, 0.5, "Sales"),
    "Paper billing preference": ("Keep paper billing and confirm the postal address", LOW, 0.1, "Customer Care"),
    "Priority Services Register check": (
        "Call to check PSR needs and record communication preferences",
        MED,
        0.9,
        "Vulnerability Team",
    ),
    "Meter reading reminder": ("Post a meter reading card before the next bill", LOW, 0.1, "Metering"),
    "Smart meter offer": ("Phone to explain smart meter installation, with no pressure", LOW, 0.3, "Metering"),
    "App engagement": ("Promote the in-app usage insights", LOW, 0.1, "Digital Team"),
    "Time-of-use tariff": ("Offer the smart time-of-use tariff in the app", LOW, 0.2, "Sales"),
    "App issue follow-up": ("Check the app fault is fixed and apologise", MED, 0.8, "Digital Support"),
    "EV tariff interest": ("Send the EV tariff details and the charger partner offer", MED, 0.7, "Green Energy Team"),
    "Solar export registration": (
        "Register the export meter for Smart Export Guarantee payments",
        MED,
        0.8,
        "Green Energy Team",
    ),
    "Heat pump tariff": ("Explain the heat pump tariff and Boiler Upgrade Scheme", LOW, 0.5, "Green Energy Team"),
    "Smart meter not communicating": ("Book a remote reset or an engineer visit", HIGH_MED, 1.0, "Metering"),
    "Green upgrade": ("Offer the 100% renewable tariff with the annual carbon report", LOW, 0.2, "Sales"),
    "Low satisfaction follow-up": ("Supervisor call about the low satisfaction score", MED, 0.9, "Customer Care"),
}

# Optional scenarios that fit each persona when nothing more pressing applies.
ROUTINE = {
    PRICE: ("Tariff review", "Fixed tariff ending", "Direct debit review"),
    TRADITIONAL: ("Paper billing preference", "Meter reading reminder", "Smart meter offer"),
    DIGITAL: ("App engagement", "Time-of-use tariff"),
    GREEN: ("Green upgrade", "Heat pump tariff", "EV tariff interest"),
}
COUNTS = Weighted.of({0: 58, 1: 28, 2: 10, 3: 4})

# flag set by interactions.py -> scenario it calls for
FLAG_SCENARIOS = (
    ("unresolved_complaint", "Unresolved billing complaint"),
    ("missed_payment", "Payment difficulty"),
    ("bill_shock", "Bill shock"),
    ("dd_rise", "Direct debit review"),
    ("smart_meter_fault", "Smart meter not communicating"),
    ("psr", "Priority Services Register check"),
    ("app_issue", "App issue follow-up"),
    ("ev_tariff", "EV tariff interest"),
    ("solar_export", "Solar export registration"),
    ("heat_pump", "Heat pump tariff"),
)


def action_rows(rng: random.Random, c: Customer) -> list[list]:
    pressing = []
    if c.churn >= 75:
        pressing.append("High churn risk")
    pressing.extend(scenario for flag, scenario in FLAG_SCENARIOS if flag in c.flags)
    if c.satisfaction <= 3 and "High churn risk" not in pressing:
        pressing.append("Low satisfaction follow-up")
    count = COUNTS.pick(rng)
    if pressing and c.risk_tier == "critical":
        count = max(count, 1)
    chosen: list[str] = []
    for scenario in pressing:
        if len(chosen) >= count:
            break
        if rng.random() < 0.8:  # the source system misses some
            chosen.append(scenario)
    routine = ROUTINE[c.facet(TOPICS)]
    while len(chosen) < count:
        scenario = routine[rng.randrange(len(routine))]
        if scenario in chosen:
            break  # (Customer_ID, Scenario) is unique
        chosen.append(scenario)
    rows = []
    for scenario in chosen:
        action, urgency, follow_up, team = SCENARIOS[scenario]
        rows.append(
            [
                c.customer_id,
                scenario,
                action,
                urgency.pick(rng),
                "Yes" if rng.random() < follow_up else "No",
                team,
            ]
        )
    return rows
