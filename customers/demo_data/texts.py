"""What customers contact us about: interaction topics and their free-text summaries.

Summaries are written the way UK energy-supplier agents write notes: short,
British English, sometimes clipped. A few percent are made awkward on purpose
(very long, embedded quotes, commas and line breaks, formula-like first
characters) because real exports contain such text and the importer, the
admin and the analysts must all treat it as plain data.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from customers.demo_data.sampling import Weighted

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


@dataclass(frozen=True)
class Topic:
    types: Weighted[str]  # Interaction_Type
    sentiment: Weighted[str]
    templates: tuple[str, ...]


def _t(types: dict[str, float], sentiment: dict[str, float], *templates: str) -> Topic:
    return Topic(Weighted.of(types), Weighted.of(sentiment), templates)


NEG = {"Negative": 7, "Neutral": 3}
MIXED = {"Negative": 3, "Neutral": 6, "Positive": 1}
CALM = {"Neutral": 7, "Positive": 2, "Negative": 1}
POS = {"Positive": 8, "Neutral": 2}

TOPICS: dict[str, Topic] = {
    # --- money: mostly price-conscious customers
    "bill_shock": _t(
        {"Complaint": 6, "Query": 4},
        NEG,
        "Bill shock: latest bill is £{amount}, nearly double last quarter. Customer thinks the estimate is wrong.",
        "Customer unhappy with a £{amount} bill for {month}. Explained estimated reads; asked for a meter photo.",
        "Rang about the {month} bill (£{amount}). Says usage hasn't changed and wants it checked before paying.",
        "Bill much higher than expected at £{amount}. Agreed to re-bill once an actual reading is received.",
    ),
    "dd_rise": _t(
        {"Complaint": 6, "Query": 4},
        NEG,
        "Direct debit rise from £{low} to £{high} a month without warning. Customer wants it reviewed.",
        "Unhappy that the monthly direct debit went up to £{high}; account is £{credit} in credit already.",
        "Asked why the direct debit increased from £{low} to £{high}. Talked through the annual review.",
    ),
    "cheaper_tariff": _t(
        {"Tariff Enquiry": 8, "Query": 2},
        MIXED,
        "Wants a cheaper tariff. Compared the fixed and variable rates; customer will think it over.",
        "Asked if there is anything cheaper than the current tariff. Quoted £{low}/month elsewhere.",
        "Customer shopping around after the price cap change; asked for the exit fees on the current fix.",
        "Fixed tariff ends in {months} weeks. Asked about renewal rates and whether a cheaper fix is available.",
    ),
    "price_cap": _t(
        {"Query": 7, "Tariff Enquiry": 3},
        MIXED,
        "Asked how the Ofgem price cap change affects their unit rate and standing charge.",
        "Query about the standing charge going up in {month}; customer feels it is unfair for low users.",
    ),
    "missed_payment": _t(
        {"Payment Arrangement": 8, "Query": 2},
        {"Negative": 5, "Neutral": 5},
        "Missed payment: the last direct debit bounced. Customer's hours were cut; asked to spread £{amount} "
        "arrears over {months} months.",
        "Customer struggling to pay after a change in circumstances. Discussed a payment plan of £{low} a month.",
        "Asked about help with bills; checked Warm Home Discount eligibility and offered a payment arrangement.",
        "Missed two payments. Agreed a payment arrangement; customer asked us not to move them to prepayment.",
    ),
    "refund": _t(
        {"Query": 7, "Complaint": 3},
        MIXED,
        "Requested a refund of the £{credit} credit balance.",
        "Chasing a refund promised {months} weeks ago; still not received.",
    ),
    "service_complaint": _t(
        {"Complaint": 9, "Feedback": 1},
        NEG,
        "Complained about waiting {minutes} minutes on hold and being cut off twice.",
        "Third contact about the same billing error; customer says nobody calls back as promised.",
        "Complaint: promised call-back did not happen. Customer considering switching supplier.",
    ),
    # --- the traditional customer's contacts
    "meter_reading_phone": _t(
        {"Query": 8, "Feedback": 2},
        CALM,
        "Gave a meter reading over the phone: {reading}. Prefers to phone it in each quarter.",
        "Customer read out both meter readings ({reading} and {reading2}); could not use the website.",
    ),
    "paper_bills": _t(
        {"Query": 6, "Feedback": 4},
        CALM,
        "Prefers paper bills by post. Asked us to stop sending emails about online accounts.",
        "Asked for a printed copy of the last two bills to be posted out.",
    ),
    "psr": _t(
        {"Query": 9, "Feedback": 1},
        CALM,
        "Asked to be added to the Priority Services Register: hard of hearing, prefers letters or a text relay call.",
        "Daughter called on the customer's behalf to set up a password scheme and large-print bills.",
    ),
    "smart_meter_declined": _t(
        {"Query": 6, "Feedback": 4},
        MIXED,
        "Declined a smart meter installation for now; worried about the installer visit.",
        "Asked whether a smart meter is compulsory. Explained it is optional.",
    ),
    # --- the digital customer's contacts
    "app_issue": _t(
        {"Query": 6, "Complaint": 3, "Technical Support": 4},
        MIXED,
        "App crashed when trying to top up. Reinstalled and it worked.",
        "Cannot log in to the app after the update; password reset fixed it.",
        "Push notifications stopped after the phone upgrade. Re-enabled in settings.",
    ),
    "app_feature": _t(
        {"Feedback": 9, "Query": 1},
        {"Positive": 6, "Neutral": 4},
        "Suggested half-hourly usage graphs in the app.",
        "Likes the new app; asked for Apple Wallet bill cards.",
        "Feedback: would like to switch tariff in the app without calling.",
    ),
    "home_move": _t(
        {"Query": 10},
        CALM,
        "Moving house on {day} {month}; gave final reading {reading} and the new address.",
        "Asked how to take the account to a new flat in the same city.",
    ),
    # --- the green customer's contacts
    "ev_tariff": _t(
        {"Tariff Enquiry": 8, "Query": 2},
        {"Positive": 5, "Neutral": 5},
        "Interested in an EV tariff for a new electric car; asked about the off-peak window and charger installation.",
        "Asked whether the EV tariff's cheap overnight rate would work with a home charger on a timer.",
    ),
    "solar_export": _t(
        {"Query": 7, "Tariff Enquiry": 3},
        {"Positive": 4, "Neutral": 6},
        "Asked about Smart Export Guarantee payments for new solar panels and how to register the export meter.",
        "Solar PV installed in {month}; export readings not showing on the account yet.",
        "Asked about adding a home battery to the solar panels and which tariff suits it.",
    ),
    "heat_pump": _t(
        {"Tariff Enquiry": 6, "Query": 4},
        {"Positive": 4, "Neutral": 6},
        "Asked which tariff suits an air source heat pump fitted this autumn.",
        "Heat pump installed; asked about the Boiler Upgrade Scheme and a heat pump tariff.",
    ),
    "smart_meter_fault": _t(
        {"Complaint": 5, "Technical Support": 5},
        {"Negative": 5, "Neutral": 5},
        "Smart meter not reporting since {month}; the in-home display shows no signal. Bills are estimated again.",
        "Smart meter stopped sending readings. Booked a remote reset of the comms hub.",
    ),
    "carbon_report": _t(
        {"Feedback": 8, "Query": 2},
        POS,
        "Praised the monthly carbon report; asked how much of the electricity is from Scottish wind.",
        "Asked for more detail on the renewable sources behind the Green tariff.",
    ),
    # --- anyone
    "general_query": _t(
        {"Query": 10},
        CALM,
        "Asked when the next bill is due and how it is calculated.",
        "Updated contact details and confirmed the direct debit date.",
    ),
    "thanks": _t(
        {"Feedback": 10},
        POS,
        "Thanked the adviser for sorting the refund quickly.",
        "Happy with the help on the phone; no further action.",
    ),
    "unsubscribe": _t(
        {"Unsubscribe": 10},
        {"Neutral": 6, "Negative": 4},
        "Asked to stop all marketing emails and texts. Service messages only from now on.",
        "Unsubscribe: customer does not want any offers by text message.",
    ),
}

# Which topics each persona raises. Keys must be in TOPICS.
TOPIC_MIX: dict[str, Weighted[str]] = {
    "price_conscious": Weighted.of(
        {
            "bill_shock": 20,
            "dd_rise": 14,
            "cheaper_tariff": 22,
            "price_cap": 8,
            "refund": 5,
            "service_complaint": 8,
            "general_query": 4,
            "thanks": 2,
            "smart_meter_fault": 2,
        }
    ),
    "traditional": Weighted.of(
        {
            "meter_reading_phone": 20,
            "paper_bills": 14,
            "psr": 9,
            "smart_meter_declined": 9,
            "general_query": 16,
            "thanks": 14,
            "bill_shock": 5,
            "dd_rise": 4,
            "home_move": 3,
            "service_complaint": 4,
        }
    ),
    "digital": Weighted.of(
        {
            "app_issue": 24,
            "app_feature": 18,
            "home_move": 10,
            "thanks": 10,
            "general_query": 10,
            "cheaper_tariff": 6,
            "ev_tariff": 4,
            "smart_meter_fault": 5,
            "refund": 4,
        }
    ),
    "green": Weighted.of(
        {
            "ev_tariff": 20,
            "solar_export": 17,
            "heat_pump": 11,
            "smart_meter_fault": 15,
            "carbon_report": 15,
            "thanks": 7,
            "general_query": 7,
            "bill_shock": 4,
            "app_feature": 4,
        }
    ),
}


def fill(rng: random.Random, template: str) -> str:
    if "{" not in template:
        return template
    low = rng.randrange(45, 140)
    return template.format(
        amount=rng.randrange(180, 1450),
        low=low,
        high=low + rng.randrange(15, 90),
        credit=rng.randrange(20, 420),
        month=MONTHS[rng.randrange(12)],
        months=rng.randrange(3, 13),
        minutes=rng.randrange(25, 95),
        reading=f"{rng.randrange(10000, 99999):05d}",
        reading2=f"{rng.randrange(10000, 99999):05d}",
        day=rng.randrange(1, 29),
    )


# --- awkward-but-valid text ---------------------------------------------------------

# Topic-neutral, so a long note does not change what the customer appears to care about.
_CALL_NOTES = (
    "Customer explained the background in detail and asked for everything to be noted on the account.",
    "Security checks passed; confirmed the address and date of birth.",
    "Went through the last three statements line by line with the customer.",
    "A family member was on the call too and asked several questions of their own.",
    "Explained how to raise a formal complaint and the Energy Ombudsman route after eight weeks.",
    "Agreed to send a written summary of today's call.",
    "Customer asked for the call reference number, which was given.",
    "Checked the contact details on file and updated the mobile number.",
    "Customer asked that the next contact is in the afternoon, after 2pm.",
)
_QUOTES = (
    'Customer said: "this is the third time I\'ve called, and nobody rings back".',
    'Customer quoted the letter: "your payments will rise to cover the shortfall", and wants it explained.',
    'Said the app shows "Error 503, please try later" when paying.',
)
_NOTES = (
    "Agent note:\nCall back booked for tomorrow, 10am-12pm.",
    "Follow-up:\n1) check the reads\n2) re-bill\n3) confirm by email",
    "Notes, as agreed: no home visit, no prepayment meter, letters only.",
)
FORMULA_BAIT = (
    "=SUM(A1:A9) pasted into the web chat by the customer, no other text",
    "-£15 goodwill credit applied, customer accepted",
    "+44 7700 900461 given as the new mobile number",
    "@EnergySupport tweet forwarded to us: bill doubled since October",
    '=HYPERLINK("http://example.invalid","click") typed into the feedback form',
)


def awkward(rng: random.Random, base: str) -> str:
    """Make a summary awkward in one of the ways real exports are."""
    kind = rng.randrange(4)
    if kind == 0:  # long (500+ characters), as when an agent types up a whole call
        padding = list(_CALL_NOTES)
        rng.shuffle(padding)
        parts = [base]
        while sum(map(len, parts)) < 520:
            parts.append(padding.pop())
        return " ".join(parts)
    if kind == 1:  # quotes and commas
        return f"{base} {_QUOTES[rng.randrange(len(_QUOTES))]}"
    if kind == 2:  # line breaks inside the field
        return f"{base}\n{_NOTES[rng.randrange(len(_NOTES))]}"
    return FORMULA_BAIT[rng.randrange(len(FORMULA_BAIT))]
