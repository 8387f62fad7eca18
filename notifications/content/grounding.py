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
import functools
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from notifications.profiles.schemas import ActivitySnapshot, CustomerProfile, TriggerFactor

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
_DATES = dict(_DATE_PATTERNS)
_TIME = re.compile(r"\b(\d{1,2}):(\d{2})\b")
_NUMBER = re.compile(r"(?<![\w.])(?:(£|\$|€)\s?)?(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?(%| ?per ?cent)?(?![\w])")
# Everything at once, in one left-to-right scan: at any position the longer date forms are tried before
# a bare number, so "1 August 2025" is one date, not "1" and "2025".
_FACT = re.compile(
    "|".join(
        [
            f"(?P<{kind}>{pattern.pattern.replace('(', '(?:').replace('(?:?:', '(?:')})"
            for kind, pattern in _DATE_PATTERNS
        ]
        + [r"(?P<time>\b\d{1,2}:\d{2}\b)", f"(?P<number>{_NUMBER.pattern})"]
    ),
    re.I,
)
_DIGIT = re.compile(r"\d")
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
TEAM_WORDS = {"team", "support", "services"}  # the last word of a team's name
# Profile fields a trigger factor may name (its root, before any "." or "[").
PROFILE_FIELDS = set(CustomerProfile.model_fields) | set(ActivitySnapshot.model_fields)


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


@functools.lru_cache(maxsize=1 << 16)
def _text_facts(text: str) -> tuple[frozenset[Decimal], frozenset[dt.date]]:
    """Numbers and dates quoted in one free text ("bill of £120.50", "since 3 March 2026").

    Cached: agents' notes, activity labels and scenarios repeat across many customers.
    """
    if not _DIGIT.search(text):
        return frozenset(), frozenset()
    numbers = {value for token in _ANY_NUMBER.findall(text) if (value := _num(token)) is not None}
    dates = set()
    for kind, pattern in _DATE_PATTERNS[:4]:
        for match in pattern.finditer(text):
            if (date := _parse_date(kind, match.groups())) is not None:
                dates.add(date)
    return frozenset(numbers), frozenset(dates)


def _add_text_numbers(facts: Facts, texts: list[str]) -> None:
    for text in texts:
        numbers, dates = _text_facts(text)
        if numbers:
            facts.numbers |= numbers
            facts.money |= numbers
        if dates:
            facts.dates |= dates


def profile_facts(profile: CustomerProfile, today: dt.date | None = None) -> Facts:
    today = today or dt.date.today()
    facts = Facts(today=today)
    nums, dates = facts.numbers, facts.dates
    dates.add(today)
    facts.names = set(profile.name.lower().split())
    facts.fields = {
        "age": str(profile.age),
        "satisfaction_score": str(profile.satisfaction_score),
        "income_bracket": profile.income_bracket,
        "preferred_channel": profile.preferred_channel,
        "opted_in": str(profile.opted_in),
        "location": profile.location,
    }
    nums.update((Decimal(profile.age), Decimal(profile.satisfaction_score), Decimal(profile.customer_pk)))
    dates.add(profile.customer_since)
    nums.add(Decimal(_years_between(profile.customer_since, today)))
    texts = [profile.location, profile.source_segment]
    ids = [profile.customer_id]  # unique per record: numbers only, and not worth caching

    stamps: list[dt.datetime] = []
    if (a := profile.activity) is not None:
        facts.fields.update(
            account_status=a.account_status, last_transaction=a.last_transaction, recent_activity=a.recent_activity,
            engagement_score=str(a.engagement_score), account_tenure_years=str(a.account_tenure_years),
            subscription_type=a.subscription_type, churn_risk_score=str(a.churn_risk_score),
        )  # fmt: skip
        nums.update((Decimal(a.engagement_score), a.account_tenure_years, a.churn_risk_score))
        nums.update((Decimal(int(a.account_tenure_years)), Decimal(round(a.churn_risk_score))))
        stamps.append(a.last_login)
        texts += (a.account_status, a.last_transaction, a.recent_activity)
    for i in profile.interactions:
        stamps.append(i.occurred_at)
        if i.response_time_minutes is not None:
            nums.add(Decimal(i.response_time_minutes))
        texts.append(i.summary)
        ids.append(i.agent_id)
    for n in profile.notifications:
        stamps.append(n.sent_at)
        if n.response_time_hours is not None:
            nums.add(n.response_time_hours)
        texts.append(n.action_taken)
        ids.append(n.notification_id)
    # Any count of the customer's records ("3 open complaints since…", "4 of the last 5") is
    # a fair derivation for some window, so whole numbers up to the record count pass as counts.
    facts.max_count = max(
        profile.interactions_total, profile.notifications_total, len(profile.interactions),
        len(profile.notifications), len(profile.recommended_actions),
    )  # fmt: skip
    for r in profile.recommended_actions:
        texts += (r.scenario, r.recommended_action, r.assigned_team)
    _add_text_numbers(facts, texts)
    nums.update(value for token in _ANY_NUMBER.findall(" ".join(ids)) if (value := _num(token)) is not None)
    for stamp in (profile.last_unsubscribe_at, profile.last_opt_in_at):
        if stamp is not None:
            stamps.append(stamp)
    seen: set[dt.datetime] = set()
    for stamp in stamps:
        if stamp in seen:
            continue
        seen.add(stamp)
        local = _local(stamp)
        day = local.date()
        dates.add(day)
        facts.times.add((local.hour, local.minute))
        nums.add(Decimal((today - day).days))  # "N days ago"
    return facts


