"""Celery tasks for the queue (thin: the work is in notifications/queue/services)."""

from __future__ import annotations

from celery import shared_task

from notifications.queue.services.claims import wake_due_snoozes


@shared_task(name="notifications.queue.tasks.wake_snoozed", acks_late=True)
def wake_snoozed() -> int:
    """Every minute (beat): snoozed drafts whose time has come go back to waiting."""
    return wake_due_snoozes()
