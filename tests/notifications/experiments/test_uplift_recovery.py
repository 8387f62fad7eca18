"""The whole loop against a known answer: a planted 5-point churn effect on 20,000 demo customers.

Demo export → import → a real analysis run (offline analyst; the holdout holds out 10% of the
proactive contacts) → `experiment_subjects` → `generate_demo_data --follow-up` with contacted
customers churning 5 points less → import the follow-up → `uplift_report --json`. The true
value, -5 points, must lie inside the report's 95% interval.
"""

from __future__ import annotations

import io
import json

import pytest
from celery.canvas import group
from django.core.management import call_command

from notifications.jobs.services import start_job
from tests.notifications.jobs.test_worker_support import run_inline

pytestmark = pytest.mark.django_db


def _loop(tmp_path, monkeypatch, customers: int) -> dict:
    monkeypatch.setattr(group, "apply_async", lambda self, *a, **k: None)
    quiet = {"stdout": io.StringIO(), "stderr": io.StringIO()}
    call_command("generate_demo_data", "--customers", str(customers), "--out", str(tmp_path / "demo"), **quiet)
    call_command("import_datasets", str(tmp_path / "demo"), **quiet)
    run_inline(start_job(provider="offline"))
    call_command("experiment_subjects", "--output", str(tmp_path / "subjects.csv"), **quiet)
    call_command("generate_demo_data", "--follow-up", str(tmp_path / "subjects.csv"), "--churn-effect", "-5",
                 "--out", str(tmp_path / "later"), **quiet)  # fmt: skip
    call_command("import_datasets", str(tmp_path / "later"), **quiet)
    out = io.StringIO()
    call_command("uplift_report", "--json", stdout=out)
    return json.loads(out.getvalue())


def test_the_report_recovers_a_planted_five_point_churn_effect_on_20000_customers(tmp_path, monkeypatch):
    report = _loop(tmp_path, monkeypatch, 20_000)
    headline = report["headline"]
    print(f"\nplanted -5: estimate {headline['difference']:+.2f} points, 95% interval "
          f"{headline['ci_low']:+.2f} to {headline['ci_high']:+.2f}; n = {headline['treated_n']} contacted, "
          f"{headline['control_n']} held out")  # fmt: skip
    assert report["pending"] == 0 and report["measured"] == headline["treated_n"] + headline["control_n"]
    assert headline["control_n"] >= 150 and headline["treated_n"] >= 9 * headline["control_n"] * 0.7
    assert headline["ci_low"] <= -5 <= headline["ci_high"]
    assert headline["control_n"] == report["held_out"]
    # The planted effects on the other outcomes are zero: their intervals must contain 0.
    others = {m["metric"]: m for m in report["overall"]["metrics"]}
    assert others["complaint"]["ci_low"] <= 0 <= others["complaint"]["ci_high"]
    assert others["positive_action"]["ci_low"] <= 0 <= others["positive_action"]["ci_high"]


def test_a_tiny_sample_is_too_few_to_tell(tmp_path, monkeypatch):
    report = _loop(tmp_path, monkeypatch, 60)
    assert report["headline"]["verdict"].startswith("Too few customers to tell yet")
