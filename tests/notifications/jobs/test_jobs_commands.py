"""run_analysis through a real worker: --wait, --json and the summary (without a worker: test_run_analysis_here.py)."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command

from tests.notifications.jobs.test_worker_support import make_customer

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_run_analysis_waits_and_prints_the_summary(live_worker, settings):
    settings.ANALYSIS_CHUNK_SIZE = 3
    [make_customer() for _ in range(3)] + [make_customer(value_seeker=False) for _ in range(2)]
    out = io.StringIO()
    call_command("run_analysis", "--provider", "offline", "--wait", "--timeout", "60", stdout=out)
    text = out.getvalue()
    assert "succeeded" in text
    assert "Traditionalists 2, Value Seekers 3" in text
    assert "Value Seekers 3  contactable 3  drafts 3" in text
    assert "skipped unchanged 0" in text and "£0.0000" in text

    out = io.StringIO()
    call_command("run_analysis", "--wait", "--json", "--timeout", "60", stdout=out)
    summary = json.loads(out.getvalue())
    assert summary["status"] == "succeeded" and summary["skipped"] == 5 and summary["done"] == 0
