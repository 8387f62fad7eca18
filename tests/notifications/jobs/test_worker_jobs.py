"""Jobs run by a real `celery worker -P prefork -c 2` subprocess (never eager mode).

SQLite + the embedded SQLAlchemy broker by default; PostgreSQL + Redis when
DATABASE_URL / CELERY_BROKER_URL say so (CI). The worker shares the test
database, so these tests are transactional.
"""

from __future__ import annotations

import time

import pytest

from notifications.analysis.models import AnalysisChunk, AnalysisJob, CustomerAnalysis
from notifications.jobs.services import start_job
from notifications.queue.models import Notification
from tests.notifications.jobs.test_worker_support import make_customer, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _finished(job: AnalysisJob, timeout: float = 60, worker=None) -> AnalysisJob:
    def done() -> bool:
        job.refresh_from_db()
        return job.is_finished

    log = (lambda: worker.log()) if worker is not None else (lambda: "")
    wait_for(done, timeout, message=f"job {job.pk} to finish", details=log)
    return job


def test_a_worker_runs_a_job_asynchronously(live_worker, settings):
    settings.ANALYSIS_CHUNK_SIZE = 4
    customers = [make_customer() for _ in range(5)] + [make_customer(value_seeker=False) for _ in range(3)]

    job = start_job(provider="offline")

    assert job.status == AnalysisJob.Status.QUEUED  # start_job returns at once; the worker does the work
    job = _finished(job, 60, live_worker)
    assert job.status == AnalysisJob.Status.SUCCEEDED
    assert (job.total, job.done, job.failed, job.skipped) == (8, 8, 0, 0)
    assert job.segment_counts == {"Value Seekers": 5, "Traditionalists": 3}
    assert (job.value_seekers, job.contactable, job.drafts) == (5, 5, 5)
    assert job.started_at and job.finished_at
    assert CustomerAnalysis.objects.filter(job=job).count() == len(customers)
    assert Notification.objects.filter(job=job, status=Notification.Status.WAITING).count() == 5
    assert set(AnalysisChunk.objects.filter(job=job).values_list("status", flat=True)) == {"done"}


def _assert_each_customer_once(job: AnalysisJob, customers: list, worker=None) -> None:
    problems = worker.problems() if worker is not None else ""
    assert job.done + job.failed + job.skipped == job.total == len(customers)
    assert (job.failed, CustomerAnalysis.objects.filter(job=job).count()) == (0, len(customers)), problems
    per_customer = CustomerAnalysis.objects.filter(job=job).values_list("customer_id", flat=True)
    assert sorted(per_customer) == sorted(c.pk for c in customers)
    # One open draft per customer at most (the constraint), and none lost or doubled.
    drafted = list(Notification.objects.filter(job=job).values_list("customer_id", flat=True))
    assert len(drafted) == len(set(drafted)) == job.drafts


def test_sigkill_of_a_pool_child_mid_job_loses_and_duplicates_nothing(live_worker, settings):
    settings.ANALYSIS_CHUNK_SIZE = 10
    customers = [make_customer() for _ in range(60)] + [make_customer(value_seeker=False) for _ in range(30)]
    job = start_job(provider="test-paid")  # billed calls: a repeated successful call would show in AICall

    wait_for(lambda: AnalysisJob.objects.get(pk=job.pk).done >= 5, 60, message="progress before the kill")
    killed = live_worker.kill_pool_child()  # reject_on_worker_lost: its chunk goes back on the queue
    assert not AnalysisJob.objects.get(pk=job.pk).is_finished  # the kill landed mid-job

    job = _finished(job, 90, live_worker)
    assert job.status == AnalysisJob.Status.SUCCEEDED, live_worker.log()
    _assert_each_customer_once(job, customers, live_worker)
    assert job.drafts == 60 and job.value_seekers == 60
    # Bedrock-style calls: one segment call per customer, one prioritise + one draft per Value Seeker, never repeated.
    from django.db.models import Count

    from notifications.analysis.models import AICall

    repeats = AICall.objects.filter(job=job).values("customer_id", "operation").annotate(n=Count("id")).filter(n__gt=1)
    assert not repeats.exists(), list(repeats)
    assert AICall.objects.filter(job=job, operation="segment").count() == 90
    assert killed not in live_worker.pool_pids()


