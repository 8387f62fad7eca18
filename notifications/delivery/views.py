"""Public endpoints with no login: the open pixel, the click redirect, the unsubscribe link, receipts.

Each is authenticated by what it carries (a signed token, or the webhook's
secret), and each answers harmlessly to anything it does not recognise: a
tampered pixel token still gets the 1×1 GIF, a tampered click goes to a plain
landing page (never to a URL taken from the request), a bad unsubscribe token
gets a page saying so, a bad webhook secret or SNS signature gets 403.

Unsubscribe: GET shows a page with one button and changes nothing, because
security scanners follow every link in an email (Mautic #9798); the button's
POST, or a mail client's RFC 8058 one-click POST (`List-Unsubscribe=One-Click`),
records the withdrawal. Either way it is one action for the customer, no login.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST, require_safe

from customers.models import Customer
from notifications.delivery.services.consent import withdraw_marketing_consent
from notifications.delivery.services.receipts import BadReceipt, process_receipt, process_sns_message
from notifications.delivery.sns_inbound import SnsConfirmationError, SnsVerificationError, is_sns_message
from notifications.delivery.tracking import is_machine, read_click_token, read_open_token
from notifications.delivery.unsubscribe import read_unsubscribe_token
from notifications.queue.lifecycle import record_lifecycle_event
from notifications.queue.models import Delivery, Notification

log = logging.getLogger(__name__)
# A 1×1 transparent GIF (42 bytes).
PIXEL = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")


def _engagement(request: HttpRequest, notification_pk: int, kind: str, metadata: dict) -> None:

    delivery = Delivery.objects.select_related("notification").filter(notification_id=notification_pk).first()
    if delivery is None or delivery.sent_at is None:
        return  # unknown or never sent: nothing to record
    now = timezone.now()
    ua = request.headers.get("User-Agent", "")[:300]
    machine, why = is_machine(ua, now, delivery.delivered_at or delivery.sent_at)
    if request.method == "HEAD":
        machine, why = True, "HEAD request (link checker)"
    record_lifecycle_event(
        delivery.notification,
        kind,
        source="tracking",
        at=now,
        machine_suspected=machine,
        metadata={**metadata, "user_agent": ua, **({"machine_reason": why} if machine else {})},
    )


@never_cache
@require_safe  # GET and HEAD (link checkers send HEAD)
def open_pixel(request: HttpRequest, token: str) -> HttpResponse:

    pk = read_open_token(token)
    if pk is not None:
        _engagement(request, pk, "opened", {})
    return HttpResponse(PIXEL, content_type="image/gif")


@never_cache
@require_safe
def click(request: HttpRequest, token: str) -> HttpResponse:

    data = read_click_token(token)
    if data is None:
        return HttpResponseRedirect(settings.TRACKING_LANDING_URL)
    pk, url = data
    _engagement(request, pk, "clicked", {"url": url})
    return HttpResponseRedirect(url)  # the URL came out of our own signature, never from the query string


@require_GET
def landing(request: HttpRequest) -> HttpResponse:
    return render(request, "notifications/tracking/landing.html")


@never_cache
@csrf_exempt  # mail clients' RFC 8058 POST has no CSRF token; the signed token is the authority
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:

    data = read_unsubscribe_token(token)
    customer = Customer.objects.filter(pk=data["customer"]).first() if data else None
    if customer is None:
        return render(request, "notifications/tracking/unsubscribe_invalid.html", status=400)
    if request.method == "GET":
        return render(request, "notifications/tracking/unsubscribe_confirm.html", {"token": token})
    one_click = request.POST.get("List-Unsubscribe") == "One-Click"
    notification = Notification.objects.filter(pk=data["notification"], customer=customer).first()
    change, _ = withdraw_marketing_consent(
        customer,
        source="one_click" if one_click else "unsubscribe_link",
        notification=notification,
        evidence={
            "channel": data["channel"],
            "user_agent": request.headers.get("User-Agent", "")[:300],
            "method": "RFC 8058 one-click POST" if one_click else "confirmation page button",
        },
    )
    return render(request, "notifications/tracking/unsubscribe_done.html", {"when": change.occurred_at})


def _authenticated(request: HttpRequest) -> bool:
    secret = settings.DELIVERY_WEBHOOK_SECRET
    if not secret:
        return False  # not configured: refuse everything rather than accept anything
    given = request.headers.get("X-Delivery-Secret", "")
    if given and hmac.compare_digest(given.encode(), secret.encode()):
        return True
    signature = request.headers.get("X-Delivery-Signature", "")
    expected = "sha256=" + hmac.new(secret.encode(), request.body, hashlib.sha256).hexdigest()
    return bool(signature) and hmac.compare_digest(signature.encode(), expected.encode())


def _sns_envelope(request: HttpRequest) -> dict | None:
    """The body, if it is an SNS message (SNS cannot send our secret: its signature authenticates it)."""

    try:
        envelope = json.loads(request.body)
    except (json.JSONDecodeError, UnicodeDecodeError):
        return None
    if not isinstance(envelope, dict):
        return None
    return envelope if is_sns_message(envelope, request.headers.get("X-Amz-Sns-Message-Type", "")) else None


@csrf_exempt  # a provider cannot send a CSRF token; the secret, HMAC or SNS signature authenticates it
@require_POST
def delivery_webhook(request: HttpRequest) -> HttpResponse:
    if _authenticated(request):
        return _relay_receipt(request)
    sns = _sns_envelope(request)
    if sns is None:
        return JsonResponse({"error": "forbidden"}, status=403)
    return _sns_message(sns)


def _relay_receipt(request: HttpRequest) -> HttpResponse:
    """Our own relay, authenticated by the shared secret or its HMAC."""

    try:
        envelope = json.loads(request.body)
        if not isinstance(envelope, dict):
            raise BadReceipt("not a JSON object")
        outcome = process_receipt(envelope)
    except (json.JSONDecodeError, UnicodeDecodeError, BadReceipt) as exc:
        return JsonResponse({"error": f"bad receipt: {exc}"}, status=400)
    log.info("delivery receipt %s: %s", envelope.get("MessageId"), outcome)
    return JsonResponse({"outcome": outcome})


def _sns_message(envelope: dict) -> HttpResponse:
    """An AWS SNS subscription: the service verifies the signature and the topic before anything happens."""

    try:
        outcome = process_sns_message(envelope)
    except SnsVerificationError as exc:
        log.warning("SNS message %s refused: %s", str(envelope.get("MessageId"))[:100], exc)
        return JsonResponse({"error": "forbidden"}, status=403)
    except SnsConfirmationError as exc:
        log.error("SNS subscription not confirmed: %s", exc)
        return JsonResponse({"error": "subscription not confirmed; SNS will send it again"}, status=502)
    except BadReceipt as exc:
        return JsonResponse({"error": f"bad receipt: {exc}"}, status=400)
    log.info("SNS message %s: %s", envelope.get("MessageId"), outcome)
    return JsonResponse({"outcome": outcome})
