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
from enum import StrEnum

from notifications.analysts.schemas import Situation

DEFAULT_SHARE = 0.10
MAX_SHARE = 0.5  # holding back more than half the contacts is no longer a control group


class Arm(StrEnum):
    TREATED = "treated"  # in the experiment, contacted as usual
    CONTROL = "control"  # in the experiment, held out: never drafted or sent
    EXCLUDED = "excluded"  # a needed service contact: always contacted, not compared


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
