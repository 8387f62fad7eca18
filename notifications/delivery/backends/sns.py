"""SMS and App Push through AWS SNS (`sns.publish`), with timeouts and a few short botocore retries.

SMS: `PhoneNumber` + `AWS.SNS.SMS.SMSType` (Transactional for service messages,
which get the more reliable route; Promotional for marketing) + the sender ID.
App Push: `TargetArn` = the customer's platform endpoint ARN.
"""

from __future__ import annotations

import functools

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, ConnectionError, ReadTimeoutError
from django.conf import settings

from notifications.delivery.backends.base import (
    DeliveryReceipt,
    OutgoingMessage,
    PermanentDeliveryError,
    TransientDeliveryError,
)

# Error codes SNS returns for things a retry will fix; everything else from a 4xx is permanent.
TRANSIENT_CODES = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "TooManyRequestsException",
        "InternalError",
        "InternalFailure",
        "ServiceUnavailable",
        "KMSThrottling",
        "RequestTimeout",
    }
)


@functools.cache
def _client(endpoint_url: str | None, region: str, connect: float, read: float, attempts: int):
    config = Config(
        region_name=region,
        connect_timeout=connect,
        read_timeout=read,
        retries={"mode": "standard", "max_attempts": attempts},
    )
    return boto3.client("sns", endpoint_url=endpoint_url, config=config)


def sns_client():
    """One client per process and configuration (boto3 clients are thread-safe; creating one is slow)."""
    return _client(
        settings.SNS_ENDPOINT_URL,
        settings.SNS_REGION,
        settings.SNS_CONNECT_TIMEOUT,
        settings.SNS_READ_TIMEOUT,
        settings.SNS_RETRIES["max_attempts"],
    )


def sms_attributes(marketing: bool) -> dict[str, dict[str, str]]:
    attributes = {
        "AWS.SNS.SMS.SMSType": {"DataType": "String", "StringValue": "Promotional" if marketing else "Transactional"},
    }
    if settings.SNS_SMS_SENDER_ID:
        attributes["AWS.SNS.SMS.SenderID"] = {"DataType": "String", "StringValue": settings.SNS_SMS_SENDER_ID}
    if settings.SNS_SMS_MAX_PRICE:
        attributes["AWS.SNS.SMS.MaxPrice"] = {"DataType": "Number", "StringValue": str(settings.SNS_SMS_MAX_PRICE)}
    return attributes


class SnsBackend:
    name = "sns"
    confirms_delivery = False  # publish means accepted; delivery receipts arrive on the webhook

    def __init__(self, client=None) -> None:
        self.client = client or sns_client()

    def send(self, message: OutgoingMessage) -> DeliveryReceipt:
        if message.channel == "SMS":
            params = {
                "PhoneNumber": message.to,
                "Message": message.body,
                "MessageAttributes": sms_attributes(message.marketing),
            }
        elif message.channel == "App Push":
            if not message.to.startswith("arn:"):
                raise PermanentDeliveryError("No push endpoint ARN for this customer", code="no_endpoint")
            params = {"TargetArn": message.to, "Message": message.body}
            if message.subject:
                params["Subject"] = message.subject[:100]
        else:
            raise PermanentDeliveryError(f"SNS does not deliver {message.channel}", code="bad_channel")
        try:
            response = self.client.publish(**params)
        except ClientError as exc:
            error = exc.response.get("Error", {})
            code = error.get("Code", "")
            status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
            text = f"SNS {code or status}: {error.get('Message', '')}".strip()
            if code in TRANSIENT_CODES or status == 429 or status >= 500:
                raise TransientDeliveryError(text, code=code) from exc
            raise PermanentDeliveryError(text, code=code) from exc
        except (ReadTimeoutError, ConnectionError) as exc:
            raise TransientDeliveryError(f"SNS unreachable: {exc}", code="network") from exc
        except BotoCoreError as exc:
            raise TransientDeliveryError(f"SNS client error: {exc}", code="botocore") from exc
        return DeliveryReceipt(provider=self.name, message_id=response["MessageId"])
