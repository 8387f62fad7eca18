"""Celery tasks for the control room (thin: the work is in control/services)."""

from __future__ import annotations

from celery import shared_task

from notifications.supervision.services.imports import run_import


@shared_task(
    name="notifications.supervision.tasks.run_import_task",
    acks_late=True,
    reject_on_worker_lost=True,  # a killed worker's import runs again: it is atomic and re-import is a no-op
    soft_time_limit=1800,
    time_limit=1900,  # both below the Redis visibility timeout (CELERY_VISIBILITY_TIMEOUT, 3600 s)
)
def run_import_task(run_id: int) -> str:

    return run_import(run_id).status
