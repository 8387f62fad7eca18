from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol


class DeliveryError(Exception):
    def __init__(self, message: str, *, code: str = ""):
        super().__init__(message)
        self.message = message
        self.code = code


class TransientDeliveryError(DeliveryError):
    """Worth another attempt later: throttling, a timeout, the provider's 5xx."""


class PermanentDeliveryError(DeliveryError):
    """Never worth retrying: a bad or opted-out address, a disabled endpoint, a rejected message."""


@dataclass(frozen=True)
class OutgoingMessage:
    notification_id: int
    channel: str
    to: str  # email address, E.164 phone number or SNS endpoint ARN
    subject: str
    body: str  # plain text, exactly what the agent approved
    marketing: bool
    html: str = ""  # email only: the simple HTML alternative (tracking pixel, links)
    headers: dict[str, str] = field(default_factory=dict)  # email only: List-Unsubscribe etc.


@dataclass(frozen=True)
class DeliveryReceipt:
    provider: str
    message_id: str


class ChannelBackend(Protocol):
    name: str
    confirms_delivery: bool  # True: a successful send is the delivery (no receipt will follow)

    def send(self, message: OutgoingMessage) -> DeliveryReceipt: ...
