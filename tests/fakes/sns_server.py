"""A local fake of the SNS Query API (Publish): a real HTTP server on 127.0.0.1 in a thread.

Point a real boto3 SNS client at it (`endpoint_url=server.url`) and script answers:

    with FakeSns() as sns:
        sns.script(throttling(), published("m-2"))
        client = sns.client()

When the script is empty every Publish succeeds with a fresh MessageId. Every
request is recorded (`sns.requests`: the parsed form fields) for assertions.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs

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


class FakeSns(LocalFakeServer):

    def start(self) -> FakeSns:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                fake._handle(self)

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
        data = scripted.body.encode()
        try:
            handler.send_response(scripted.status)
            handler.send_header("Content-Type", "text/xml")
            handler.send_header("Content-Length", str(len(data)))
            handler.end_headers()
            handler.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass
