"""A local fake of the SNS Query API (Publish): a real HTTP server on 127.0.0.1 in a thread.

Point a real boto3 SNS client at it (`endpoint_url=server.url`) and script answers:

    with FakeSns() as sns:
        sns.script(throttling(), published("m-2"))
        client = sns.client()

When the script is empty every Publish succeeds with a fresh MessageId. Every
request is recorded (`sns.requests`: the parsed form fields) for assertions.

It also plays SNS's side of an HTTPS subscription to our webhook: it serves a
signing certificate (`sns.serve(path, body)`), answers the SubscribeURL GET
(`?Action=ConfirmSubscription&…`, recorded in `sns.gets`), and `SnsSigner` signs
messages the way SNS does (SignatureVersion 1 or 2) with a throwaway key.
"""

from __future__ import annotations

import base64
import datetime as dt
import itertools
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlsplit

import boto3
from botocore.config import Config

from tests.fakes.local_server import LocalFakeServer

NS = "http://sns.amazonaws.com/doc/2010-03-31/"
_ids = itertools.count(1)


@dataclass
class Scripted:
    status: int
    body: str


def published(message_id: str | None = None) -> Scripted:
    message_id = message_id or f"fake-sns-{next(_ids)}"
    return Scripted(
        200,
        f'<PublishResponse xmlns="{NS}"><PublishResult><MessageId>{message_id}</MessageId></PublishResult>'
        f"<ResponseMetadata><RequestId>req-{next(_ids)}</RequestId></ResponseMetadata></PublishResponse>",
    )


def error(status: int, code: str, message: str, kind: str = "Sender") -> Scripted:
    return Scripted(
        status,
        f'<ErrorResponse xmlns="{NS}"><Error><Type>{kind}</Type><Code>{code}</Code><Message>{message}</Message>'
        f"</Error><RequestId>req-{next(_ids)}</RequestId></ErrorResponse>",
    )


def throttling(status: int = 400) -> Scripted:
    return error(status, "Throttling", "Rate exceeded")


def invalid_parameter(message: str = "Invalid parameter: PhoneNumber") -> Scripted:
    return error(400, "InvalidParameter", message)


@dataclass
class Request:
    fields: dict[str, str]

    @property
    def action(self) -> str:
        return self.fields.get("Action", "")

    def attribute(self, name: str) -> str | None:
        """A MessageAttributes entry's StringValue by name (Query protocol flattening)."""
        for key, value in self.fields.items():
            if key.startswith("MessageAttributes.entry.") and key.endswith(".Name") and value == name:
                return self.fields.get(key[: -len("Name")] + "Value.StringValue")
        return None


def confirmed(subscription_arn: str = "arn:aws:sns:eu-west-2:123456789012:receipts:sub-1") -> Scripted:
    return Scripted(
        200,
        f'<ConfirmSubscriptionResponse xmlns="{NS}"><ConfirmSubscriptionResult><SubscriptionArn>'
        f"{subscription_arn}</SubscriptionArn></ConfirmSubscriptionResult></ConfirmSubscriptionResponse>",
    )


class FakeSns(LocalFakeServer):
    def __init__(self) -> None:
        super().__init__()
        self.gets: list[str] = []  # every GET's path and query, in order
        self._files: dict[str, bytes] = {}

    def serve(self, path: str, body: bytes) -> str:
        """Serve `body` at `path` (e.g. a signing certificate); returns its URL."""
        self._files[path] = body
        return f"{self.url}{path}"

    def start(self) -> FakeSns:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                fake._handle(self)

            def do_GET(self) -> None:  # noqa: N802
                fake._handle_get(self)

            def log_message(self, *args: Any) -> None:
                pass

        return self._serve(Handler, "fake-sns")

    def client(self, *, total_attempts: int = 1, read_timeout: float = 2.0):
        config = Config(
            region_name="eu-west-2",
            connect_timeout=1,
            read_timeout=read_timeout,
            retries={"mode": "standard", "total_max_attempts": total_attempts},
        )
        return boto3.client(
            "sns", endpoint_url=self.url, config=config, aws_access_key_id="fake", aws_secret_access_key="fake"
        )

    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length).decode() if length else ""
        fields = {key: values[0] for key, values in parse_qs(raw, keep_blank_values=True).items()}
        with self._lock:
            self.requests.append(Request(fields))
            scripted = self._script.popleft() if self._script else None
        if scripted is None:
            scripted = published() if fields.get("Action") == "Publish" else error(400, "InvalidAction", "no such")
        self._reply(handler, scripted)

    def _handle_get(self, handler: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(handler.path)
        fields = {key: values[0] for key, values in parse_qs(parts.query).items()}
        with self._lock:
            self.gets.append(handler.path)
            body = self._files.get(parts.path)
            scripted = None
            if body is None and fields.get("Action") == "ConfirmSubscription":
                scripted = self._script.popleft() if self._script else confirmed()
        if body is not None:
            scripted = Scripted(200, body.decode())
        elif scripted is None:
            scripted = error(404, "NotFound", "no such path")
        self._reply(handler, scripted)

    def _reply(self, handler: BaseHTTPRequestHandler, scripted: Scripted) -> None:
        data = scripted.body.encode()
        try:
            handler.send_response(scripted.status)
            handler.send_header("Content-Type", "text/xml")
            handler.send_header("Content-Length", str(len(data)))
            handler.end_headers()
            handler.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass


# The fields SNS signs per message type (its documented canonical order); Subject only when present.
_SIGNED = {
    "Notification": ("Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"),
    "SubscriptionConfirmation": ("Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"),
    "UnsubscribeConfirmation": ("Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"),
}


class SnsSigner:
    """Signs messages as SNS does, with a fresh RSA key and a self-signed certificate.

    Written independently of the code under test (from the AWS documentation), so a mistake in
    the production canonical string shows up as a refused message.
    """

    def __init__(self) -> None:
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import rsa
        from cryptography.x509.oid import NameOID

        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "sns.amazonaws.com")])
        now = dt.datetime.now(dt.UTC)
        cert = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(self.key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=30))
            .sign(self.key, hashes.SHA256())
        )
        self.pem = cert.public_bytes(serialization.Encoding.PEM)

    def sign(self, message: dict, *, cert_url: str, version: str = "2") -> dict:
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import padding

        text = "".join(f"{k}\n{message[k]}\n" for k in _SIGNED[message["Type"]] if k in message)
        algorithm = hashes.SHA1() if version == "1" else hashes.SHA256()
        signature = self.key.sign(text.encode(), padding.PKCS1v15(), algorithm)
        return {
            **message,
            "SignatureVersion": version,
            "Signature": base64.b64encode(signature).decode(),
            "SigningCertURL": cert_url,
        }