def mentioned_dates(text: str) -> frozenset[dt.date]:
    """Full dates written in `text`, in any of the forms the checks read ("2026-11-01", "1 November 2026")."""
    return _text_facts(text)[1]


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


def invented_facts(text: str, facts: Facts, *, names: bool = True) -> list[Invented]:
    """Numbers, amounts, dates, times and names in `text` that the profile does not contain."""
    found: list[Invented] = []
    # Every date, time and number has a digit, and none spans a line: scan only the lines with digits.
    lines = [line for line in text.splitlines() if _DIGIT.search(line)] if _DIGIT.search(text) else []
    for fact in (fact for line in lines for fact in _FACT.finditer(line)):
        kind, token = fact.lastgroup, fact.group(0)
        if kind in _DATES:
            if not _date_grounded(kind, _DATES[kind].fullmatch(token).groups(), facts):
                found.append(Invented("date", token))
            continue
        if kind == "time":
            match = _TIME.fullmatch(token)
            if (int(match.group(1)), int(match.group(2))) not in facts.times:
                found.append(Invented("time", token))
            continue
        match = _NUMBER.search(token)
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
    if names:
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
    wrong: list[str] = []
    lowered = text.lower()
    # Cheap substring tests first: most texts have one greeting and one sign-off, and these regexes
    # would otherwise try every position of every draft.
    patterns = [_SALUTATION]
    if "speak" in lowered or "talk" in lowered:
        patterns.append(_SPEAK_TO)
    for pattern in patterns:
        for match in pattern.finditer(text):
            tokens = [t.strip(".'’").lower() for t in match.group(1).split()]
            tokens = [t for t in tokens if t and t not in TITLES and t not in GENERIC_ADDRESSEES]
            if any(t not in facts.names for t in tokens):
                wrong.append(match.group(1))
    closings = ("regards", "wishes", "thanks", "sincerely")
    for match in _CLOSING.finditer(text) if any(word in lowered for word in closings) else ():
        signer = _signer(match.group(1))
        if any(w not in SIGN_OFF_WORDS and w not in facts.names for w in signer):
            wrong.append(match.group(1).strip())
    return wrong


def _signer(line: str) -> list[str]:
    """The words of a sign-off line that name who signs: a team ("The Customer Care team") ends at its
    last team word, a person at the first sentence break; what an agent wrote after it is not a name."""
    words = [w.strip(",'’").lower() for w in line.split()]
    if words and words[0] in SIGN_OFF_WORDS:
        ends = [i for i, w in enumerate(words) if w.rstrip(".!?") in TEAM_WORDS]
        return [w.rstrip(".!?") for w in words[: ends[0] + 1]] if ends else [w.rstrip(".!?") for w in words]
    signer = []
    for w in words:
        signer.append(w.rstrip(".!?"))
        if w.endswith((".", "!", "?")):
            break
    return [w for w in signer if w]


def invented_in_factor(factor: TriggerFactor, facts: Facts) -> list[Invented]:
    """A trigger factor must name a real profile field and quote its real value(s)."""
    name = factor.field.strip()
    root = re.split(r"[.\[( ]", name, maxsplit=1)[0]
    found = [] if root in PROFILE_FIELDS else [Invented("field", factor.field)]
    # A scalar field must be quoted with its real value, not just any number found in the record.
    actual = facts.fields.get(name.removeprefix("activity."))
    if actual is not None and not quotes(factor.value, actual):
        found.append(Invented("value", f"{factor.field}={factor.value}"))
    return found + invented_facts(f"{factor.value} {factor.why}", facts, names=False)


def quotes(value: str, actual: str) -> bool:
    """`value` states `actual`: contains it as text, or names the same number."""
    if actual.lower() in value.lower():
        return True
    wanted = _num(actual)
    return wanted is not None and any(_num(t) == wanted for t in _ANY_NUMBER.findall(value))
