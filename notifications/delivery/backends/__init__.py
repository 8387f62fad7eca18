"""Channel backends: one small interface, `send(message) -> DeliveryReceipt`.

A backend raises `TransientDeliveryError` for what a later attempt may fix
(throttling, timeouts, 5xx) and `PermanentDeliveryError` for what it never will
(a bad address, an opted-out number, a disabled endpoint): the task retries
the first with backoff and never the second.
"""

from __future__ import annotations

from django.conf import settings

from notifications.delivery.backends.base import (
    ChannelBackend,
    DeliveryReceipt,
    OutgoingMessage,
    PermanentDeliveryError,
    TransientDeliveryError,
)

__all__ = [
    "ChannelBackend",
    "DeliveryReceipt",
    "OutgoingMessage",
    "PermanentDeliveryError",
    "TransientDeliveryError",
    "get_backend",
]


def get_backend(channel: str) -> ChannelBackend:
    """The configured backend for a channel (Phone has none: it becomes a call task)."""
    if channel == "Email":
        from notifications.delivery.backends.email import EmailBackend

        return EmailBackend()
    name = {"SMS": settings.SMS_BACKEND, "App Push": settings.PUSH_BACKEND}.get(channel)
    if name is None:
        raise PermanentDeliveryError(f"No delivery backend for the {channel} channel")
    if name == "sns":
        from notifications.delivery.backends.sns import SnsBackend

        return SnsBackend()
    if name == "outbox":
        from notifications.delivery.backends.outbox import OutboxBackend

        return OutboxBackend()
    raise PermanentDeliveryError(f"Unknown backend {name!r} for {channel} (use outbox or sns)")
