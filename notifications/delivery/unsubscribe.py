"""Signed, never-expiring unsubscribe links (one per notification, no login needed).

The token names the customer and the notification it came from (the evidence
the ledger records); it carries no address or name.
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.urls import reverse

SALT = "notifications.unsubscribe"


def unsubscribe_token(customer_pk: int, notification_pk: int | None, channel: str = "") -> str:
    return signing.dumps({"c": customer_pk, "n": notification_pk, "ch": channel}, salt=SALT)


def read_unsubscribe_token(token: str) -> dict | None:
    try:
        data = signing.loads(token, salt=SALT)  # no max_age: an unsubscribe link never expires
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("c"), int):
        return None
    return {"customer": data["c"], "notification": data.get("n"), "channel": data.get("ch") or ""}


def unsubscribe_url(customer_pk: int, notification_pk: int | None, channel: str = "") -> str:
    path = reverse("tracking:unsubscribe", args=[unsubscribe_token(customer_pk, notification_pk, channel)])
    return settings.SITE_URL.rstrip("/") + path