def test_sigkill_of_the_whole_worker_then_restart_completes_the_job_exactly_once(live_worker, settings):
    settings.ANALYSIS_CHUNK_SIZE = 10
    customers = [make_customer() for _ in range(30)] + [make_customer(value_seeker=False) for _ in range(30)]
    job = start_job(provider="test-slow")

    wait_for(lambda: AnalysisJob.objects.get(pk=job.pk).done >= 5, 60, message="progress before the kill")
    live_worker.kill_all()  # main process and pool children: nothing acks or rejects anything
    job.refresh_from_db()
    assert job.status == AnalysisJob.Status.RUNNING and job.processed < job.total

    live_worker.start()  # Redis: redelivery after the visibility timeout; embedded broker: resumed at start-up
    job = _finished(job, 120, live_worker)
    assert job.status == AnalysisJob.Status.SUCCEEDED, live_worker.log()
    _assert_each_customer_once(job, customers, live_worker)
    assert job.value_seekers == 30 and job.drafts == 30


def test_bedrock_throttling_is_retried_with_backoff_then_the_offline_analyst_stands_in(live_worker, settings):
    settings.ANALYSIS_CHUNK_SIZE = 5
    customers = [make_customer() for _ in range(4)] + [make_customer(value_seeker=False) for _ in range(3)]

    job = _finished(start_job(provider="test-unavailable"), 90, live_worker)

    assert job.status == AnalysisJob.Status.SUCCEEDED, live_worker.log()
    assert (job.done, job.failed, job.skipped, job.fallbacks) == (7, 0, 0, 7)
    # Worker env: ANALYSIS_MAX_RETRIES=2, so each chunk ran 3 times: 2 throttled attempts, then the fallback.
    assert list(AnalysisChunk.objects.filter(job=job).values_list("attempts", flat=True)) == [3, 3]
    analyses = CustomerAnalysis.objects.filter(job=job)
    assert analyses.count() == len(customers)
    assert all(a.is_fallback and "Bedrock unavailable after retries" in a.fallback_reason for a in analyses)
    assert Notification.objects.filter(job=job, is_fallback=True).count() == job.drafts == 4


def test_a_cancelled_job_drops_its_unstarted_chunks_and_keeps_true_counts(live_worker, settings):
    from notifications.jobs.services import cancel_job

    settings.ANALYSIS_CHUNK_SIZE = 5
    customers = [make_customer(value_seeker=False) for _ in range(60)]
    job = start_job(provider="test-slow")
    wait_for(lambda: AnalysisJob.objects.get(pk=job.pk).done >= 5, 60, message="progress before cancelling")

    job = cancel_job(job)

    assert job.status == AnalysisJob.Status.CANCELLED and job.finished_at
    wait_for(lambda: not AnalysisChunk.objects.filter(job=job, status="running").exists(), 30, message="chunks to stop")
    time.sleep(1)  # let any batch in flight reach its commit (which must be refused)
    job.refresh_from_db()
    committed = sum(AnalysisChunk.objects.filter(job=job).values_list("committed", flat=True))
    assert job.done + job.failed + job.skipped == committed < len(customers)
    assert AnalysisChunk.objects.filter(job=job, status="cancelled").count() >= 1
    assert job.status == AnalysisJob.Status.CANCELLED


def test_a_chunk_past_its_soft_time_limit_is_retried_and_the_job_still_completes(live_worker, settings):
    settings.ANALYSIS_CHUNK_SIZE = 5
    customers = [make_customer(value_seeker=False) for _ in range(10)]

    # Worker env: soft limit 6 s. The first call hangs 30 s; SoftTimeLimitExceeded → retry from the
    # committed offset; the retry finds the analyst responsive again.
    job = _finished(start_job(provider="test-stuck-once"), 60, live_worker)

    assert job.status == AnalysisJob.Status.SUCCEEDED, live_worker.log()
    _assert_each_customer_once(job, customers, live_worker)
    attempts = sorted(AnalysisChunk.objects.filter(job=job).values_list("attempts", flat=True))
    assert attempts == [1, 2], live_worker.log()  # exactly one chunk hit the limit and ran again
    assert "SoftTimeLimitExceeded" in live_worker.log()
