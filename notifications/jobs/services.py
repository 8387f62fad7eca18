"""Starting, dispatching, cancelling and finishing analysis jobs.

The `AnalysisJob` row is the single source of truth: the chunk tasks move its
counters with F() updates, and whichever task commits the last customer
finalises it. Celery result metadata is never read.
"""

from __future__ import annotations

import logging

from celery import group
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from customers.models import Customer
from notifications.analysis.models import AnalysisChunk, AnalysisJob
from notifications.analysis.selectors.provider import effective_provider
from notifications.common.transitions import apply_transition, move_rows
from notifications.jobs.selectors import active_job
from notifications.staff.models import AuditEvent
from notifications.staff.services import record_staff_action

log = logging.getLogger(__name__)

ACTIVE = AnalysisJob.ACTIVE_STATUSES


def start_job(
    *,
    provider: str | None = None,
    force: bool = False,
    created_by=None,
    customer_pks: list[int] | None = None,
    dispatch: bool = True,
) -> AnalysisJob:
    """Start a job, or return the one of the same kind already queued or running.

    `dispatch=False`: the chunks are not sent to the workers; the caller runs them
    itself (`run_analysis --inline`).

    Race-safe: a partial unique constraint allows one active job per kind, so
    of two simultaneous starts one creates the job and the other gets it back.
    The chunks are dispatched only once the transaction has committed, so a
    worker never looks for a job that is not there yet.
    """
    kind = AnalysisJob.Kind.FULL if customer_pks is None else AnalysisJob.Kind.SELECTED
    existing = active_job(kind)
    if existing is not None:
        return existing

    provider = (provider or effective_provider()).strip().lower()
    user = created_by if getattr(created_by, "is_authenticated", False) else None
    try:
        with transaction.atomic():
            job = AnalysisJob.objects.create(kind=kind, provider=provider, force=force, created_by=user)
            pks = _customer_pks(customer_pks)
            size = max(1, _chunk_size(provider))
            AnalysisChunk.objects.bulk_create(
                AnalysisChunk(
                    job=job, index=i, customer_pks=pks[start : start + size], size=len(pks[start : start + size])
                )
                for i, start in enumerate(range(0, len(pks), size))
            )
            job.total = len(pks)
            job.save(update_fields=["total"])
            if not pks:  # nothing to do: finished at once
                now = timezone.now()
                apply_transition(job, AnalysisJob.Status.SUCCEEDED, started_at=now, finished_at=now)
            if pks and dispatch:
                transaction.on_commit(lambda: dispatch_job(job.pk))
    except IntegrityError:
        existing = active_job(kind)
        if existing is None:
            raise
        return existing
    return job


def _chunk_size(provider: str) -> int:
    """Customers per chunk task: larger for the offline analyst, whose chunks are cheap and commit once."""
    if provider == "offline" and settings.ANALYSIS_OFFLINE_CHUNK_SIZE > 0:
        return settings.ANALYSIS_OFFLINE_CHUNK_SIZE
    return settings.ANALYSIS_CHUNK_SIZE


def _customer_pks(customer_pks: list[int] | None) -> list[int]:
    customers = Customer.objects.order_by("pk")
    if customer_pks is not None:
        customers = customers.filter(pk__in=set(customer_pks))
    return list(customers.values_list("pk", flat=True))


def dispatch_job(job_id: int, chunk_ids: list[int] | None = None) -> int:
    """Queue a task for every unfinished chunk (or these) as one flat group; returns how many were sent.

    Also used to resume a job whose messages were lost (`resume_active_jobs`, lease recovery):
    a chunk that is finished, or held by a live worker, is a no-op for the extra delivery.
    """
    if chunk_ids is None:
        chunk_ids = list(
            AnalysisChunk.objects.filter(job_id=job_id)
            .exclude(status__in=AnalysisChunk.FINISHED_STATUSES)
            .order_by("index")
            .values_list("pk", flat=True)
        )
    if not chunk_ids:
        return 0
    try:
        from notifications.jobs.tasks import run_chunk  # tasks.py imports this module

        group(run_chunk.si(job_id, chunk_id) for chunk_id in chunk_ids).apply_async()
    except Exception as exc:  # the broker is down: say so on the job rather than leave it queued forever
        log.exception("could not dispatch job %s", job_id)
        move_rows(
            AnalysisJob.objects.filter(pk=job_id),
            AnalysisJob.Status.FAILED,
            error=f"Could not reach the task queue: {exc}",
            finished_at=timezone.now(),
        )
        return 0
    return len(chunk_ids)


