"""Real workers killed mid-job: chunk leases bring a stalled job back, the ledger pays for every call once.

Each test runs its own `celery worker -P prefork` on a private queue (SQLite + the embedded broker
by default; PostgreSQL + Redis in CI), with the broker's DEFAULT visibility timeout (an hour): the
recovery comes from the chunk leases, not from the broker redelivering.
"""

from __future__ import annotations

import os
import signal
import time
import uuid

import pytest
from django.urls import reverse

from customers.models import Customer
from notification_engine.celery import app
from notifications.analysis.analysts.bedrock import prompts
from notifications.analysis.models import AICall, AnalysisChunk, AnalysisJob, CustomerAnalysis
from notifications.jobs.services import start_job
from notifications.jobs.tasks import run_chunk
from notifications.queue.models import Notification
from tests.factories import make_role_user
from tests.fakes.bedrock_server import FakeBedrock
from tests.notifications.analysis.test_ledger import HAIKU, OPERATIONS, billed_gbp, on_the_ledger, requested
from tests.notifications.jobs.test_worker_support import WorkerProcess, make_customer, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

LEASE, BEAT = 3, 1  # seconds: ANALYSIS_LEASE_SECONDS and the recovery task's interval, shortened for the test


@pytest.fixture
def start_worker(celery_worker_process, tmp_path):
    """Start workers of our own, on a private queue, with the session worker's settings but the
    broker's default visibility timeout and time limits long enough for a stalled model; stopped
    after the test."""
    queue = f"test-{uuid.uuid4().hex[:8]}"
    session_queue, app.conf.task_default_queue = app.conf.task_default_queue, queue  # where this process sends
    # The sender stamps the time limits into each message (see celery_worker_process).
    session_limits, run_chunk._exec_options = (run_chunk.soft_time_limit, run_chunk.time_limit), None
    run_chunk.soft_time_limit, run_chunk.time_limit = 60, 70
    base = {k: v for k, v in celery_worker_process.env.items() if k != "CELERY_VISIBILITY_TIMEOUT"}
    base.update(CELERY_TASK_SOFT_TIME_LIMIT="60", CELERY_TASK_TIME_LIMIT="70", CELERY_WORKER_SOFT_SHUTDOWN_TIMEOUT="0")
    workers: list[WorkerProcess] = []

    def start(*args: str, **env: str) -> WorkerProcess:
        log_dir = tmp_path / f"worker-{len(workers) + 1}"
        log_dir.mkdir()
        worker = WorkerProcess({**base, "CELERY_QUEUE": queue, **env}, queue, log_dir, extra_args=args)
        workers.append(worker)
        worker.start()
        return worker

    yield start
    for worker in workers:
        worker.stop()
    app.conf.task_default_queue = session_queue
    (run_chunk.soft_time_limit, run_chunk.time_limit), run_chunk._exec_options = session_limits, None


def _each_customer_once(job: AnalysisJob, customers: list) -> None:
    assert (job.status, job.total, job.done, job.failed, job.skipped) == (
        "succeeded",
        len(customers),
        len(customers),
        0,
        0,
    )
    analysed = sorted(CustomerAnalysis.objects.filter(job=job).values_list("customer_id", flat=True))
    assert analysed == sorted(c.pk for c in customers)
    drafted = list(Notification.objects.filter(job=job).values_list("customer_id", flat=True))
    assert len(drafted) == len(set(drafted)) == job.drafts


def test_a_killed_worker_stalls_the_job_visibly_and_leases_recover_it_within_lease_plus_one_beat(
    start_worker, client, settings
):
    settings.ANALYSIS_CHUNK_SIZE = 10
    settings.ANALYSIS_LEASE_SECONDS = LEASE  # this process renders the page ("no heartbeat since …")
    env = {
        "ANALYSIS_LEASE_SECONDS": str(LEASE),
        "ANALYSIS_RECOVERY_INTERVAL_SECONDS": str(BEAT),
        "ANALYSIS_RESUME_ON_WORKER_START": "0",  # no re-dispatch at start-up: recovery must come from the leases
        "TEST_ANALYST_DELAY": "0.15",
    }
    customers = [make_customer() for _ in range(20)] + [make_customer(value_seeker=False) for _ in range(20)]
    client.force_login(make_role_user("sue", "Supervisors"))

    first = start_worker(**env)
    job = start_job(provider="test-slow")
    progress = reverse("notifications:job_progress", args=[job.pk])
    running = AnalysisChunk.objects.filter(job=job, status="running")

    def mid_job() -> bool:
        return AnalysisJob.objects.get(pk=job.pk).done >= 10 and running.exists()

    wait_for(mid_job, 60, interval=0.05, message="chunks running after some progress", details=first.log)
    first.kill_main()  # the main process, SIGKILL: nothing acks, rejects or re-queues anything
    killed = time.monotonic()
    held = set(running.values_list("pk", flat=True))
    assert held and not AnalysisJob.objects.get(pk=job.pk).is_finished

    # No worker at all: once the leases lapse the page says so (and no longer says "Analysis running").
    page = ""

    def says_stalled() -> bool:
        nonlocal page
        page = client.get(progress, headers={"HX-Request": "true"}).content.decode()
        return "lost its worker" in page or "lost their worker" in page

    wait_for(says_stalled, LEASE + 5, interval=0.1, message="the page to show the stall", details=lambda: page)
    assert time.monotonic() - killed <= LEASE + 2
    assert "Analysis stalled" in page and "Analysis running" not in page and "Cancel run" in page

    second = start_worker("-B", **env)  # a new worker, with beat running the recovery every BEAT seconds
    ready = time.monotonic()
    seen: set[str] = set()

    def finished() -> bool:
        html = client.get(progress, headers={"HX-Request": "true"}).content.decode()
        seen.update(m for m in ("Recovering", "lost its worker", "lost their worker") if m in html)
        return AnalysisJob.objects.get(pk=job.pk).is_finished

    wait_for(finished, 60, interval=0.1, message="the job to finish", details=second.log)
    job.refresh_from_db()
    _each_customer_once(job, customers)
    recovered = AnalysisChunk.objects.filter(job=job, recoveries__gte=1)
    assert held <= set(recovered.values_list("pk", flat=True))  # every chunk the killed worker held
    assert "Recovering" in seen  # the page said what was happening while it happened
    # The lease had lapsed before the new worker came: its beat re-queued the chunks at its first run or
    # so (beat's own start-up takes a few seconds on a busy machine), and the job then finished.
    ready_at = time.time() - (time.monotonic() - ready)
    requeued = max(recovered.filter(pk__in=held).values_list("lost_at", flat=True))
    assert requeued.timestamp() - ready_at <= BEAT + 6
    assert time.monotonic() - killed <= 60  # against an hour for the broker to redeliver
    assert "resumed" not in second.log()  # not the start-up re-dispatch


