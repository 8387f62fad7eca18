"""Grounding: every number, date, money amount and name we write must come from the profile.

`profile_facts` collects what the profile actually says (values, dates, the
counts and day-spans an analyst may fairly derive from it, numbers quoted in
free text) and `invented_facts` lists every number, date, amount and name in a
text that is not among them. Today's date is always allowed. Both analysts'
output passes through this; the Bedrock analyst's invented facts are sent back
once for correction, then replaced by the offline analyst's answer.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from .schemas import CustomerProfile, TriggerFactor

LONDON = ZoneInfo("Europe/London")
MONTHS = {
    m.lower(): i
    for i, m in enumerate(
        [
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
        ],
        start=1,
    )
}
MONTHS.update({name[:3]: i for name, i in list(MONTHS.items())})
_MONTH = r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"  # noqa: E501
_ORD = r"(?:st|nd|rd|th)?"
# Order matters: longer date forms first, so "1 August 2025" is not read as "1" and "2025".
_DATE_PATTERNS = [
    ("iso", re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")),
    ("dmy", re.compile(r"\b(\d{1,2})/(\d{1,2})/(\d{4})\b")),
    ("d_month_y", re.compile(rf"\b(\d{{1,2}}){_ORD}\s+(?:of\s+)?({_MONTH})\.?,?\s+(\d{{4}})\b", re.I)),
    ("month_d_y", re.compile(rf"\b({_MONTH})\.?\s+(\d{{1,2}}){_ORD},?\s+(\d{{4}})\b", re.I)),
    ("d_month", re.compile(rf"\b(\d{{1,2}}){_ORD}\s+(?:of\s+)?({_MONTH})\b", re.I)),
    ("month_y", re.compile(rf"\b({_MONTH})\s+(\d{{4}})\b", re.I)),
]
_TIME = re.compile(r"\b(\d{1,2}):(\d{2})\b")
_NUMBER = re.compile(r"(?<![\w.])(£|\$|€)?\s?(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?(%| ?per ?cent)?(?![\w])")
_ANY_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_UPPER = "A-ZÀ-ÖØ-Þ"
_NAME = rf"(?:(?:Mr|Mrs|Ms|Miss|Mx|Dr)\.?\s+)?[{_UPPER}][\w'’-]*(?:[ \t]+[{_UPPER}][\w'’-]*)*"
_SALUTATION = re.compile(
    rf"(?:^|\n)\s*(?:Dear|Hi|Hello|Hiya|Good (?:morning|afternoon|evening))\s+({_NAME})\s*[,!.:\n]"
)
_SPEAK_TO = re.compile(rf"\b(?:speak|talk) (?:to|with)\s+({_NAME})")
_CLOSING = re.compile(r"(?:^|\n)\s*(?:Kind regards|Best regards|Regards|Best wishes|Many thanks|Thanks|Yours sincerely)"
                      r",?\s*\n+\s*([^\n]+)", re.I)  # fmt: skip
TITLES = {"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "madam"}
GENERIC_ADDRESSEES = {"customer", "there", "all", "friend", "valued"}
# Who may sign a message: a team, never an invented person.
SIGN_OFF_WORDS = {"the", "customer", "care", "team", "support", "billing", "energy", "service", "services", "and"}
# Profile fields a trigger factor may name (its root, before any "." or "[").
PROFILE_FIELDS = set(CustomerProfile.model_fields) | {
    "activity",
    "account_status",
    "last_transaction",
    "last_login",
    "recent_activity",
    "engagement_score",
    "account_tenure_years",
    "subscription_type",
    "churn_risk_score",
}


@dataclass
class Facts:
    numbers: set[Decimal] = field(default_factory=set)
    money: set[Decimal] = field(default_factory=set)  # amounts quoted in the profile's free text
    dates: set[dt.date] = field(default_factory=set)
    times: set[tuple[int, int]] = field(default_factory=set)
    names: set[str] = field(default_factory=set)  # lower-case tokens of the customer's name
    max_count: int = 1  # whole numbers up to this are counts of the customer's records
    fields: dict[str, str] = field(default_factory=dict)  # scalar field -> its value, for trigger factors
    today: dt.date = field(default_factory=dt.date.today)

    @property
    def years(self) -> set[int]:
        return {d.year for d in self.dates}


@dataclass(frozen=True)
class Invented:
    kind: str  # number | money | date | time | name
    text: str


def _num(text: str) -> Decimal | None:
    try:
        return Decimal(text.replace(",", "")).normalize()
    except InvalidOperation:
        return None


def _local(value: dt.datetime) -> dt.datetime:
    return value.astimezone(LONDON) if value.tzinfo else value


def _add_text_numbers(facts: Facts, text: str) -> None:
    for token in _ANY_NUMBER.findall(text):
        if (value := _num(token)) is not None:
            facts.numbers.add(value)
            facts.money.add(value)
    for _kind, pattern in _DATE_PATTERNS[:4]:
        for match in pattern.finditer(text):
            if (date := _parse_date(_kind, match.groups())) is not None:
                facts.dates.add(date)


def profile_facts(profile: CustomerProfile, today: dt.date | None = None) -> Facts:
    today = today or dt.date.today()
    facts = Facts(today=today)
    nums, dates = facts.numbers, facts.dates
    dates.add(today)
    facts.names = {t for t in re.split(r"[\s]+", profile.name.lower()) if t}
    facts.fields = {
        name: str(getattr(profile, name))
        for name in ("age", "satisfaction_score", "income_bracket", "preferred_channel", "opted_in", "location")
    }
    if profile.activity is not None:
        facts.fields.update(
            {name: str(value) for name, value in profile.activity.model_dump().items() if not hasattr(value, "hour")}
        )
    nums.update({Decimal(profile.age), Decimal(profile.satisfaction_score), Decimal(profile.customer_pk)})
    dates.add(profile.customer_since)
    nums.add(Decimal(_years_between(profile.customer_since, today)))
    for text in (profile.customer_id, profile.location, profile.source_segment):
        _add_text_numbers(facts, text)

    stamps: list[dt.datetime] = []
    if (a := profile.activity) is not None:
        nums.update({Decimal(a.engagement_score), a.account_tenure_years.normalize(), a.churn_risk_score.normalize()})
        nums.update({Decimal(int(a.account_tenure_years)), Decimal(round(a.churn_risk_score))})
        stamps.append(a.last_login)
        for text in (a.account_status, a.last_transaction, a.recent_activity):
            _add_text_numbers(facts, text)
    for i in profile.interactions:
        stamps.append(i.occurred_at)
        if i.response_time_minutes is not None:
            nums.add(Decimal(i.response_time_minutes))
        _add_text_numbers(facts, i.summary)
        _add_text_numbers(facts, i.agent_id)
    for n in profile.notifications:
        stamps.append(n.sent_at)
        if n.response_time_hours is not None:
            nums.add(n.response_time_hours.normalize())
        _add_text_numbers(facts, n.notification_id)
        _add_text_numbers(facts, n.action_taken)
    # Any count of the customer's records ("3 open complaints since…", "4 of the last 5") is
    # a fair derivation for some window, so whole numbers up to the record count pass as counts.
    facts.max_count = max(
        profile.interactions_total, profile.notifications_total, len(profile.interactions),
        len(profile.notifications), len(profile.recommended_actions),
    )  # fmt: skip
    for r in profile.recommended_actions:
        _add_text_numbers(facts, f"{r.scenario} {r.recommended_action} {r.assigned_team}")
    for stamp in (profile.last_unsubscribe_at, profile.last_opt_in_at):
        if stamp is not None:
            stamps.append(stamp)
    for stamp in stamps:
        local = _local(stamp)
        dates.add(local.date())
        facts.times.add((local.hour, local.minute))
        nums.add(Decimal((today - local.date()).days))  # "N days ago"
    return facts


def _years_between(start: dt.date, end: dt.date) -> int:
    return end.year - start.year - ((end.month, end.day) < (start.month, start.day))


def _parse_date(kind: str, groups: tuple[str, ...]) -> dt.date | None:
    try:
        if kind == "iso":
            return dt.date(int(groups[0]), int(groups[1]), int(groups[2]))
        if kind == "dmy":
            return dt.date(int(groups[2]), int(groups[1]), int(groups[0]))
        if kind == "d_month_y":
            return dt.date(int(groups[2]), MONTHS[groups[1].lower()[:3]], int(groups[0]))
        if kind == "month_d_y":
            return dt.date(int(groups[2]), MONTHS[groups[0].lower()[:3]], int(groups[1]))
    except (ValueError, KeyError):
        return None
    return None


def invented_facts(text: str, facts: Facts) -> list[Invented]:
    """Numbers, amounts, dates, times and names in `text` that the profile does not contain."""
    found: list[Invented] = []
    rest = text
    for kind, pattern in _DATE_PATTERNS:
        for match in pattern.finditer(rest):
            if not _date_grounded(kind, match.groups(), facts):
                found.append(Invented("date", match.group(0)))
        rest = pattern.sub(" ", rest)
    for match in _TIME.finditer(rest):
        if (int(match.group(1)), int(match.group(2))) not in facts.times:
            found.append(Invented("time", match.group(0)))
    rest = _TIME.sub(" ", rest)
    for match in _NUMBER.finditer(rest):
        currency, whole, frac, percent = match.groups()
        value = _num(whole + (f".{frac}" if frac else ""))
        if value is None:
            continue
        if currency:
            grounded = value in facts.money
        elif percent:
            grounded = value in facts.numbers
        else:
            grounded = value in facts.numbers or (not frac and (value <= facts.max_count or int(value) in facts.years))
        if not grounded:
            found.append(Invented("money" if currency else "number", match.group(0).strip()))
    found.extend(Invented("name", name) for name in wrong_names(text, facts))
    return found


def _date_grounded(kind: str, groups: tuple[str, ...], facts: Facts) -> bool:
    if kind in {"iso", "dmy", "d_month_y", "month_d_y"}:
        date = _parse_date(kind, groups)
        return date is not None and date in facts.dates
    if kind == "d_month":
        day, month = int(groups[0]), MONTHS[groups[1].lower()[:3]]
        return any(d.day == day and d.month == month for d in facts.dates)
    month, year = MONTHS[groups[0].lower()[:3]], int(groups[1])
    return any(d.month == month and d.year == year for d in facts.dates)


def wrong_names(text: str, facts: Facts) -> list[str]:
    """Names used to address or sign a message that are not the customer's (or a team)."""
    wrong = []
    for pattern in (_SALUTATION, _SPEAK_TO):
        for match in pattern.finditer(text):
            tokens = [t.strip(".'’").lower() for t in match.group(1).split()]
            tokens = [t for t in tokens if t and t not in TITLES and t not in GENERIC_ADDRESSEES]
            if any(t not in facts.names for t in tokens):
                wrong.append(match.group(1))
    for match in _CLOSING.finditer(text):
        words = [w.strip(".,'’").lower() for w in match.group(1).split()]
        if any(w and w not in SIGN_OFF_WORDS and w not in facts.names for w in words):
            wrong.append(match.group(1).strip())
    return wrong


def invented_in_factor(factor: TriggerFactor, facts: Facts) -> list[Invented]:
    """A trigger factor must name a real profile field and quote its real value(s)."""
    name = factor.field.strip()
    root = re.split(r"[.\[( ]", name, maxsplit=1)[0]
    found = [] if root in PROFILE_FIELDS else [Invented("field", factor.field)]
    # A scalar field must be quoted with its real value, not just any number found in the record.
    actual = facts.fields.get(name.removeprefix("activity."))
    if actual is not None and not _quotes(factor.value, actual):
        found.append(Invented("value", f"{factor.field}={factor.value}"))
    return found + invented_facts(f"{factor.value} {factor.why}", facts)


def _quotes(value: str, actual: str) -> bool:
    if actual.lower() in value.lower():
        return True
    wanted = _num(actual)
    return wanted is not None and any(_num(t) == wanted for t in _ANY_NUMBER.findall(value))
