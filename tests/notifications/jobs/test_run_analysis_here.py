"""run_analysis from a bare shell: it says within seconds that no worker took the job, and --inline runs it here."""

from __future__ import annotations

import io
import json
import time

import pytest
from celery.canvas import group
from django.core.management import CommandError, call_command

from notifications.analysis.models import AnalysisJob
from notifications.jobs.management.commands import run_analysis
from notifications.queue.models import Notification
from tests.notifications.jobs.test_worker_support import make_customer

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent_to_workers(monkeypatch):
    """The chunk groups handed to the broker (none is delivered: there is no worker)."""
    sent = []
    monkeypatch.setattr(group, "apply_async", lambda self, *a, **k: sent.append(self))
    return sent


def test_no_worker_is_reported_within_seconds_with_the_way_out(
    sent_to_workers, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(run_analysis, "WORKER_HINT_AFTER", 1)
    make_customer()
    err = io.StringIO()
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("run_analysis", "--provider", "offline", stdout=io.StringIO(), stderr=err)
    assert time.monotonic() - started < 5
    job = AnalysisJob.objects.get()
    assert job.status == "queued" and len(sent_to_workers) == 1
    assert err.getvalue().strip() == (
        f"No worker has picked up job {job.pk} in 1s: is one running? Start one with "
        "`.venv/bin/celery -A notification_engine worker -P prefork -c 2`, or run the job here with --inline."
    )


def test_inline_runs_the_job_in_this_process_without_a_worker(
    sent_to_workers, settings, django_capture_on_commit_callbacks
):
    settings.ANALYSIS_OFFLINE_CHUNK_SIZE = 2
    customers = [make_customer() for _ in range(3)] + [make_customer(value_seeker=False)]
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("run_analysis", "--provider", "offline", "--inline", stdout=out, stderr=io.StringIO())
    job = AnalysisJob.objects.get()
    assert sent_to_workers == []  # nothing went to the broker
    assert (job.status, job.done, job.drafts) == ("succeeded", 4, 3)
    assert f"Job {job.pk} succeeded" in out.getvalue()
    assert "Value Seekers 3  contactable 3  drafts 3" in out.getvalue()
    assert Notification.objects.filter(customer__in=customers[:3]).count() == 3


def test_without_wait_the_job_is_only_queued_and_cancel_stops_it(sent_to_workers, monkeypatch):
    # No worker here on purpose: this file's tests never reach a broker. (In test_jobs_commands.py the
    # session's live worker listens on the test broker and took such a job within the 5 s pick-up wait.)
    monkeypatch.setattr(run_analysis, "WORKER_HINT_AFTER", 1)
    make_customer()
    out, err = io.StringIO(), io.StringIO()
    call_command("run_analysis", "--json", stdout=out, stderr=err)
    job_id = json.loads(out.getvalue())["id"]  # stdout stays pure JSON: the hint goes to stderr
    assert AnalysisJob.objects.get(pk=job_id).status == "queued"
    assert err.getvalue().startswith(f"No worker has picked up job {job_id} in 1s")

    out = io.StringIO()
    call_command("run_analysis", "--cancel", str(job_id), stdout=out)
    assert out.getvalue().strip() == f"Job {job_id}: queued → cancelled."
    with pytest.raises(CommandError, match="No job 999999."):
        call_command("run_analysis", "--cancel", "999999")
