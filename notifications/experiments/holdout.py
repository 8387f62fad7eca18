"""Who is held out: a fixed, random-looking share of the customers we would contact proactively.

A customer's place in the experiment is a hash of (experiment, Customer ID), so
every run of the same experiment puts them in the same arm, whatever order the
customers are analysed in and whoever presses the button: nobody can pick who
is held out. A new experiment key reshuffles everyone.

Service contacts the customer needs are never held out (see
../shared/reference/domain.md): payment help (Ofgem SLC 27.5: offer help when
there is reason to believe a customer is struggling), an open complaint, an
open billing query they raised. Those customers are outside the experiment
altogether: they are not comparable with the rest, so they are in neither arm.
Only proactive retention and value contacts are randomised.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from notifications.analysis.analysts.base import reference_date
from notifications.analysis.analysts.offline.signals import derive
from notifications.analysis.models.decisions import ContactDecision
from notifications.profiles.schemas import SITUATION_KIND, CustomerProfile, MessageKind, PriorityAnalysis, Situation

DEFAULT_SHARE = 0.10
MAX_SHARE = 0.5  # holding back more than half the contacts is no longer a control group
# TREATED: in the experiment, contacted as usual; CONTROL: held out, never drafted or sent;
# EXCLUDED: a needed service contact, always contacted and not compared.
Arm = ContactDecision.Arm


@dataclass(frozen=True)
class Holdout:
    """A running experiment as one analysis batch sees it."""

    key: str
    share: float


MUST_CONTACT_REASONS = {
    "payment_difficulty": "Signs of payment difficulty: help must be offered (Ofgem SLC 27.5).",
    "open_complaint": "An open complaint: the customer is waiting for us to put it right.",
    "billing_support": "An open billing query the customer raised.",
}


def must_contact_reason(
    situation: str, *, payment_difficulty: bool, open_complaint: bool, open_billing_query: bool = False
) -> str:
    """Why this contact may never be held out, or "" if it is a proactive contact that may be.

    The flags come from the customer's data itself (the offline signals), so a
    contact is protected even if an analyst named another situation.
    """
    if payment_difficulty or situation == Situation.PAYMENT_DIFFICULTY:
        return MUST_CONTACT_REASONS["payment_difficulty"]
    if open_complaint:
        return MUST_CONTACT_REASONS["open_complaint"]
    if open_billing_query or situation == Situation.BILLING_SUPPORT:
        return MUST_CONTACT_REASONS["billing_support"]
    return ""


def holdout_point(experiment: str, customer_id: str) -> float:
    """The customer's fixed place in [0, 1) for this experiment (SHA-256, so uniform and unguessable in advance)."""
    digest = hashlib.sha256(f"{experiment}\x1f{customer_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def assign(experiment: str, customer_id: str, share: float, *, must_contact: str = "") -> Arm:
    """The customer's arm: EXCLUDED for a needed service contact, else CONTROL for the first `share` of points."""
    if not 0 <= share <= MAX_SHARE:
        raise ValueError(f"holdout share must be between 0 and {MAX_SHARE}, not {share}")
    if must_contact:
        return Arm.EXCLUDED
    return Arm.CONTROL if holdout_point(experiment, customer_id) < share else Arm.TREATED


def needed_contact(profile: CustomerProfile, situation: str) -> str:
    """must_contact_reason for this customer, from the same signals the offline rules read."""
    # The flags read here do not depend on the date; the analysts' own day lets derive's per-thread
    # cache answer (another day would recompute the signals, and evict them before the draft step).
    s = derive(profile, reference_date(profile))
    return must_contact_reason(
        situation,
        payment_difficulty=s.payment_difficulty,
        open_complaint=bool(s.open_complaints),
        open_billing_query=s.billing_issue is not None,
    )


def would_contact(priority: PriorityAnalysis, *, marketing_allowed: bool) -> bool:
    """Would this (contactable) customer be queued? The same test for both arms, so they stay comparable."""
    if not (priority.should_contact and priority.risk_score and priority.situation):
        return False
    return SITUATION_KIND[priority.situation] != MessageKind.MARKETING or marketing_allowed


def place(holdout: Holdout, profile: CustomerProfile, situation: str) -> tuple[Arm, str]:
    """(arm, note) for a customer the run would contact: the note says why held out, or why never."""
    reason = needed_contact(profile, situation)
    arm = assign(holdout.key, profile.customer_id, holdout.share, must_contact=reason)
    if arm == Arm.CONTROL:
        return arm, f"Held out: control group of experiment {holdout.key} ({holdout.share * 100:g}% held out)."
    return arm, reason


def hold_out_test(
    holdout: Holdout | None, profile: CustomerProfile, *, marketing_allowed: bool
) -> Callable[[PriorityAnalysis], bool] | None:
    """For analyse_customer: True when this customer, as prioritised, falls in the control group."""
    if holdout is None:
        return None
    return lambda priority: (
        would_contact(priority, marketing_allowed=marketing_allowed)
        and (place(holdout, profile, priority.situation)[0] == Arm.CONTROL)
    )
