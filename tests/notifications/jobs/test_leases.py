"""Chunk leases without a broker: one holder at a time, takeover from the lost, recovery of lapsed leases.

The real-process version (kill -9 of a worker, beat recovering its chunks) is in test_worker_recovery.py.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import subprocess
import sys
import time

import pytest
from celery.canvas import group
from django.utils import timezone

from notifications.analysis.analysts.base import AnalystUnavailable
from notifications.analysis.models import AnalysisChunk, AnalysisJob, CustomerAnalysis
from notifications.jobs import leases
from notifications.jobs.pipeline import process_chunk
from notifications.jobs.services import start_job
from notifications.jobs.tasks import recover_lost_chunks
from tests.notifications.jobs import test_worker_support as support
from tests.notifications.jobs.test_worker_support import make_customer

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _small_chunks(settings):
    settings.ANALYSIS_OFFLINE_CHUNK_SIZE = 0
    settings.ANALYSIS_CHUNK_SIZE = 4
    settings.ANALYSIS_LEASE_SECONDS = 180


@pytest.fixture
def sent(monkeypatch):
    """(job, chunk) of every task message sent, instead of talking to a broker."""
    messages: list[tuple[int, int]] = []
    monkeypatch.setattr(group, "apply_async", lambda self, *a, **k: messages.extend(s.args for s in self.tasks))
    return messages


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()  # exited and reaped: its pid names nobody
    return child.pid


def _held_by(chunk: AnalysisChunk, holder: str, *, expires_in: float = 120) -> None:
    AnalysisChunk.objects.filter(pk=chunk.pk).update(
        status="running",
        lease_token="theirs",
        worker=holder,
        lease_expires_at=timezone.now() + dt.timedelta(seconds=expires_in),
    )


def test_a_second_delivery_of_a_held_chunk_does_nothing(sent):
    [make_customer(value_seeker=False) for _ in range(4)]
    job = start_job(provider="offline")
    chunk = job.chunks.get()
    _held_by(chunk, "worker-b.example:4242")  # another machine, still renewing

    assert process_chunk(chunk.pk) == "held by another worker"

    chunk.refresh_from_db()
    job.refresh_from_db()
    assert (chunk.status, chunk.lease_token, chunk.committed, chunk.attempts) == ("running", "theirs", 0, 0)
    assert job.processed == 0 and not CustomerAnalysis.objects.exists()


def test_a_chunk_whose_holder_died_on_this_host_is_taken_over_at_once(sent):
    customers = [make_customer(value_seeker=False) for _ in range(4)]
    job = start_job(provider="offline")
    chunk = job.chunks.get()
    _held_by(chunk, f"{socket.gethostname()}:{_dead_pid()}")  # a pool child killed; the lease has 2 minutes left

    assert process_chunk(chunk.pk) == "done"

    chunk.refresh_from_db()
    job.refresh_from_db()
    assert (chunk.status, chunk.recoveries, chunk.worker) == ("done", 1, f"{socket.gethostname()}:{os.getpid()}")
    assert chunk.lost_at is not None
    assert (job.status, job.done) == ("succeeded", len(customers))


def test_a_live_holder_on_this_host_keeps_its_chunk(sent):
    [make_customer(value_seeker=False) for _ in range(4)]
    job = start_job(provider="offline")
    chunk = job.chunks.get()
    _held_by(chunk, f"{socket.gethostname()}:{os.getppid()}")  # our parent: alive

    assert process_chunk(chunk.pk) == "held by another worker"


def test_recovery_requeues_chunks_whose_lease_lapsed_and_nothing_else(sent):
    [make_customer(value_seeker=False) for _ in range(12)]
    job = start_job(provider="offline")
    lost, alive, waiting = job.chunks.order_by("index")
    _held_by(lost, "worker-a.example:101", expires_in=-1)  # its worker stopped renewing a second ago
    _held_by(alive, "worker-b.example:202", expires_in=60)
    AnalysisChunk.objects.filter(pk=lost.pk).update(committed=2)  # it had committed two customers
    sent.clear()

    assert recover_lost_chunks() == 1

    lost.refresh_from_db()
    alive.refresh_from_db()
    assert sent == [(job.pk, lost.pk)]
    assert (lost.status, lost.recoveries, lost.lease_token, lost.lease_expires_at) == ("pending", 1, "", None)
    assert lost.lost_at is not None and alive.status == "running" and alive.recoveries == 0
    # The re-queued delivery resumes from the committed offset: the two committed customers are not redone.
    assert process_chunk(lost.pk) == "done"
    lost.refresh_from_db()
    assert lost.committed == 4
    assert CustomerAnalysis.objects.filter(job=job).count() == 2
    assert AnalysisJob.objects.get(pk=job.pk).done == 2  # the first two were counted by the lost worker (not here)


def test_recovery_closes_the_lost_chunks_of_a_cancelled_job(sent):
    [make_customer(value_seeker=False) for _ in range(4)]
    job = start_job(provider="offline")
    chunk = job.chunks.get()
    _held_by(chunk, "worker-a.example:101", expires_in=-1)
    AnalysisJob.objects.filter(pk=job.pk).update(status="cancelled")
    sent.clear()

    assert recover_lost_chunks() == 0

    chunk.refresh_from_db()
    assert chunk.status == "cancelled" and sent == []


def test_a_chunk_handed_back_for_a_retry_is_recovered_if_the_retry_never_comes(sent, settings, monkeypatch):
    settings.ANALYSIS_RETRY_BACKOFF_MAX = 300
    [make_customer() for _ in range(2)]
    job = start_job(provider="test-unavailable")
    chunk = job.chunks.get()

    with pytest.raises(AnalystUnavailable):
        process_chunk(chunk.pk)  # the task would now retry in up to ANALYSIS_RETRY_BACKOFF_MAX seconds

    chunk.refresh_from_db()
    reserved_for = chunk.lease_expires_at - timezone.now()
    assert chunk.status == "pending" and chunk.lease_token == ""
    assert dt.timedelta(seconds=300 + 170) < reserved_for <= dt.timedelta(seconds=300 + 180)
    sent.clear()
    assert recover_lost_chunks() == 0  # the retry is still due
    assert leases.recover_lost_chunks(now=timezone.now() + dt.timedelta(seconds=481)) == 1  # its message was lost
    assert sent == [(job.pk, chunk.pk)]


def test_a_delivery_that_lost_its_lease_stops_without_counting(sent, settings, monkeypatch):
    settings.ANALYSIS_COMMIT_EVERY = 2
    settings.ANALYST_CONCURRENCY = 1
    [make_customer(value_seeker=False) for _ in range(4)]
    job = start_job(provider="test-paid")
    chunk = job.chunks.get()

    class SilentTooLong(support.PaidAnalyst):
        """While it works, recovery hands the chunk to another delivery (this worker was silent too long)."""

        def segment(self, profile):
            AnalysisChunk.objects.filter(pk=chunk.pk).update(lease_token="the new holder's")
            return super().segment(profile)

    monkeypatch.setitem(support.STUBS, "test-paid", SilentTooLong)

    assert process_chunk(chunk.pk) == "lease lost"

    job.refresh_from_db()
    chunk.refresh_from_db()
    assert (job.done, job.processed, chunk.committed) == (0, 0, 0)  # its batch was never counted
    assert chunk.lease_token == "the new holder's"


@pytest.mark.django_db(transaction=True)
def test_the_heartbeat_renews_the_lease_and_notices_a_takeover(settings, sent):
    settings.ANALYSIS_LEASE_SECONDS = 0.8  # renewed every 0.2 s
    make_customer(value_seeker=False)
    chunk = start_job(provider="offline").chunks.get()
    lease = leases.claim(chunk)
    assert lease is not None
    claimed_until = AnalysisChunk.objects.get(pk=chunk.pk).lease_expires_at

    with lease:
        time.sleep(1.0)  # longer than the lease itself
        renewed_until = AnalysisChunk.objects.get(pk=chunk.pk).lease_expires_at
        assert renewed_until > claimed_until + dt.timedelta(seconds=0.5)
        assert renewed_until > timezone.now()
        AnalysisChunk.objects.filter(pk=chunk.pk).update(lease_token="recovered by someone else")
        time.sleep(0.6)
        assert lease.lost


def test_a_started_job_quiet_for_a_whole_lease_has_its_first_pending_chunks_sent_again(sent, settings):
    """A worker killed between fetching a chunk's message and starting it takes the message along."""
    settings.ANALYSIS_LEASE_SECONDS = 180
    [make_customer(value_seeker=False) for _ in range(28)]
    job = start_job(provider="offline")
    chunks = list(job.chunks.order_by("index"))  # 7 chunks of 4
    long_ago = timezone.now() - dt.timedelta(minutes=5)
    AnalysisChunk.objects.filter(pk=chunks[0].pk).update(
        status="done", committed=4, started_at=long_ago, finished_at=long_ago
    )
    AnalysisJob.objects.filter(pk=job.pk).update(status="running")
    sent.clear()

    assert recover_lost_chunks() == 4

    assert sent == [(job.pk, c.pk) for c in chunks[1:5]]  # the first four waiting, in order
    assert list(job.chunks.order_by("index").values_list("recoveries", flat=True)) == [0, 1, 1, 1, 1, 0, 0]
    sent.clear()
    assert recover_lost_chunks() == 0  # not again until another quiet lease has passed


def test_a_job_with_a_worker_on_it_or_recently_active_is_left_alone(sent):
    [make_customer(value_seeker=False) for _ in range(8)]
    job = start_job(provider="offline")
    first, second = job.chunks.order_by("index")
    AnalysisJob.objects.filter(pk=job.pk).update(status="running")
    AnalysisChunk.objects.filter(pk=first.pk).update(status="done", finished_at=timezone.now())  # a minute ago, say
    sent.clear()

    assert recover_lost_chunks() == 0 and sent == []