def cancel_job(job: AnalysisJob, *, by=None) -> AnalysisJob:  # noqa: ANN001 - the user cancelling, if any
    """Cancel a queued or running job (a stalled one too): chunks not running are dropped, counts stay.

    A chunk task checks the job's status before each batch and inside each
    commit, so at most the batch in flight finishes its analyst calls and is
    then discarded without touching the counters or the queue. A chunk whose
    worker was lost (its lease lapsed) has nobody to notice: it is closed here.
    """
    now = timezone.now()
    with transaction.atomic():
        if apply_transition(job, AnalysisJob.Status.CANCELLED, finished_at=now):
            unattended = Q(status=AnalysisChunk.Status.PENDING) | Q(lease_expires_at__lt=now)
            move_rows(
                AnalysisChunk.objects.filter(unattended, job_id=job.pk),
                AnalysisChunk.Status.CANCELLED,
                lease_token="",
                finished_at=now,
            )
            if by is not None:
                progress = {"processed": job.processed, "total": job.total, "cost_gbp": job.cost_gbp}
                record_staff_action(by, AuditEvent.Action.JOB_CANCELLED, job, progress)
    job.refresh_from_db()
    return job


def stop_job(job_id: int, error: str) -> bool:
    """Fail an active job at once (a configuration error no retry can fix); False if it had ended already.

    As on cancelling, unstarted chunks are dropped and running ones stop before their next batch;
    the counts stay as they were, and `error` is what the workspace and the admin show.
    """
    now = timezone.now()
    with transaction.atomic():
        updated = move_rows(
            AnalysisJob.objects.filter(pk=job_id), AnalysisJob.Status.FAILED, error=error[:2000], finished_at=now
        )
        if updated:
            move_rows(AnalysisChunk.objects.filter(job_id=job_id), AnalysisChunk.Status.CANCELLED, finished_at=now)
    if updated:
        log.warning("job %s stopped: %s", job_id, error)
    return bool(updated)


def maybe_finalise(job_id: int) -> AnalysisJob | None:
    """Mark the job finished once every customer is accounted for (idempotent, race-safe)."""
    job = AnalysisJob.objects.filter(pk=job_id).first()
    if job is None or job.status not in ACTIVE or job.processed < job.total:
        return job
    if job.failed and not (job.done or job.skipped):
        status, error = AnalysisJob.Status.FAILED, f"All {job.failed} customers failed"
    else:
        status = AnalysisJob.Status.SUCCEEDED
        error = f"{job.failed} customers could not be analysed" if job.failed else ""
    # Conditional on still being active (the transition table): of two tasks finishing together, one wins.
    move_rows(AnalysisJob.objects.filter(pk=job_id), status, error=error, finished_at=timezone.now())
    job.refresh_from_db()
    return job


def fail_chunk(chunk_id: int, error: str) -> None:
    """A chunk failed for good: its uncommitted customers count as failed, once."""
    with transaction.atomic():
        chunk = AnalysisChunk.objects.select_for_update().filter(pk=chunk_id).first()
        if chunk is None or chunk.status in AnalysisChunk.FINISHED_STATUSES:
            return
        job = AnalysisJob.objects.select_for_update().get(pk=chunk.job_id)
        remaining = chunk.size - chunk.committed
        apply_transition(chunk, AnalysisChunk.Status.FAILED, error=error[:2000], finished_at=timezone.now())
        if job.status in ACTIVE and remaining:
            AnalysisJob.objects.filter(pk=job.pk).update(failed=F("failed") + remaining)
    maybe_finalise(chunk.job_id)


def resume_active_jobs() -> int:
    """Re-dispatch the unfinished chunks of every active job; returns chunks sent.

    For brokers that cannot redeliver a message whose worker was SIGKILLed
    (kombu's SQLAlchemy transport marks a fetched message invisible for good):
    run at worker start-up. Redis redelivers by itself after the visibility
    timeout, so there this is off (see `should_resume_on_worker_start`).
    """
    sent = 0
    for job_id in AnalysisJob.objects.filter(status__in=ACTIVE).values_list("pk", flat=True):
        sent += dispatch_job(job_id)
    return sent


def should_resume_on_worker_start() -> bool:
    if settings.ANALYSIS_RESUME_ON_WORKER_START is not None:
        return settings.ANALYSIS_RESUME_ON_WORKER_START
    return not settings.CELERY_BROKER_URL.startswith(("redis://", "rediss://", "sentinel://"))
