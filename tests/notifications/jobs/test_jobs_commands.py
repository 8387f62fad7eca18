"""run_analysis through a real worker: --wait, --json, the summary, --cancel."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

from notifications.analysis.models import AnalysisJob
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


def test_run_analysis_without_wait_returns_at_once_and_cancel_stops_the_job(settings, monkeypatch):
    from notifications.jobs.management.commands import run_analysis

    monkeypatch.setattr(run_analysis, "WORKER_HINT_AFTER", 0)  # do not wait for a worker's pick-up here
    make_customer()
    out = io.StringIO()
    call_command("run_analysis", "--json", stdout=out)  # no worker needed: the job is only queued
    job_id = json.loads(out.getvalue())["id"]
    assert AnalysisJob.objects.get(pk=job_id).status == "queued"

    out = io.StringIO()
    call_command("run_analysis", "--cancel", str(job_id), stdout=out)
    assert "queued → cancelled" in out.getvalue()
    with pytest.raises(CommandError):
        call_command("run_analysis", "--cancel", "999999")
