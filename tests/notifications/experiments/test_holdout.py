"""The holdout: deterministic, the configured share, and never a contact the customer needs."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from notifications.experiments.holdout import Arm, assign, holdout_point, must_contact_reason

IDS = [f"CUST{n:06d}" for n in range(1, 20_001)]


def _control(experiment: str, share: float, ids=IDS) -> set[str]:
    return {cid for cid in ids if assign(experiment, cid, share) == Arm.CONTROL}


def test_the_same_customers_are_held_out_on_every_run_whatever_the_order():
    first = {cid: assign("retention-2026", cid, 0.10) for cid in IDS}
    again = {cid: assign("retention-2026", cid, 0.10) for cid in reversed(IDS)}
    assert first == again


def test_assignment_agrees_across_processes_with_different_hash_seeds():
    # Python's own hash() changes per process; a re-run in a new worker must still agree.
    code = (
        "import django; django.setup();"
        "from notifications.experiments.holdout import assign;"
        "print(','.join(c for c in [f'CUST{n:06d}' for n in range(1, 2001)] if assign('exp-a', c, 0.1) == 'control'))"
    )
    runs = [
        subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONHASHSEED": seed, "DJANGO_SETTINGS_MODULE": "notification_engine.settings"},
            cwd=Path(__file__).resolve().parents[3],
        ).stdout.splitlines()[-1]  # the last line: Django apps may log on start
        for seed in ("1", "2")
    ]
    assert runs[0] == runs[1]
    assert set(runs[0].split(",")) == _control("exp-a", 0.1, IDS[:2000])


def test_ten_percent_are_held_out_by_default_share():
    held = len(_control("retention-2026", 0.10))
    # Binomial: 20,000 × 10% = 2,000, standard deviation 42; ±4 sd.
    assert 1_830 <= held <= 2_170


def test_a_new_experiment_reshuffles_who_is_held_out():
    a, b = _control("exp-a", 0.10), _control("exp-b", 0.10)
    # Independent draws overlap in about 10% of 2,000 = 200 customers, not in most of them.
    assert 120 <= len(a & b) <= 300


def test_raising_the_share_keeps_everyone_already_held_out():
    ten, twenty = _control("exp-a", 0.10), _control("exp-a", 0.20)
    assert ten < twenty
    assert 3_700 <= len(twenty) <= 4_300


def test_share_zero_holds_nobody_out_and_shares_beyond_half_are_refused():
    assert _control("exp-a", 0.0, IDS[:1000]) == set()
    with pytest.raises(ValueError, match="between 0 and 0.5"):
        assign("exp-a", "CUST000001", 0.6)
    with pytest.raises(ValueError, match="between 0 and 0.5"):
        assign("exp-a", "CUST000001", -0.1)


def test_points_are_spread_over_the_unit_interval():
    points = [holdout_point("exp-a", cid) for cid in IDS]
    assert min(points) >= 0 and max(points) < 1
    deciles = [sum(1 for p in points if d / 10 <= p < (d + 1) / 10) for d in range(10)]
    assert all(1_830 <= n <= 2_170 for n in deciles), deciles


@pytest.mark.parametrize(
    ("situation", "flags", "reason"),
    [
        (
            "payment_difficulty",
            {"payment_difficulty": True},
            "Signs of payment difficulty: help must be offered (Ofgem SLC 27.5).",
        ),
        # The customer's data protects the contact whatever situation an analyst named.
        (
            "tariff_value",
            {"payment_difficulty": True},
            "Signs of payment difficulty: help must be offered (Ofgem SLC 27.5).",
        ),
        ("retention", {"open_complaint": True}, "An open complaint: the customer is waiting for us to put it right."),
        ("green_upgrade", {"open_billing_query": True}, "An open billing query the customer raised."),
        ("billing_support", {}, "An open billing query the customer raised."),
        ("retention", {}, ""),  # proactive: low satisfaction or high churn, nothing open
        ("tariff_value", {}, ""),
        ("green_upgrade", {}, ""),
        ("engagement", {}, ""),
    ],
)
def test_which_contacts_the_customer_needs(situation, flags, reason):
    given = {"payment_difficulty": False, "open_complaint": False, **flags}
    assert must_contact_reason(situation, **given) == reason


def test_a_must_contact_case_is_never_held_out_even_at_the_largest_share():
    reason = must_contact_reason("retention", open_complaint=True, payment_difficulty=False)
    arms = {assign("exp-a", cid, 0.5, must_contact=reason) for cid in IDS[:5000]}
    assert arms == {Arm.EXCLUDED}
