"""The state machines of analysis jobs, their chunks and import runs: every state reachable, no move back."""

from __future__ import annotations

import pytest
from celery.canvas import group
from django.utils import timezone

from customers.models import ImportRun
from notifications.analysis.models import AnalysisChunk, AnalysisJob
from notifications.jobs import leases
from notifications.jobs.services import cancel_job, fail_chunk, maybe_finalise, start_job, stop_job
from notifications.staff.models import AuditEvent
from notifications.supervision.services.imports import run_import
from tests.factories import make_role_user
from tests.notifications.jobs.test_worker_support import make_customer

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_broker(monkeypatch, settings):
    settings.ANALYSIS_OFFLINE_CHUNK_SIZE = 0
    settings.ANALYSIS_CHUNK_SIZE = 2
    monkeypatch.setattr(group, "apply_async", lambda self, *a, **k: None)


def _job_with_chunks(n_customers: int = 4) -> AnalysisJob:
    for _ in range(n_customers):
        make_customer()
    return start_job(provider="offline", dispatch=False)


def test_a_finished_job_cannot_be_cancelled_and_nothing_is_audited():
    job = _job_with_chunks()
    AnalysisJob.objects.filter(pk=job.pk).update(status="succeeded", finished_at=timezone.now())
    supervisor = make_role_user("sue", "Supervisors")

    job = cancel_job(job, by=supervisor)

    assert job.status == "succeeded"
    assert AuditEvent.objects.filter(action=AuditEvent.Action.JOB_CANCELLED).count() == 0


def test_cancelling_drops_the_pending_chunks_and_leaves_a_running_one_to_notice():
    job = _job_with_chunks(4)  # two chunks of two
    first, second = AnalysisChunk.objects.filter(job=job).order_by("index")
    assert leases.claim(first) is not None  # a live worker holds the first chunk

    cancel_job(job)

    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == ("running", "cancelled")
    assert AnalysisJob.objects.get(pk=job.pk).status == "cancelled"


def test_a_cancelled_jobs_chunk_cannot_be_claimed():
    job = _job_with_chunks(2)
    cancel_job(job)
    chunk = AnalysisChunk.objects.get(job=job)
    assert chunk.status == "cancelled"
    assert leases.claim(chunk) is None
    assert AnalysisChunk.objects.get(pk=chunk.pk).status == "cancelled"


def test_claiming_the_first_chunk_starts_the_job_once():
    job = _job_with_chunks(4)
    first, second = AnalysisChunk.objects.filter(job=job).order_by("index")
    leases.claim(first)
    started = AnalysisJob.objects.get(pk=job.pk).started_at
    leases.claim(second)
    job.refresh_from_db()
    assert (job.status, job.started_at) == ("running", started)


def test_a_finished_chunk_is_never_failed_later():
    job = _job_with_chunks(2)
    chunk = AnalysisChunk.objects.get(job=job)
    AnalysisChunk.objects.filter(pk=chunk.pk).update(status="done", committed=2, finished_at=timezone.now())

    fail_chunk(chunk.pk, "a late failure from a redelivered message")

    chunk.refresh_from_db()
    assert (chunk.status, chunk.error) == ("done", "")
    assert AnalysisJob.objects.get(pk=job.pk).failed == 0


def test_a_stopped_job_is_not_finalised_as_succeeded_afterwards():
    job = _job_with_chunks(2)
    assert stop_job(job.pk, "The Bedrock model is retired: choose another.") is True
    AnalysisJob.objects.filter(pk=job.pk).update(done=2)  # every customer accounted for after all

    job = maybe_finalise(job.pk)

    assert (job.status, job.error) == ("failed", "The Bedrock model is retired: choose another.")
    assert stop_job(job.pk, "again") is False


def test_a_job_with_nobody_to_analyse_succeeds_at_once():
    job = start_job(provider="offline", dispatch=False)
    assert (job.status, job.total) == ("succeeded", 0)
    assert AnalysisJob.objects.get(pk=job.pk).status == "succeeded"


def test_a_finished_import_run_is_not_run_again_by_a_redelivered_task(tmp_path):
    run = ImportRun.objects.create(
        status=ImportRun.Status.FAILED, errors="Profiles.csv:3: age=abc: not a whole number", directory=str(tmp_path)
    )
    assert run_import(run.pk).status == "failed"
    assert ImportRun.objects.get(pk=run.pk).errors == "Profiles.csv:3: age=abc: not a whole number"
