"""Delivery receipts from the provider webhook (SNS-style envelopes), each processed once.

The envelope is SNS's: {"Type": "Notification", "MessageId": "...", "Message": "<JSON>"}.
The inner message is either SES-style ({"notificationType": "Delivery"|"Bounce",
"mail": {"messageId": ...}, "bounce": {"bounceType": "Permanent"}}) or our simple
form ({"messageId": ..., "status": "delivered"|"failed"|"bounced"|"actioned", ...}), or an
inbound SMS from SNS two-way messaging ({"originationNumber": ..., "messageBody": "STOP", ...}):
a STOP reply withdraws the customer's SMS marketing consent (PECR: the opt-out our SMS drafts offer).
A MessageId (or inbound SMS id) already seen is a replay and is ignored.

Two ways in: the shared secret / HMAC of our own relay (`process_receipt`), or an AWS SNS HTTPS
subscription (`process_sns_message`: signature verified, topic allow-listed, subscription confirmed).
"""

from __future__ import annotations

import functools
import json
import logging

from django.db import IntegrityError, transaction

from customers.models import Customer
from notifications.contact_rules.models import ConsentChange
from notifications.delivery import sns_inbound
from notifications.delivery.models import ProviderReceipt
from notifications.delivery.services import consent as consent_service
from notifications.delivery.services import delivery as delivery_service
from notifications.queue.lifecycle import record_lifecycle_event
from notifications.queue.models import Delivery

log = logging.getLogger(__name__)
# Replies that mean "stop": the words carriers and AWS treat as opt-outs, and "STOP" with anything after it.
OPT_OUT_WORDS = frozenset({"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"})
INBOUND_SMS_RECEIPT_PREFIX = "inbound-sms:"


class BadReceipt(ValueError):
    pass


def process_sns_message(envelope: dict) -> str:
    """A message from an SNS HTTPS subscription, verified before anything happens.

    Raises sns_inbound.SnsVerificationError (answer 403: bad signature, disallowed certificate URL,
    a topic we do not listen to) or SnsConfirmationError (the confirmation GET failed: answer 5xx so
    SNS sends the confirmation again).
    """
    sns_inbound.verify(envelope)
    kind, topic = envelope.get("Type"), envelope.get("TopicArn")
    if kind == "SubscriptionConfirmation":
        if not sns_inbound.topic_allowed(topic):
            log.warning("SNS subscription confirmation for %s ignored: not in SNS_ALLOWED_TOPIC_ARNS", topic)
            return "ignored: topic not in SNS_ALLOWED_TOPIC_ARNS"
        host = sns_inbound.confirm_subscription(envelope)
        log.info("SNS subscription to %s confirmed (%s)", topic, host)
        return f"confirmed: subscription to {topic}"
    if not sns_inbound.topic_allowed(topic):
        # Signed by AWS, but any AWS account can have a topic: only ours may change anything.
        raise sns_inbound.SnsVerificationError(f"topic not in SNS_ALLOWED_TOPIC_ARNS: {str(topic)[:200]}")
    if kind == "UnsubscribeConfirmation":
        log.warning("SNS unsubscribed this webhook from %s; receipts stop until it is subscribed again", topic)
        return "ignored: UnsubscribeConfirmation"
    return process_receipt(envelope)


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
        # Subscriptions are confirmed on the SNS path (process_sns_message) only, never on the secret's.
        return f"ignored: {envelope.get('Type') or 'no Type'}"
    message = _inner(envelope)
    if _is_inbound_sms(message):
        apply = functools.partial(_apply_inbound_sms, message, message_id)
    else:
        apply = functools.partial(_apply, *_normalise(message))
    try:
        with transaction.atomic():
            receipt = ProviderReceipt.objects.create(message_id=message_id, payload=envelope)
            outcome = apply()
            ProviderReceipt.objects.filter(pk=receipt.pk).update(outcome=outcome[:200])
    except IntegrityError:
        return "duplicate: already processed"
    return outcome


def _is_inbound_sms(message: dict) -> bool:
    return "originationNumber" in message and "messageBody" in message


def _opt_out_word(body: str, keyword: object) -> str | None:
    """The opt-out the customer sent, if the reply is one (trimmed, any case)."""
    reply = body.strip().upper()
    if reply in OPT_OUT_WORDS or reply.startswith("STOP"):
        return reply.split()[0]
    if isinstance(keyword, str) and keyword.strip().upper() in OPT_OUT_WORDS:
        return keyword.strip().upper()  # the keyword AWS matched, e.g. on a long reply
    return None


def _apply_inbound_sms(message: dict, sns_message_id: str) -> str:
    """A reply to one of our SMS: STOP withdraws SMS marketing consent for whoever has that number."""
    inbound_id = str(message.get("inboundMessageId") or "")
    if inbound_id:
        # AWS may publish the same reply again under a new SNS MessageId: the reply's own id is the key.
        ProviderReceipt.objects.create(
            message_id=f"{INBOUND_SMS_RECEIPT_PREFIX}{inbound_id}"[:200], payload={"sns_message_id": sns_message_id}
        )
    body = str(message.get("messageBody") or "")
    word = _opt_out_word(body, message.get("messageKeyword"))
    if word is None:
        return "ignored: inbound SMS is not an opt-out"
    number = str(message.get("originationNumber") or "").strip()
    customers = list(Customer.objects.filter(contact__phone=number).order_by("pk")) if number else []
    if not customers:
        log.warning("SMS opt-out from a number no customer has (ending %s)", number[-3:] or "?")
        return "ignored: opt-out from a number no customer has"
    recorded = 0
    for customer in customers:
        # The SMS they replied to, most likely: the trail of that message shows the unsubscribe.
        replied_to = (
            Delivery.objects.filter(notification__customer=customer, channel="SMS", sent_at__isnull=False)
            .select_related("notification")
            .order_by("-sent_at", "-pk")
            .first()
        )
        _, created = consent_service.withdraw_marketing_consent(
            customer,
            source=ConsentChange.Source.INBOUND_SMS,
            channel="SMS",
            notification=replied_to.notification if replied_to else None,
            evidence={
                "reply": body[:160],
                "keyword": word,
                "origination_number": number,
                "destination_number": str(message.get("destinationNumber") or ""),
                "inbound_message_id": inbound_id,
                "sns_message_id": sns_message_id,
            },
        )
        recorded += created
    return f"opted out: SMS marketing for {len(customers)} customer(s), {recorded} new"


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
        record_lifecycle_event(d.notification, "actioned", source="provider_webhook", metadata={"action": action})
    else:
        return f"ignored: status {status or 'missing'}"
    return f"{status}: delivery {d.pk}"
