"""A local fake of the Bedrock Runtime Converse API: a real HTTP server on 127.0.0.1.

Point a real boto3 client at it (`endpoint_url=server.url`) and script its
answers per test:

    with FakeBedrock() as server:
        server.script(tool_use("record_segmentation", {...}), throttle(), server_error(500))
        client = server.client(read_timeout=1)

When the script is empty the `responder` answers; the default, `offline_responder`,
reads the customer record out of the prompt and answers with the offline
analyst's (valid, grounded) output, so benchmarks can run any number of calls.
`latency` (seconds) delays every answer; the server is threaded, so concurrent
callers overlap as they would against the real service. Every request is
recorded in `server.requests` (model id, JSON body, and the usage billed for it
once answered) for assertions. `hold()` keeps every request waiting, as a
stalled model would, until `release()`; `held` counts the requests waiting.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import unquote

import boto3
from botocore.config import Config

from tests.fakes.local_server import LocalFakeServer

Responder = Callable[[str, dict[str, Any]], "Scripted"]


@dataclass
class Scripted:
    status: int = 200
    body: dict[str, Any] | str = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # on top of the server's latency


@dataclass
class Request:
    model_id: str
    body: dict[str, Any]
    usage: dict[str, int] | None = None  # what the answer billed (tokens), once it was sent

    @property
    def user_text(self) -> str:
        return self.body["messages"][0]["content"][0]["text"]


_ids = itertools.count(1)


def tool_use(
    name: str,
    tool_input: dict[str, Any] | Any,
    *,
    input_tokens: int = 1200,
    output_tokens: int = 300,
    cache_read: int = 0,
    cache_write: int = 0,
    delay: float = 0.0,
) -> Scripted:
    usage = {"inputTokens": input_tokens, "outputTokens": output_tokens, "totalTokens": input_tokens + output_tokens}
    if cache_read or cache_write:
        usage.update(cacheReadInputTokens=cache_read, cacheWriteInputTokens=cache_write)
    content = [{"toolUse": {"toolUseId": f"tooluse_{next(_ids)}", "name": name, "input": tool_input}}]
    body = {
        "output": {"message": {"role": "assistant", "content": content}},
        "stopReason": "tool_use",
        "usage": usage,
        "metrics": {"latencyMs": int(delay * 1000) + 1},
    }
    return Scripted(body=body, delay=delay)


def text_reply(text: str) -> Scripted:
    body = {
        "output": {"message": {"role": "assistant", "content": [{"text": text}]}},
        "stopReason": "end_turn",
        "usage": {"inputTokens": 1000, "outputTokens": 40, "totalTokens": 1040},
        "metrics": {"latencyMs": 1},
    }
    return Scripted(body=body)


def error(status: int, code: str, message: str = "fake error") -> Scripted:
    return Scripted(status=status, body={"message": message}, headers={"x-amzn-ErrorType": f"{code}:http://fake/"})


def throttle() -> Scripted:
    return error(429, "ThrottlingException", "Too many requests, please wait before trying again.")


def server_error(status: int = 500) -> Scripted:
    code = {500: "InternalServerException", 503: "ServiceUnavailableException"}.get(status, "InternalServerException")
    return error(status, code, "The server encountered an internal error.")


def slow(seconds: float, then: Scripted | None = None) -> Scripted:
    then = then or text_reply("late")
    return Scripted(status=then.status, body=then.body, headers=then.headers, delay=seconds)


def offline_responder(model_id: str, body: dict[str, Any]) -> Scripted:
    """Answer like a well-behaved model: the offline analyst's output for the record in the prompt."""
    from notifications.analysis.analysts.bedrock import prompts
    from notifications.analysis.analysts.offline import OfflineAnalyst
    from notifications.profiles.schemas import CustomerProfile, PriorityAnalysis

    name = body["toolConfig"]["toolChoice"]["tool"]["name"]
    text = body["messages"][0]["content"][0]["text"]
    context = prompts.extract_context(text)
    profile = CustomerProfile.model_validate({"customer_pk": 0, **prompts.extract_customer_data(text)})
    analyst = OfflineAnalyst(today=dt.date.fromisoformat(context["today"]))
    if name == "record_segmentation":
        output = analyst.segment(profile)
    elif name == "record_priority_analysis":
        output = analyst.prioritise(profile)
    else:
        analysis = analyst.prioritise(profile)
        analysis = analysis.model_copy(update={"situation": context["situation"], "channel": context["channel"]})
        output = analyst.draft(profile, PriorityAnalysis.model_validate(analysis.model_dump()))
    chars = len(json.dumps(body))
    out = output.model_dump(mode="json")
    return tool_use(name, out, input_tokens=chars // 4, output_tokens=len(json.dumps(out)) // 4)


class FakeBedrock(LocalFakeServer):
    def __init__(self, *, latency: float = 0.0, responder: Responder | None = None) -> None:
        super().__init__()
        self.latency = latency
        self.responder = responder or offline_responder
        self._open = threading.Event()
        self._open.set()
        self.held = 0

    # --- lifecycle ---------------------------------------------------------------------------
    def start(self) -> FakeBedrock:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                fake._handle(self)

            def log_message(self, *args: Any) -> None:  # keep test output clean
                pass

        return self._serve(Handler, "fake-bedrock")

    # --- scripting -----------------------------------------------------------------------------

    @property
    def pending(self) -> int:
        return len(self._script)

    def hold(self) -> None:
        """From now on every request waits (counted in `held`) until `release()`."""
        self._open.clear()

    def release(self) -> None:
        self._open.set()

    def stop(self) -> None:
        self.release()  # no handler thread left waiting
        super().stop()

    def client(self, *, read_timeout: float = 5.0, total_attempts: int = 1, connect_timeout: float = 2.0):
        """A real boto3 bedrock-runtime client aimed at this server (fake credentials, no retries by default)."""
        config = Config(
            region_name="eu-west-2",
            connect_timeout=connect_timeout,
            read_timeout=read_timeout,
            retries={"mode": "standard", "total_max_attempts": total_attempts},
        )
        return boto3.client(
            "bedrock-runtime",
            endpoint_url=self.url,
            config=config,
            aws_access_key_id="fake",
            aws_secret_access_key="fake",
        )

    # --- the protocol --------------------------------------------------------------------------
    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length else b""
        parts = handler.path.split("/")
        if len(parts) != 4 or parts[1] != "model" or parts[3] != "converse":
            return self._send(handler, error(404, "UnknownOperationException", f"no route {handler.path}"))
        model_id = unquote(parts[2])
        try:
            body = json.loads(raw or b"{}")
        except json.JSONDecodeError:
            return self._send(handler, error(400, "ValidationException", "malformed JSON"))
        request = Request(model_id=model_id, body=body)
        with self._lock:
            self.requests.append(request)
            scripted = self._script.popleft() if self._script else None
            held = not self._open.is_set()
            self.held += held
        try:
            self._open.wait()
        finally:
            with self._lock:
                self.held -= held
        if scripted is None:
            scripted = self.responder(model_id, body)
        delay = self.latency + scripted.delay
        if delay:
            time.sleep(delay)
        if isinstance(scripted.body, dict) and scripted.status == 200:
            request.usage = scripted.body.get("usage")  # billed: the model did the work, whoever reads it
        self._send(handler, scripted)

    @staticmethod
    def _send(handler: BaseHTTPRequestHandler, scripted: Scripted) -> None:
        payload = scripted.body if isinstance(scripted.body, str) else json.dumps(scripted.body)
        data = payload.encode()
        try:
            handler.send_response(scripted.status)
            handler.send_header("Content-Type", "application/json")
            handler.send_header("Content-Length", str(len(data)))
            handler.send_header("x-amzn-RequestId", f"fake-{next(_ids)}")
            for key, value in scripted.headers.items():
                handler.send_header(key, value)
            handler.end_headers()
            handler.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (read timeout): nothing to answer
