"""A follow-up export with a planted effect: what happened after the decisions, with a known answer.

Given the customers a database decided about (Customer ID, treated or control,
when), `write_follow_up` writes the three files a later supplier export adds to
(account activity, interactions, notification history), dated after each
decision. Outcomes are drawn at fixed base rates, and treated customers'
rates are moved by exactly the chosen `Effects` (e.g. churn 5 points lower),
so the uplift report can be checked against the true value.

Per customer, within the window after the decision (the outcome definitions are
`customers.selectors.read_outcomes`):

- churned (BASE_CHURN, + effect if treated): a CLOSED_SHARE of them close the
  account (a "Closed" snapshot), the rest go dormant (no login in the window);
  everyone else logs in once or twice, their churn risk score drifting by
  SCORE_DRIFT ± SCORE_SD (+ effect if treated);
- a complaint (BASE_COMPLAINT, + effect) and a positive action on a notification
  (BASE_ACTION, + effect), independently;
- a "Bill Ready" every 30 days to the export date, so the export visibly reaches
  past every window; some logins and actions fall after the window, where they
  must not count.

The export is dated EXPORT_LAG_DAYS after the last window closes. Plain inputs
only: this package reads no database (the notifications side writes the
subjects file: `manage.py experiment_subjects`).
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO
from zoneinfo import ZoneInfo

from .clock import Calendar
from .sampling import Weighted, clamp, decimal_text
from .writer import ACTIVITY, HEADERS, INTERACTIONS, NOTIFICATIONS

LONDON = ZoneInfo("Europe/London")
TREATED, CONTROL = "treated", "control"
SUBJECT_HEADER = ["Customer_ID", "Arm", "Decided_At", "Churn_Risk_Score", "Account_Tenure_Years", "Subscription_Type"]
SUBJECT_REQUIRED = SUBJECT_HEADER[:3]
SUBSCRIPTIONS = ("Basic", "Premium", "Green")

BASE_CHURN = 0.10
CLOSED_SHARE = 0.35
BASE_COMPLAINT = 0.06
BASE_ACTION = 0.30
SCORE_DRIFT, SCORE_SD = 2.0, 6.0
DEFAULT_CHURN_SCORE, DEFAULT_TENURE, DEFAULT_SUBSCRIPTION = 50.0, 3.0, "Basic"
BILL_EVERY_DAYS = 30
EXPORT_LAG_DAYS = 30

COMPLAINTS = (
    "Unhappy that the monthly direct debit went up again without warning.",
    "Complained that a promised refund has still not arrived.",
    "Bill much higher than expected; says the estimated reading is wrong.",
    "Waited on hold for over an hour and was cut off twice.",
)
QUERIES = ("Asked when the next bill is due.", "Asked how to submit a meter reading online.")
ACTIONS = Weighted.of(
    {
        ("Bill Ready", "Paid Bill"): 5,
        ("Tariff Saving Offer", "Switched Tariff"): 3,
        ("Smart Meter Booking", "Booked Smart Meter"): 2,
    }
)
CONTACT_CHANNELS = Weighted.of({"Phone": 40, "Web Chat": 30, "Email": 30})
HOURS = Weighted.of({h: (3 if 8 <= h <= 20 else 0.5) for h in range(7, 23)})


class SubjectsError(ValueError):
    """A bad subjects file: every problem, as `file:line: column=value: reason`."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Subject:
    customer_id: str
    arm: str  # TREATED or CONTROL
    decided_at: dt.datetime  # aware
    churn_risk_score: float = DEFAULT_CHURN_SCORE  # at the decision; the follow-up drifts from it
    tenure_years: float = DEFAULT_TENURE
    subscription: str = DEFAULT_SUBSCRIPTION


@dataclass(frozen=True)
class Effects:
    """The true effect of contact on treated customers: percentage points (score points for churn_score)."""

    churn: float = -5.0
    complaint: float = 0.0
    positive_action: float = 0.0
    churn_score: float = 0.0

    def rates(self, treated: bool) -> tuple[float, float, float]:
        """(churn, complaint, action) probabilities for one arm."""
        if not treated:
            return BASE_CHURN, BASE_COMPLAINT, BASE_ACTION
        base = (BASE_CHURN, BASE_COMPLAINT, BASE_ACTION)
        return tuple(b + e / 100 for b, e in zip(base, (self.churn, self.complaint, self.positive_action), strict=True))

    def check(self) -> None:
        for name, rate in zip(("churn", "complaint", "positive_action"), self.rates(True), strict=True):
            if not 0 <= rate <= 1:
                raise ValueError(f"a {name} effect of {getattr(self, name):+g} points takes the rate outside 0–100%")


