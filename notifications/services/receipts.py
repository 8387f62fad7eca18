"""Delivery receipts from the provider webhook (SNS-style envelopes), each processed once.

The envelope is SNS's: {"Type": "Notification", "MessageId": "...", "Message": "<JSON>"}.
The inner message is either SES-style ({"notificationType": "Delivery"|"Bounce",
"mail": {"messageId": ...}, "bounce": {"bounceType": "Permanent"}}) or our simple
form ({"messageId": ..., "status": "delivered"|"failed"|"bounced"|"actioned", ...}).
A MessageId already seen is a replay and is ignored.
"""

from __future__ import annotations

import json

from django.db import IntegrityError, transaction

from notifications.models import Delivery, ProviderReceipt
from notifications.services import delivery as delivery_service
from notifications.services.events import record_event


class BadReceipt(ValueError):
    pass


def _inner(envelope: dict) -> dict:
    message = envelope.get("Message")
    if isinstance(message, str):
        try:
            message = json.loads(message)
        except json.JSONDecodeError as exc:
            raise BadReceipt("Message is not JSON") from exc
    if not isinstance(message, dict):
        raise BadReceipt("Message is missing")
    return message


def _normalise(message: dict) -> tuple[str, str, str, dict]:
    """(provider message id, status, reason, extra) from either shape."""
    if "notificationType" in message:  # SES via SNS
        kind = str(message["notificationType"]).lower()
        provider_id = str(message.get("mail", {}).get("messageId", ""))
        if kind == "bounce":
            bounce = message.get("bounce", {})
            permanent = bounce.get("bounceType", "Permanent") == "Permanent"
            reason = "; ".join(
                str(r.get("diagnosticCode") or r.get("emailAddress") or "") for r in bounce.get("bouncedRecipients", [])
            )
            return provider_id, "bounced" if permanent else "failed", reason or bounce.get("bounceSubType", ""), {}
        return provider_id, {"delivery": "delivered"}.get(kind, kind), "", {}
    provider_id = str(message.get("messageId") or message.get("providerMessageId") or "")
    status = str(message.get("status", "")).lower()
    return provider_id, status, str(message.get("reason") or message.get("providerResponse") or ""), message


def process_receipt(envelope: dict) -> str:
    """Apply one webhook message; returns what happened (for the response and the log)."""
    message_id = envelope.get("MessageId")
    if not isinstance(message_id, str) or not message_id:
        raise BadReceipt("MessageId is missing")
    if envelope.get("Type") != "Notification":
        return f"ignored: {envelope.get('Type') or 'no Type'}"  # subscriptions are confirmed by ops, not here
    provider_id, status, reason, extra = _normalise(_inner(envelope))
    try:
        with transaction.atomic():
            receipt = ProviderReceipt.objects.create(message_id=message_id, payload=envelope)
            outcome = _apply(provider_id, status, reason, extra)
            ProviderReceipt.objects.filter(pk=receipt.pk).update(outcome=outcome)
    except IntegrityError:
        return "duplicate: already processed"
    return outcome


def _apply(provider_id: str, status: str, reason: str, extra: dict) -> str:
    d = (
        Delivery.objects.select_for_update()
        .select_related("notification__customer")
        .filter(provider_message_id=provider_id)
        .first()
        if provider_id
        else None
    )
    if d is None:
        return "ignored: unknown provider message id"
    if status == "delivered":
        delivery_service.mark_delivered(d)
    elif status == "bounced":
        delivery_service.mark_bounced(d, reason=reason)
    elif status == "failed":
        delivery_service.mark_failed(d, reason=reason)
    elif status == "actioned":
        action = str(extra.get("action", ""))[:120]
        record_event(d.notification, "actioned", source="provider_webhook", metadata={"action": action})
    else:
        return f"ignored: status {status or 'missing'}"
    return f"{status}: delivery {d.pk}"
