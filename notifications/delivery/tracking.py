"""Signed tracking tokens (open pixel, click redirect) and the machine-activity heuristics.

The click target lives *inside* the signed token, never in a query parameter,
so the redirect cannot be turned into an open redirect. Tokens do not expire
(an old email opened next year is still a real open) and carry no personal data.
Opens are a weak signal (image proxies, security scanners: Mautic #7884, #9798):
an open or click within TRACKING_MACHINE_SECONDS of delivery, or from a known
scanner, is recorded but flagged `machine_suspected` and not counted.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

from django.conf import settings
from django.core import signing
from django.urls import reverse

OPEN_SALT = "notifications.delivery.tracking.open"
CLICK_SALT = "notifications.delivery.tracking.click"

# Security gateways and link scanners that fetch every image and follow every link.
SCANNER_UA = re.compile(
    r"barracuda|mimecast|proofpoint|safelinks|microsoft office protection|symantec|trendmicro|forcepoint|"
    r"bot\b|crawler|spider|curl/|wget/|python-requests|python-urllib|go-http-client|headlesschrome|"
    r"urlscan|virustotal|zscaler|fortiguard|sophos",
    re.IGNORECASE,
)
# Clicks and actions say far more about intent than an open (which a proxy can fake).
ENGAGEMENT_WEIGHTS = {"opened": 1.0, "clicked": 3.0, "actioned": 5.0}


def open_token(notification_pk: int) -> str:
    return signing.dumps({"n": notification_pk}, salt=OPEN_SALT)


def click_token(notification_pk: int, url: str) -> str:
    return signing.dumps({"n": notification_pk, "u": url}, salt=CLICK_SALT, compress=True)


def read_open_token(token: str) -> int | None:
    try:
        data = signing.loads(token, salt=OPEN_SALT)
    except signing.BadSignature:
        return None
    return data.get("n") if isinstance(data, dict) and isinstance(data.get("n"), int) else None


def read_click_token(token: str) -> tuple[int, str] | None:
    try:
        data = signing.loads(token, salt=CLICK_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("n"), int) or not isinstance(data.get("u"), str):
        return None
    if not data["u"].startswith(("https://", "http://")):
        return None  # never redirect to javascript:, data: or a relative trick, even if we signed it
    return data["n"], data["u"]


def open_url(notification_pk: int) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("tracking:open", args=[open_token(notification_pk)])


def click_url(notification_pk: int, url: str) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("tracking:click", args=[click_token(notification_pk, url)])


def is_machine(user_agent: str, at: dt.datetime, delivered_at: dt.datetime | None) -> tuple[bool, str]:
    """Likely machine activity, and why (recorded in the event's metadata)."""
    if not user_agent.strip():
        return True, "no user agent"
    if SCANNER_UA.search(user_agent):
        return True, "known scanner user agent"
    if delivered_at is not None and (at - delivered_at).total_seconds() < settings.TRACKING_MACHINE_SECONDS:
        return True, f"within {settings.TRACKING_MACHINE_SECONDS}s of delivery"
    return False, ""


def engagement_score(events: Iterable[tuple[str, bool]]) -> float:
    """Weighted engagement from (kind, machine_suspected) pairs; machine activity counts for nothing.

    Each kind counts once per notification: ten opens of one email are one open.
    """
    seen = {kind for kind, machine in events if not machine and kind in ENGAGEMENT_WEIGHTS}
    return sum(ENGAGEMENT_WEIGHTS[kind] for kind in seen)