def read_subjects(handle: TextIO, name: str) -> list[Subject]:
    """Parse a subjects CSV (SUBJECT_HEADER; the last three columns optional); SubjectsError lists every bad row."""
    reader = csv.DictReader(handle)
    missing = [c for c in SUBJECT_REQUIRED if c not in (reader.fieldnames or [])]
    if missing:
        raise SubjectsError([f"{name}:1: header: missing column(s) {', '.join(missing)}"])
    subjects, problems, seen = [], [], set()
    for line, row in enumerate(reader, start=2):
        bad = len(problems)

        def problem(column: str, reason: str, row=row, line=line) -> None:
            problems.append(f"{name}:{line}: {column}={row.get(column) or ''}: {reason}")

        customer_id = (row["Customer_ID"] or "").strip()
        if not customer_id:
            problem("Customer_ID", "required")
        elif customer_id in seen:
            problem("Customer_ID", "appears more than once")
        arm = (row["Arm"] or "").strip().lower()
        if arm not in (TREATED, CONTROL):
            problem("Arm", f"must be {TREATED} or {CONTROL}")
        decided = _aware(row["Decided_At"] or "")
        if decided is None:
            problem("Decided_At", "not an ISO 8601 date-time with a UTC offset")
        churn = _number(row.get("Churn_Risk_Score"), DEFAULT_CHURN_SCORE, 0, 100)
        if churn is None:
            problem("Churn_Risk_Score", "not a number from 0 to 100")
        tenure = _number(row.get("Account_Tenure_Years"), DEFAULT_TENURE, 0, 150)
        if tenure is None:
            problem("Account_Tenure_Years", "not a number of years from 0")
        subscription = (row.get("Subscription_Type") or "").strip() or DEFAULT_SUBSCRIPTION
        if subscription not in SUBSCRIPTIONS:
            problem("Subscription_Type", f"must be one of {', '.join(SUBSCRIPTIONS)}")
        if len(problems) == bad:
            seen.add(customer_id)
            subjects.append(Subject(customer_id, arm, decided, churn, tenure, subscription))
    if problems:
        raise SubjectsError(problems)
    return subjects


def write_subjects(handle: TextIO, subjects: Iterable[Subject]) -> int:
    """The subjects file `read_subjects` reads; returns the rows written."""
    writer = csv.writer(handle)
    writer.writerow(SUBJECT_HEADER)
    n = 0
    for s in subjects:
        score, tenure = decimal_text(s.churn_risk_score), decimal_text(s.tenure_years, 1)
        writer.writerow([s.customer_id, s.arm, s.decided_at.isoformat(), score, tenure, s.subscription])
        n += 1
    return n


def _aware(text: str) -> dt.datetime | None:
    try:
        stamp = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    return stamp if stamp.utcoffset() is not None else None


def _number(text: str | None, default: float, low: float, high: float) -> float | None:
    if not (text or "").strip():
        return default
    try:
        value = float(text)
    except ValueError:
        return None
    return value if low <= value <= high else None