def test_a_pool_child_killed_with_bedrock_calls_in_flight_pays_each_request_once_on_the_ledger(start_worker, settings):
    settings.ANALYSIS_CHUNK_SIZE = 6
    customers = [make_customer() for _ in range(12)] + [make_customer(value_seeker=False) for _ in range(6)]
    with FakeBedrock(latency=0.2) as bedrock:
        worker = start_worker(
            AI_PROVIDER="bedrock",
            BEDROCK_ENDPOINT_URL=bedrock.url,
            BEDROCK_MODEL_ID=HAIKU,
            BEDROCK_BULK_MODEL_ID=HAIKU,
            BEDROCK_CONFIDENCE_THRESHOLD="1.0",  # every customer to Bedrock: the ledger is what is measured
            AWS_ACCESS_KEY_ID="fake",
            AWS_SECRET_ACCESS_KEY="fake",
            ANALYST_CONCURRENCY="3",
            ANALYSIS_COMMIT_EVERY="3",
        )
        job = start_job(provider="bedrock")
        wait_for(lambda: AICall.objects.filter(job=job, outcome="ok").count() >= 6, 60, message="calls answered")

        # Stall the model until every call in flight is waiting on it, then kill a child holding calls.
        bedrock.hold()
        pending = AICall.objects.filter(job=job, outcome="pending")
        stable_since = [time.monotonic(), -1]

        def all_in_flight_are_at_bedrock() -> bool:
            state = bedrock.held if bedrock.held == pending.count() else -1
            if state != stable_since[1]:
                stable_since[:] = [time.monotonic(), state]
            return state > 0 and time.monotonic() - stable_since[0] >= 1.0

        wait_for(all_in_flight_are_at_bedrock, 30, message="calls in flight at the stand-in")
        customer = pending.values_list("customer_id", flat=True).first()
        chunk = next(c for c in AnalysisChunk.objects.filter(job=job, status="running") if customer in c.customer_pks)
        in_flight = pending.filter(customer_id__in=chunk.customer_pks).count()
        os.kill(int(chunk.worker.rpartition(":")[2]), signal.SIGKILL)  # mid-chunk, its calls sent and unanswered
        bedrock.release()

        wait_for(lambda: AnalysisJob.objects.get(pk=job.pk).is_finished, 90, message="the job", details=worker.log)

    job.refresh_from_db()
    _each_customer_once(job, customers)
    assert AnalysisChunk.objects.get(pk=chunk.pk).recoveries == 1
    # Every request Bedrock received is one row, and nothing else is.
    assert AICall.objects.filter(job=job).count() == len(bedrock.requests)
    assert on_the_ledger(job) == requested(bedrock)
    lost = list(AICall.objects.filter(job=job, outcome="lost"))
    assert len(lost) == in_flight >= 1 and all(c.estimated for c in lost)
    assert not AICall.objects.filter(job=job, outcome="pending").exists()
    # Only the lost calls were asked twice; every answer that arrived was used once.
    twice = {key for key, n in requested(bedrock).items() if n > 1}
    assert twice == {(c.customer_id, c.operation) for c in lost}
    # The job's £ is the ledger's: Bedrock's bill for every answer read, plus an estimate (never below
    # Bedrock's bill) for each answer lost with the worker.
    assert job.cost_gbp == sum(c.cost_gbp for c in AICall.objects.filter(job=job))
    lost_requests = [_first_request(bedrock, c) for c in lost]
    read = [r for r in bedrock.requests if all(r is not lost_request for lost_request in lost_requests)]
    assert job.cost_gbp - sum(c.cost_gbp for c in lost) == sum(billed_gbp(r.usage) for r in read)
    assert all(c.cost_gbp >= billed_gbp(r.usage) for c, r in zip(lost, lost_requests, strict=True))


def _first_request(bedrock: FakeBedrock, call: AICall):
    """The stand-in's first request for the lost call's customer and step: the one whose answer was lost."""
    customer_id = Customer.objects.get(pk=call.customer_id).customer_id
    return next(
        r
        for r in bedrock.requests
        if prompts.extract_customer_data(r.user_text)["customer_id"] == customer_id
        and OPERATIONS[r.body["toolConfig"]["toolChoice"]["tool"]["name"]] == call.operation
    )
