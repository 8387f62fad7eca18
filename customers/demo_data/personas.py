"""The four hidden personas and how a customer's core traits are drawn from them.

A customer has one persona (the ground truth written to personas.csv), but
each *facet* of their behaviour is drawn from a persona too. For most
customers every facet is their own persona's; for about 7% ("atypical"
customers) some facets come from another persona - the young customer on
a Green tariff who lives in the app, the pensioner who hunts for the
cheapest deal. That overlap is what keeps segmentation honest: a good
rule-based segmenter gets most customers right, never all of them.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from customers.demo_data.clock import DAYS_PER_YEAR
from customers.demo_data.sampling import Weighted, clamp, gauss_int
from customers.demo_data.vocab import FIRST_NAMES, PLACES, SURNAMES

PRICE = "price_conscious"
TRADITIONAL = "traditional"
DIGITAL = "digital"
GREEN = "green"
PERSONAS = (PRICE, TRADITIONAL, DIGITAL, GREEN)

# The analysts' segment each persona should be recognised as.
SEGMENT_FOR_PERSONA = {
    PRICE: "Value Seekers",
    TRADITIONAL: "Traditionalists",
    DIGITAL: "Digital Natives",
    GREEN: "Eco Savers",
}

PERSONA_MIX = Weighted.of({PRICE: 25, TRADITIONAL: 25, DIGITAL: 25, GREEN: 25})
ATYPICAL_SHARE = 0.07
# For an atypical customer, the chance that each facet comes from the other persona.
BORROW_CHANCE = 0.5

# Facets: which persona drives which group of fields.
DEMOGRAPHICS = "demographics"  # age, income, place
CHANNEL = "channel"  # preferred channel, interaction channels
TARIFF = "tariff"  # subscription type
RISK = "risk"  # churn, satisfaction, complaints
ONLINE = "online"  # engagement score, login frequency
TOPICS = "topics"  # what they contact us about, which notifications they get and act on
FACETS = (DEMOGRAPHICS, CHANNEL, TARIFF, RISK, ONLINE, TOPICS)


@dataclass(frozen=True)
class PersonaSpec:
    age: tuple[float, float, int, int]  # mean, sd, min, max
    income: Weighted[str]
    place_lean: str
    channel: Weighted[str]
    subscription: Weighted[str]
    tenure_years: tuple[float, float, float, float]  # mean, sd, min, max
    engagement: tuple[float, float]  # mean, sd of the 0-100 score
    login_gap_days: tuple[int, int]  # range of days between logins
    opted_in: float  # chance of marketing consent


SPECS: dict[str, PersonaSpec] = {
    PRICE: PersonaSpec(
        age=(43, 11, 20, 80),
        income=Weighted.of({"Low": 52, "Medium": 40, "High": 8}),
        place_lean="mixed",
        channel=Weighted.of({"Email": 42, "SMS": 34, "App Push": 12, "Phone": 12}),
        subscription=Weighted.of({"Basic": 88, "Premium": 5, "Green": 7}),
        tenure_years=(3.0, 2.2, 0.1, 12),
        engagement=(50, 13),
        login_gap_days=(4, 40),
        opted_in=0.78,
    ),
    TRADITIONAL: PersonaSpec(
        age=(69, 9, 45, 95),
        income=Weighted.of({"Low": 32, "Medium": 48, "High": 20}),
        place_lean="town",
        channel=Weighted.of({"Phone": 52, "Email": 40, "SMS": 6, "App Push": 2}),
        subscription=Weighted.of({"Basic": 58, "Premium": 38, "Green": 4}),
        tenure_years=(15, 6, 3, 40),
        engagement=(26, 10),
        login_gap_days=(20, 150),
        opted_in=0.62,
    ),
    DIGITAL: PersonaSpec(
        age=(29, 6, 18, 55),
        income=Weighted.of({"Low": 20, "Medium": 50, "High": 30}),
        place_lean="city",
        channel=Weighted.of({"App Push": 56, "SMS": 30, "Email": 12, "Phone": 2}),
        subscription=Weighted.of({"Basic": 46, "Premium": 44, "Green": 10}),
        tenure_years=(2.5, 1.8, 0.1, 10),
        engagement=(82, 9),
        login_gap_days=(1, 6),
        opted_in=0.86,
    ),
    GREEN: PersonaSpec(
        age=(44, 11, 22, 82),
        income=Weighted.of({"Low": 14, "Medium": 46, "High": 40}),
        place_lean="mixed",
        channel=Weighted.of({"Email": 50, "App Push": 20, "SMS": 17, "Phone": 13}),
        subscription=Weighted.of({"Green": 87, "Premium": 8, "Basic": 5}),
        tenure_years=(5, 3, 0.3, 18),
        engagement=(58, 10),
        login_gap_days=(3, 25),
        opted_in=0.82,
    ),
}

# Within price-conscious customers, how close they are to leaving.
RISK_TIERS = Weighted.of({"critical": 28, "elevated": 42, "calm": 30})
_CHURN = {  # mean, sd of Churn_Risk_Score
    "critical": (86, 6),
    "elevated": (64, 8),
    "calm": (40, 9),
    TRADITIONAL: (18, 8),
    DIGITAL: (32, 10),
    GREEN: (24, 9),
}
_SATISFACTION = {  # mean, sd of Satisfaction_Score
    "critical": (2.3, 1.1),
    "elevated": (4.6, 1.2),
    "calm": (6.4, 1.3),
    TRADITIONAL: (7.6, 1.3),
    DIGITAL: (7.3, 1.4),
    GREEN: (7.6, 1.2),
}
_PAYMENT_DIFFICULTY = {"critical": 0.45, "elevated": 0.3, "calm": 0.1}


@dataclass(slots=True)
class Customer:
    """One customer's core traits; the row builders read these."""

    number: int
    customer_id: str
    persona: str
    facets: dict[str, str]
    name: str
    age: int
    location: str
    income: str
    channel: str
    subscription: str
    since_days_back: int  # Customer_Since, in days before as_of
    risk_tier: str  # critical/elevated/calm for price-driven risk, else the risk persona
    churn: float
    satisfaction: int
    engagement: int
    payment_difficulty: bool
    opted_in: bool
    unsubscribed: bool
    segment_label: str = ""
    flags: set[str] = field(default_factory=set)  # notable facts the row builders share

    def facet(self, name: str) -> str:
        return self.facets[name]

    @property
    def tenure_years(self) -> float:
        return self.since_days_back / DAYS_PER_YEAR


