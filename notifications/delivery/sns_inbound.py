"""AWS SNS messages posted to our webhook: signature verification and subscription confirmation.

SNS signs every HTTP(S) message: SignatureVersion 1 is SHA1withRSA, 2 is SHA256withRSA, over a
canonical string of the message's own fields ("Key\\nValue\\n" in a fixed order per Type). The
public key is in the X.509 certificate at SigningCertURL. Anyone can post a message naming *their*
certificate, so the URL must match `SNS_ALLOWED_URL_PATTERN` (AWS's SNS hosts) before we fetch it;
the certificate is fetched with a timeout, without following redirects, and cached.

A valid signature only proves AWS sent it: any AWS account can make a topic and get signed messages.
Which topics we listen to is a separate check (`topic_allowed`, SNS_ALLOWED_TOPIC_ARNS).

https://docs.aws.amazon.com/sns/latest/dg/sns-verify-signature-of-message.html
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import logging
import re
import urllib.error
import urllib.parse
import urllib.request

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from django.conf import settings
from django.core.cache import cache

log = logging.getLogger(__name__)

# The fields each message type signs, in the documented (byte-wise sorted) order; Subject only if present.
SIGNED_FIELDS = {
    "Notification": ("Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"),
    "SubscriptionConfirmation": ("Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"),
    "UnsubscribeConfirmation": ("Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"),
}
HASHES = {"1": hashes.SHA1, "2": hashes.SHA256}
MAX_CERT_BYTES = 64 * 1024  # a PEM certificate is ~2 KB; never read an unbounded body


class SnsVerificationError(Exception):
    """The message is not provably from SNS: answer 403 and do nothing."""


class SnsConfirmationError(Exception):
    """The subscription could not be confirmed (SubscribeURL unreachable or refused)."""


def is_sns_message(envelope: dict, message_type_header: str = "") -> bool:
    """SNS's own envelope: it says so in a header, or it carries SNS's signature fields."""
    return bool(message_type_header) or ("SignatureVersion" in envelope and "Signature" in envelope)


def url_allowed(url: object) -> bool:
    return isinstance(url, str) and re.match(settings.SNS_ALLOWED_URL_PATTERN, url) is not None


def topic_allowed(topic_arn: object) -> bool:
    return isinstance(topic_arn, str) and topic_arn in settings.SNS_ALLOWED_TOPIC_ARNS


def canonical_string(message: dict) -> bytes:
    """The bytes SNS signed for this message's Type."""
    fields = SIGNED_FIELDS.get(message.get("Type", ""))
    if fields is None:
        raise SnsVerificationError(f"unknown SNS message type {message.get('Type')!r}")
    parts = []
    for name in fields:
        value = message.get(name)
        if value is None:
            if name == "Subject":
                continue  # optional, and signed only when the publisher set one
            raise SnsVerificationError(f"{name} is missing")
        if not isinstance(value, str):
            raise SnsVerificationError(f"{name} is not a string")
        parts.append(f"{name}\n{value}\n")
    return "".join(parts).encode("utf-8")


def verify(message: dict) -> None:
    """Raise SnsVerificationError unless the message carries a valid SNS signature."""
    algorithm = HASHES.get(str(message.get("SignatureVersion", "")))
    if algorithm is None:
        raise SnsVerificationError(f"unsupported SignatureVersion {message.get('SignatureVersion')!r}")
    cert_url = message.get("SigningCertURL")
    if not url_allowed(cert_url):
        raise SnsVerificationError(f"signing certificate URL not allowed: {str(cert_url)[:200]!r}")
    try:
        signature = base64.b64decode(str(message.get("Signature", "")), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise SnsVerificationError("Signature is not base64") from exc
    signed = canonical_string(message)
    public_key = signing_certificate(cert_url).public_key()
    if not isinstance(public_key, rsa.RSAPublicKey):
        raise SnsVerificationError("the signing certificate's key is not RSA")
    try:
        public_key.verify(signature, signed, padding.PKCS1v15(), algorithm())
    except InvalidSignature as exc:
        raise SnsVerificationError("bad signature") from exc


def signing_certificate(url: str) -> x509.Certificate:
    """The certificate at an allowed URL, from the cache or fetched once (with a timeout)."""
    key = "sns-signing-cert:" + hashlib.sha256(url.encode()).hexdigest()
    pem = cache.get(key)
    if pem is None:
        pem = _fetch(url, what="signing certificate", error=SnsVerificationError)
        try:
            x509.load_pem_x509_certificate(pem)
        except ValueError as exc:
            raise SnsVerificationError("the signing certificate is not a PEM certificate") from exc
        cache.set(key, pem, settings.SNS_CERT_CACHE_SECONDS)
    cert = x509.load_pem_x509_certificate(pem)
    now = dt.datetime.now(dt.UTC)
    if not cert.not_valid_before_utc <= now <= cert.not_valid_after_utc:
        cache.delete(key)  # AWS rotates certificates: fetch afresh next time
        raise SnsVerificationError("the signing certificate is not valid now")
    return cert


def confirm_subscription(message: dict) -> str:
    """GET the SubscribeURL of an allowed topic's SubscriptionConfirmation; returns the URL's host."""
    url = message.get("SubscribeURL")
    if not url_allowed(url):
        raise SnsVerificationError(f"SubscribeURL not allowed: {str(url)[:200]!r}")
    _fetch(url, what="subscription confirmation", error=SnsConfirmationError)
    return urllib.parse.urlsplit(url).netloc


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    # The allow-list is checked on the URL we were given; a redirect could lead anywhere.
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


_opener = urllib.request.build_opener(_NoRedirects)


def _fetch(url: str, *, what: str, error: type[Exception]) -> bytes:
    try:
        with _opener.open(url, timeout=settings.SNS_HTTP_TIMEOUT) as response:
            if response.status != 200:
                raise error(f"{what}: HTTP {response.status}")
            return response.read(MAX_CERT_BYTES)
    except (urllib.error.URLError, TimeoutError, OSError, ValueError) as exc:
        raise error(f"{what} could not be fetched: {exc}") from exc
