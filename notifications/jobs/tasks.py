"""Celery tasks: thin wrappers that call services (imported inside the task body).

Every task here is idempotent, which is what makes `acks_late` and
`reject_on_worker_lost` safe: a chunk delivered twice resumes from its
committed offset and never counts, drafts or pays for a customer twice.
"""

from __future__ import annotations

import functools
import logging
import threading

from celery import shared_task
from celery.signals import worker_ready
from django.conf import settings

from notifications.analysis.analysts.base import AnalystUnavailable
from notifications.jobs import leases
from notifications.jobs.pipeline import process_chunk
from notifications.jobs.services import fail_chunk, resume_active_jobs, should_resume_on_worker_start, start_job

log = logging.getLogger(__name__)

if settings.CELERY_BROKER_URL.startswith("sqla+"):
    # The embedded broker polls its table once a second when idle, and a prefork worker fetches
    # the next chunk only when a child is free: a second lost per chunk. Its transport options
    # go straight to SQLAlchemy's create_engine(), so the interval can only be set on the class.
    from kombu.transport import sqlalchemy as _sqla_transport

    _sqla_transport.Transport.polling_interval = settings.EMBEDDED_BROKER_POLLING_INTERVAL

    # Celery 5.7 acknowledges and rejects straight from the prefork pool's result-handler thread
    # (Consumer.call_soon_ack) while the main thread polls, but the channel's SQLAlchemy session is
    # not thread-safe: a reject racing a poll leaves it "prepared" and the worker stops for good
    # ("Unrecoverable error"). Seen on every pool child lost mid-chunk: one session user at a time.
    _session_lock = threading.RLock()

    def _one_at_a_time(method):  # noqa: ANN001, ANN202
        @functools.wraps(method)
        def locked(self, *args, **kwargs):  # noqa: ANN001, ANN202
            with _session_lock:
                return method(self, *args, **kwargs)

        return locked

    for _name in ("_get_or_create", "_put", "_get", "_purge", "_size"):
        setattr(_sqla_transport.Channel, _name, _one_at_a_time(getattr(_sqla_transport.Channel, _name)))


@shared_task(
    bind=True,
    name="notifications.jobs.tasks.run_chunk",
    acks_late=True,
    reject_on_worker_lost=True,
    # Bedrock throttling / 5xx / timeouts: exponential backoff with full jitter, capped far
    # below the Redis visibility timeout (asserted in test_celery_settings).
    autoretry_for=(AnalystUnavailable,),
    retry_backoff=settings.ANALYSIS_RETRY_BACKOFF,
    retry_backoff_max=settings.ANALYSIS_RETRY_BACKOFF_MAX,
    retry_jitter=True,
    max_retries=settings.ANALYSIS_MAX_RETRIES,
)
def run_chunk(self, job_id: int, chunk_id: int) -> str:

    # On the last attempt the offline analyst answers instead of raising AnalystUnavailable.
    final_attempt = self.request.retries >= self.max_retries
    try:
        return process_chunk(chunk_id, final_attempt=final_attempt)
    except AnalystUnavailable:
        raise  # autoretry_for handles it
    except Exception as exc:
        # Anything else (a locked database, a bug): retry the chunk from its committed offset,
        # then give up and count its remaining customers as failed so the job still finishes.
        if not final_attempt:
            countdown = min(
                settings.ANALYSIS_RETRY_BACKOFF * 2**self.request.retries, settings.ANALYSIS_RETRY_BACKOFF_MAX
            )
            log.warning("job %s chunk %s failed (%r); retrying in %ss", job_id, chunk_id, exc, countdown)
            raise self.retry(exc=exc, countdown=countdown) from exc
        log.exception("job %s chunk %s failed for good", job_id, chunk_id)
        fail_chunk(chunk_id, repr(exc))
        return "failed"


@shared_task(name="notifications.jobs.tasks.run_scheduled_analysis", acks_late=True, reject_on_worker_lost=True)
def run_scheduled_analysis(provider: str | None = None, force: bool = False) -> int:
    """The nightly run (django-celery-beat): returns the job id (an already-running job's, if any)."""

    return start_job(provider=provider, force=force).pk


@shared_task(name="notifications.jobs.tasks.recover_lost_chunks")
def recover_lost_chunks() -> int:
    """Every minute (beat): re-queue chunks whose worker stopped renewing its lease."""
    return leases.recover_lost_chunks()


@worker_ready.connect
def resume_jobs_on_worker_start(sender=None, **kwargs) -> None:
    """Re-dispatch unfinished chunks when the broker cannot redeliver after a SIGKILL (embedded transport)."""

    if should_resume_on_worker_start():
        sent = resume_active_jobs()
        if sent:
            log.warning("resumed %s unfinished chunk(s) of active analysis jobs", sent)
