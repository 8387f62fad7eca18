"""Celery tasks for delivery: thin wrappers around notifications/delivery/services/delivery.py.

`deliver` is idempotent (the service claims the row before sending), which is
what makes `acks_late` safe: a redelivered or duplicated message finds the
delivery already SENDING/SENT and does nothing.
"""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from notifications.delivery.backends import TransientDeliveryError
from notifications.delivery.services.delivery import attempt_delivery
from notifications.delivery.services.delivery import release_held as release


@shared_task(
    bind=True,
    name="notifications.delivery.tasks.deliver",
    acks_late=True,
    reject_on_worker_lost=True,
    # Throttling, timeouts, 5xx: exponential backoff with full jitter, capped far below the
    # Redis visibility timeout. A permanent failure (bad address) is not raised, so not retried.
    autoretry_for=(TransientDeliveryError,),
    retry_backoff=settings.DELIVERY_RETRY_BACKOFF,
    retry_backoff_max=settings.DELIVERY_RETRY_BACKOFF_MAX,
    retry_jitter=True,
    max_retries=settings.DELIVERY_MAX_RETRIES,
)
def deliver(self, delivery_id: int) -> str:

    # On the last attempt a transient error becomes a visible failure instead of another retry.
    return attempt_delivery(delivery_id, final_attempt=self.request.retries >= self.max_retries)


@shared_task(name="notifications.delivery.tasks.release_held", acks_late=True)
def release_held() -> int:
    """Every minute (django-celery-beat): deliveries whose quiet hours are over go out, lost task messages
    are re-sent, and sends whose worker died mid-call are failed as "outcome unknown" (never re-sent)."""

    return release()
