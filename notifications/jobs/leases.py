"""Chunk leases: a running chunk is held by one worker process, which proves it is alive.

A delivery of a chunk *claims* it before any work: the claim sets a random token,
the holder (`host:pid`) and `lease_expires_at`, and succeeds only if nobody else
holds a live lease. While the chunk runs, a heartbeat thread pushes the expiry
forward every quarter of ANALYSIS_LEASE_SECONDS, and each commit checks the
token (a fence: a holder that lost its lease can never commit again).

A worker killed outright stops renewing. The every-minute `recover_lost_chunks`
task (beat) then re-queues every unfinished chunk whose lease lapsed, however
long the broker's visibility timeout; the committed offset and the claim keep
each customer exactly once. A delivery that finds the lease held by a process
that is gone from this host (a pool child killed, redelivered at once by
`reject_on_worker_lost`) takes the chunk over without waiting.

Nothing here trusts the broker to deliver once: a second delivery of a held
chunk is acknowledged and dropped.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
import uuid
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connections, transaction
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone

from notifications.analysis.models import AnalysisChunk, AnalysisJob
from notifications.analysis.services import ledger
from notifications.common.transitions import move_rows
from notifications.jobs.services import dispatch_job

log = logging.getLogger(__name__)

ACTIVE = AnalysisJob.ACTIVE_STATUSES
FINISHED = AnalysisChunk.FINISHED_STATUSES


def lease_duration() -> dt.timedelta:
    return dt.timedelta(seconds=settings.ANALYSIS_LEASE_SECONDS)


def this_process() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:120]


def _gone_from_this_host(holder: str) -> bool:
    """True if `holder` (host:pid) names a process of this host that no longer runs."""
    host, _, pid = holder.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit() or int(pid) == os.getpid():
        return False
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:  # a zombie (killed, not yet reaped) is gone too
            return stat.read().rsplit(b")", 1)[-1].split()[0] == b"Z"
    except FileNotFoundError:
        return True
    except OSError:  # no /proc: ask the kernel
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            return True
        except PermissionError:
            return False
        return False


@dataclass
class Lease:
    """This process's hold on one chunk; `lost` once another delivery has taken it over."""

    chunk_id: int
    token: str
    lost: bool = False
    _stop: threading.Event = field(default_factory=threading.Event, repr=False)

    def renew(self) -> bool:
        """Push the expiry forward if we still hold the chunk; False (and `lost`) otherwise."""
        held = AnalysisChunk.objects.filter(pk=self.chunk_id, lease_token=self.token).update(
            lease_expires_at=timezone.now() + lease_duration()
        )
        self.lost = self.lost or not held
        return bool(held)

    def __enter__(self) -> Lease:
        every = max(0.2, settings.ANALYSIS_LEASE_SECONDS / 4)
        threading.Thread(target=_heartbeat, args=(self, every), name=f"lease-{self.chunk_id}", daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()


def _heartbeat(lease: Lease, every: float) -> None:
    try:
        while not lease._stop.wait(every):
            try:
                if not lease.renew():
                    log.warning("chunk %s: lease taken over by another worker; stopping", lease.chunk_id)
                    return
            except Exception:  # a database hiccup: try again next beat; the lease lapses if it lasts
                log.exception("chunk %s: could not renew the lease", lease.chunk_id)
    finally:
        connections.close_all()  # this thread's own connections only


def claim(chunk: AnalysisChunk) -> Lease | None:
    """Take the chunk for this process, or None if another live process holds it.

    Claimable: pending (never started, or released for a retry), a lapsed lease,
    or a holder on this host that has died. Taking over from a holder that never
    released it counts as a recovery from a lost worker.
    """
    now = timezone.now()
    free = Q(status=AnalysisChunk.Status.PENDING) | Q(lease_expires_at__lt=now) | Q(lease_expires_at__isnull=True)
    if chunk.worker and _gone_from_this_host(chunk.worker):
        free |= Q(worker=chunk.worker)
    token = uuid.uuid4().hex
    unreleased = Q(status=AnalysisChunk.Status.RUNNING)  # its holder never handed it back: lost
    with transaction.atomic():
        claimed = move_rows(
            AnalysisChunk.objects.filter(free, pk=chunk.pk),
            AnalysisChunk.Status.RUNNING,
            lost_at=Case(When(unreleased, then=Value(now)), default=F("lost_at")),
            recoveries=F("recoveries") + Case(When(unreleased, then=Value(1)), default=Value(0)),
            lease_token=token,
            lease_expires_at=now + lease_duration(),
            worker=this_process(),
            attempts=F("attempts") + 1,
            started_at=now,
        )
        if not claimed:
            return None
        move_rows(AnalysisJob.objects.filter(pk=chunk.job_id), AnalysisJob.Status.RUNNING, started_at=now)
    return Lease(chunk.pk, token)


def release(lease: Lease) -> None:
    """Hand the chunk back for a retry: pending, and re-queued by recovery if the retry never comes."""
    hold = dt.timedelta(seconds=settings.ANALYSIS_RETRY_BACKOFF_MAX) + lease_duration()
    move_rows(
        AnalysisChunk.objects.filter(pk=lease.chunk_id, lease_token=lease.token),
        AnalysisChunk.Status.PENDING,
        lease_token="",
        lease_expires_at=timezone.now() + hold,
    )


# A worker killed between fetching a chunk's message and starting it takes the message with it (the
# embedded broker forgets it; Redis holds it for the visibility timeout). No lease marks such a chunk,
# but a started job with pending chunks where nothing has happened for a whole lease has lost them:
# the first few pending chunks are sent again (a worker fetches in order, at most a few at a time).
STRANDED_BATCH = 4


def _stranded(job_id: int, now: dt.datetime) -> list[int]:
    chunks = AnalysisChunk.objects.filter(job_id=job_id)
    quiet_since = now - lease_duration()
    recent = Q(started_at__gte=quiet_since) | Q(finished_at__gte=quiet_since) | Q(lost_at__gte=quiet_since)
    if chunks.filter(Q(status=AnalysisChunk.Status.RUNNING) | recent).exists():
        return []
    waiting = chunks.filter(status=AnalysisChunk.Status.PENDING, lease_expires_at__isnull=True).order_by("index")
    ids = list(waiting.values_list("pk", flat=True)[:STRANDED_BATCH])
    AnalysisChunk.objects.filter(pk__in=ids).update(lost_at=now, recoveries=F("recoveries") + 1)
    return ids


def recover_lost_chunks(*, now: dt.datetime | None = None) -> int:
    """Re-queue the unfinished chunks of active jobs whose lease lapsed; returns how many.

    Chunks of jobs that finished meanwhile (cancelled) are closed instead, and paid calls
    left in flight past any possible answer are marked lost (the ledger's backstop).
    """
    now = now or timezone.now()
    lapsed = AnalysisChunk.objects.filter(lease_expires_at__lt=now).exclude(status__in=FINISHED)
    move_rows(lapsed.exclude(job__status__in=ACTIVE), AnalysisChunk.Status.CANCELLED, lease_token="", finished_at=now)
    by_job: dict[int, list[int]] = {}
    for pk, job_id, expired in lapsed.values_list("pk", "job_id", "lease_expires_at"):
        # Conditional on the lease we saw: a holder that renewed meanwhile, or a new claim, wins.
        recovered = move_rows(
            AnalysisChunk.objects.filter(pk=pk, lease_expires_at=expired),
            AnalysisChunk.Status.PENDING,
            lease_token="",
            lease_expires_at=None,
            lost_at=now,
            recoveries=F("recoveries") + 1,
        )
        if recovered:
            by_job.setdefault(job_id, []).append(pk)
    for job_id in AnalysisJob.objects.filter(status=AnalysisJob.Status.RUNNING).values_list("pk", flat=True):
        stranded = _stranded(job_id, now)
        if stranded:
            by_job.setdefault(job_id, []).extend(stranded)
    for job_id, chunk_ids in by_job.items():
        log.warning("job %s: re-queueing %s chunk(s) whose worker was lost", job_id, len(chunk_ids))
        dispatch_job(job_id, chunk_ids)
    ledger.mark_stale_lost(now=now)
    return sum(len(ids) for ids in by_job.values())