def write_follow_up(
    out_dir: Path, subjects: list[Subject], *, effects: Effects = Effects(), window_days: int = 60, seed: int = 7
) -> tuple[dt.date, dict[str, int]]:
    """Write the follow-up export into `out_dir`; return (its export date, {file name: data rows})."""
    effects.check()
    if window_days < 2:
        raise ValueError("the window must be at least two days: outcomes fall on the days inside it")
    if not subjects:
        raise ValueError("no subjects: nothing was decided, so there is nothing to follow up")
    rng = random.Random(seed)
    last_decision = max(s.decided_at.astimezone(LONDON).date() for s in subjects)
    as_of = last_decision + dt.timedelta(days=window_days + EXPORT_LAG_DAYS)
    follow = _FollowUp(rng, Calendar(as_of), window_days, as_of)
    for s in sorted(subjects, key=lambda s: s.customer_id):  # input order must not change the output
        follow.customer(s, effects)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    counts = {}
    files = {ACTIVITY: follow.activity, INTERACTIONS: follow.interactions, NOTIFICATIONS: follow.notifications}
    for name, rows in files.items():
        with open(out_dir / name, "w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(HEADERS[name])
            writer.writerows(rows)
        counts[name] = len(rows)
    return as_of, counts


class _FollowUp:
    def __init__(self, rng: random.Random, cal: Calendar, window_days: int, as_of: dt.date) -> None:
        self.rng, self.cal, self.window, self.as_of = rng, cal, window_days, as_of
        self.activity: list[list] = []
        self.interactions: list[list] = []
        self.notifications: list[list] = []

    def customer(self, s: Subject, effects: Effects) -> None:
        rng = self.rng
        treated = s.arm == TREATED
        p_churn, p_complaint, p_action = effects.rates(treated)
        decided = s.decided_at.astimezone(LONDON).date()
        horizon = (self.as_of - decided).days - 1  # the last day with data
        churned, complaint, action = rng.random() < p_churn, rng.random() < p_complaint, rng.random() < p_action
        drift = SCORE_DRIFT + (effects.churn_score if treated else 0.0)
        closed = churned and rng.random() < CLOSED_SHARE
        if closed:
            score = clamp(s.churn_risk_score + abs(rng.gauss(drift + 10, SCORE_SD)), 0, 100)
            self._login(s, decided, rng.randint(1, self.window - 1), "Closed", score, engagement=rng.randint(0, 20))
        elif not churned:
            days = sorted(rng.sample(range(1, self.window), k=min(rng.choice((1, 2)), self.window - 1)))
            for day in days[:-1]:
                self._login(s, decided, day, "Active", s.churn_risk_score, rng.randint(30, 80))
            score = clamp(s.churn_risk_score + rng.gauss(drift, SCORE_SD), 0, 100)
            self._login(s, decided, days[-1], "Active", score, rng.randint(30, 80))
        # Some log in again after the window (a dormant one too): that must not count.
        if not closed and rng.random() < (0.2 if churned else 0.5):
            self._login(s, decided, rng.randint(self.window + 1, horizon), "Active", s.churn_risk_score, 40)
        if complaint:
            self._contact(s, decided, rng.randint(1, self.window - 1), "Complaint", rng.choice(COMPLAINTS))
        if rng.random() < 0.25:
            self._contact(s, decided, rng.randint(1, horizon), "Query", rng.choice(QUERIES))
        if action:
            kind, taken = ACTIONS.pick(rng)
            self._notify(s, decided, rng.randint(1, self.window - 1), kind, taken)
        day = rng.randint(1, BILL_EVERY_DAYS)
        while day <= horizon:
            # A bill paid after the window is real, but not this window's outcome.
            after = day > self.window
            self._notify(s, decided, day, "Bill Ready", "Paid Bill" if after and rng.random() < 0.4 else "")
            day += BILL_EVERY_DAYS

    def _stamp(self, decided: dt.date, day: int) -> str:
        # A later calendar day than the decision: strictly after it, whatever its time.
        return self.cal.stamp((self.as_of - decided).days - day, HOURS.pick(self.rng), self.rng.randrange(60))

    def _login(self, s: Subject, decided: dt.date, day: int, status: str, score: float, engagement: int) -> None:
        tenure = s.tenure_years + day / 365.25
        self.activity.append([
            s.customer_id, status, "Bill Payment" if status == "Active" else "Account Closure",
            self._stamp(decided, day), "Viewed bill breakdown" if status == "Active" else "Closed the account",
            engagement, f"{tenure:.1f}", s.subscription, decimal_text(score, 2),
        ])  # fmt: skip

    def _contact(self, s: Subject, decided: dt.date, day: int, kind: str, summary: str) -> None:
        complaint = kind == "Complaint"
        self.interactions.append([
            s.customer_id, CONTACT_CHANNELS.pick(self.rng), self._stamp(decided, day), kind,
            "Negative" if complaint else "Neutral", summary, self.rng.randint(2, 240),
            "Pending" if complaint and self.rng.random() < 0.6 else "Resolved", f"AG-{self.rng.randint(100, 160)}",
        ])  # fmt: skip

    def _notify(self, s: Subject, decided: dt.date, day: int, kind: str, action: str) -> None:
        opened = bool(action) or self.rng.random() < 0.5
        clicked = bool(action) or (opened and self.rng.random() < 0.2)
        number = len(self.notifications) + 1
        self.notifications.append([
            f"FU-{self.as_of:%Y%m%d}-{number:07d}", s.customer_id, "Email", self._stamp(decided, day), kind,
            "Yes" if opened else "No", "Yes" if clicked else "No", action, "Delivered", "Medium",
            decimal_text(self.rng.uniform(0.1, 48), 2) if opened else "",
        ])  # fmt: skip
