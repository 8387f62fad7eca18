"""The embedded default for SMS and App Push: one JSON file per message under var/outbox/{sms,push}/."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from notifications.delivery.backends.base import DeliveryReceipt, OutgoingMessage, TransientDeliveryError

FOLDERS = {"SMS": "sms", "App Push": "push"}


class OutboxBackend:
    name = "outbox"
    confirms_delivery = True  # the outbox file is the destination: nothing further will report

    def send(self, message: OutgoingMessage) -> DeliveryReceipt:
        folder = Path(settings.OUTBOX_DIR) / FOLDERS.get(message.channel, "other")
        message_id = f"outbox-{uuid.uuid4()}"
        record = {
            "message_id": message_id,
            "notification_id": message.notification_id,
            "channel": message.channel,
            "to": message.to,
            "subject": message.subject,
            "body": message.body,
            "marketing": message.marketing,
            "written_at": timezone.now().isoformat(),
        }
        try:
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / f"{timezone.now():%Y%m%dT%H%M%S}-n{message.notification_id}-{message_id[-8:]}.json"
            path.write_text(json.dumps(record, indent=2, ensure_ascii=False), encoding="utf-8")
        except OSError as exc:
            raise TransientDeliveryError(f"Outbox not writable: {exc}", code="outbox_io") from exc
        return DeliveryReceipt(provider=self.name, message_id=message_id)