def _facets(rng: random.Random, persona: str) -> dict[str, str]:
    if rng.random() >= ATYPICAL_SHARE:
        return dict.fromkeys(FACETS, persona)
    other = PERSONAS[(PERSONAS.index(persona) + rng.randrange(1, 4)) % 4]
    facets = {f: other if rng.random() < BORROW_CHANCE else persona for f in FACETS}
    if all(v == persona for v in facets.values()):
        facets[FACETS[rng.randrange(len(FACETS))]] = other  # atypical means at least one borrowed facet
    return facets


def draw_customer(rng: random.Random, number: int) -> Customer:
    persona = PERSONA_MIX.pick(rng)
    facets = _facets(rng, persona)
    demo = SPECS[facets[DEMOGRAPHICS]]
    age = gauss_int(rng, demo.age[0], demo.age[1], demo.age[2], demo.age[3])

    tenure_spec = demo.tenure_years
    tenure = clamp(rng.gauss(tenure_spec[0], tenure_spec[1]), tenure_spec[2], tenure_spec[3])
    tenure = min(tenure, age - 18 + rng.random())  # nobody became a customer before 18
    since_days_back = max(30, int(tenure * DAYS_PER_YEAR))

    risk_persona = facets[RISK]
    tier = RISK_TIERS.pick(rng) if risk_persona == PRICE else risk_persona
    churn_mu, churn_sd = _CHURN[tier]
    churn = clamp(rng.gauss(churn_mu, churn_sd), 0.5, 99.5)
    sat_mu, sat_sd = _SATISFACTION[tier]
    satisfaction = gauss_int(rng, sat_mu, sat_sd, 1, 10)
    online = SPECS[facets[ONLINE]]
    engagement = gauss_int(rng, online.engagement[0], online.engagement[1], 0, 100)
    if age >= 75 and engagement > 50:
        engagement -= 20  # the very old rarely live in the app, whatever else they are

    unsubscribed = rng.random() < 0.015
    # An Unsubscribe usually shows as Opted_In=No, but exports lag: some still say Yes.
    opted_in = (rng.random() < 0.3) if unsubscribed else (rng.random() < SPECS[persona].opted_in)

    return Customer(
        number=number,
        customer_id=f"CUST{number:06d}",
        persona=persona,
        facets=facets,
        name=f"{FIRST_NAMES.pick(rng)} {SURNAMES.pick(rng)}",
        age=age,
        location=PLACES[demo.place_lean].pick(rng),
        income=demo.income.pick(rng),
        channel=SPECS[facets[CHANNEL]].channel.pick(rng),
        subscription=SPECS[facets[TARIFF]].subscription.pick(rng),
        since_days_back=since_days_back,
        risk_tier=tier,
        churn=churn,
        satisfaction=satisfaction,
        engagement=engagement,
        payment_difficulty=tier in _PAYMENT_DIFFICULTY and rng.random() < _PAYMENT_DIFFICULTY[tier],
        opted_in=opted_in,
        unsubscribed=unsubscribed,
    )


_STALE_LABELS = Weighted.of({"Engaged": 3, "Loyal": 2, "At Risk": 2, "Dormant": 1, "New": 1, "Digital Native": 1})


def source_segment(rng: random.Random, c: Customer) -> str:
    """The supplier's own label: rule-based on behaviour, and sometimes stale."""
    if rng.random() < 0.12:
        return _STALE_LABELS.pick(rng)
    if c.churn >= 70 or (c.satisfaction <= 3 and c.churn >= 50):
        return "At Risk"
    if c.since_days_back < 365:
        return "New"
    if c.engagement < 25:
        return "Dormant"
    if c.age < 36 and c.channel in ("App Push", "SMS") and c.engagement >= 70:
        return "Digital Native"
    if c.tenure_years >= 10:
        return "Loyal"
    return "Engaged"
