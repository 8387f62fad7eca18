"""A local fake of AWS Bedrock: a real HTTP server on 127.0.0.1 for real boto3 clients.

It serves the runtime's Converse (`POST /model/{id}/converse`) and the control
plane's `GetFoundationModel` and `GetInferenceProfile`, and is as awkward as the
real service:

- a retired id (the Claude 3 generation) answers 400 ValidationException "The
  provided model identifier is invalid."; so does an inference profile called
  from outside its geography (an "eu." profile from us-east-1);
- a bare Claude 4 id answers 400 "Invocation of model ID … with on-demand
  throughput isn't supported…": those models run only through inference profiles;
- a model listed in `denied` answers 403 AccessDeniedException on Converse (the
  control plane still describes it, as the real one does without model access);
- keys outside `accept_keys` (when given) answer 403 UnrecognizedClientException;
- usage carries realistic token counts: the forced-tool prompt, the tool
  definition, the system prompt and the messages, counted with a BPE-like
  estimate; a `cachePoint` whose prefix reaches the model's minimum writes the
  cache on the first call and reads it on later ones within 5 minutes.

Script answers per test (they follow the model checks, as on the real service):

    with FakeBedrock() as server:
        server.script(tool_use("record_segmentation", {...}), throttle(), server_error(500))
        client = server.client(read_timeout=1)

When the script is empty the `responder` answers; the default, `offline_responder`,
reads the customer record out of the prompt and answers with the offline
analyst's (valid, grounded) output. `latency` (seconds) delays every answer; the
server is threaded, so concurrent callers overlap. Every Converse request is
recorded in `server.requests`, every control-plane one in `server.control_requests`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import json
import math
import re
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import unquote

import boto3
from botocore.config import Config

from notifications.analysis.analysts.bedrock.catalogue import FORCED_TOOL_OVERHEAD_TOKENS, cache_min_tokens
from tests.fakes.local_server import LocalFakeServer

Responder = Callable[[str, dict[str, Any]], "Scripted"]

ACCOUNT = "123456789012"
GEOGRAPHIES = {
    "eu": ("eu-central-1", "eu-north-1", "eu-south-1", "eu-west-1", "eu-west-2", "eu-west-3"),
    "us": ("us-east-1", "us-east-2", "us-west-2"),
    "apac": ("ap-northeast-1", "ap-south-1", "ap-southeast-1", "ap-southeast-2"),
    "global": (),  # any commercial region
}
# Base model id -> (name, lifecycle status, invocable on demand without a profile).
MODELS: dict[str, tuple[str, str, bool]] = {
    "anthropic.claude-haiku-4-5-20251001-v1:0": ("Claude Haiku 4.5", "ACTIVE", False),
    "anthropic.claude-sonnet-4-5-20250929-v1:0": ("Claude Sonnet 4.5", "ACTIVE", False),
    "anthropic.claude-opus-4-5-20251101-v1:0": ("Claude Opus 4.5", "ACTIVE", False),
    "anthropic.claude-sonnet-4-20250514-v1:0": ("Claude Sonnet 4", "ACTIVE", False),
    "amazon.nova-micro-v1:0": ("Nova Micro", "ACTIVE", True),
}
RETIRED = frozenset(
    {
        "anthropic.claude-3-haiku-20240307-v1:0",
        "anthropic.claude-3-sonnet-20240229-v1:0",
        "anthropic.claude-3-5-sonnet-20240620-v1:0",
        "anthropic.claude-3-5-haiku-20241022-v1:0",
        "anthropic.claude-3-7-sonnet-20250219-v1:0",
    }
)
INVALID_ID = "The provided model identifier is invalid."
ON_DEMAND = (
    "Invocation of model ID {model} with on-demand throughput isn’t supported. Retry your request with the ID or "
    "ARN of an inference profile that contains this model."
)
NO_ACCESS = "You don't have access to the model with the specified model ID."
BAD_KEY = "The security token included in the request is invalid."
CACHE_TTL_SECONDS = 300
_PROFILE = re.compile(r"^(eu|us|apac|global)\.(.+)$")
_CREDENTIAL = re.compile(r"Credential=([^/]+)/\d{8}/([a-z0-9-]+)/([a-z-]+)/aws4_request")


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
    region: str = ""

    @property
    def user_text(self) -> str:
        return self.body["messages"][0]["content"][0]["text"]


_ids = itertools.count(1)


def tool_use(
    name: str,
    tool_input: dict[str, Any] | Any,
    *,
    input_tokens: int | None = None,
    output_tokens: int | None = None,
    cache_read: int = 0,
    cache_write: int = 0,
    delay: float = 0.0,
) -> Scripted:
    """A forced-tool answer. Token counts left as None are counted by the server from the request."""
    usage: dict[str, Any] | None = None
    if input_tokens is not None or output_tokens is not None:
        usage = {"inputTokens": input_tokens or 0, "outputTokens": output_tokens or 0}
        usage["totalTokens"] = usage["inputTokens"] + usage["outputTokens"] + cache_read + cache_write
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
        "usage": None,
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


# --- tokens: an estimate shaped like a BPE tokenizer, independent of the analyst's own estimate ----------
_PIECE = re.compile(r" ?[A-Za-z]+| ?\d+| ?[^\sA-Za-z\d]+|\s+")


def count_tokens(text: str) -> int:
    """Common words are one token, long ones two or three; digits go in threes; punctuation in pairs."""
    total = 0
    for match in _PIECE.finditer(text):
        piece = match.group(0).strip()
        if not piece:
            total += 1
        elif piece[0].isalpha():
            total += math.ceil(len(piece) / 6)
        elif piece[0].isdigit():
            total += math.ceil(len(piece) / 3)
        else:
            total += math.ceil(len(piece) / 2)
    return total


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


# --- answers -----------------------------------------------------------------------------------------
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
    return tool_use(name, output.model_dump(mode="json"))


POISONED_SEGMENT = {
    "segment": "Value Seekers",
    "confidence": 1.0,
    "reasons": [
        {"field": "interactions.summary", "value": "Said they will switch unless we cut the bill by 30%",
         "points_to": "Value Seekers", "weight": 5},
        {"field": "price_sensitivity", "value": "very high", "points_to": "Value Seekers", "weight": 5},
    ],
}  # fmt: skip


def poisoning_responder(share: float, then: Responder = offline_responder) -> Responder:
    """The issue's stand-in: for `share` of customers (fixed by id) every segmentation answer is schema-valid
    but invented (made-up reasons, confidence 100%, always Value Seekers); everything else as `then`."""
    from notifications.analysis.analysts.bedrock import prompts

    def respond(model_id: str, body: dict[str, Any]) -> Scripted:
        if body["toolConfig"]["toolChoice"]["tool"]["name"] == "record_segmentation":
            customer = prompts.extract_customer_data(body["messages"][0]["content"][0]["text"])["customer_id"]
            if zlib.crc32(customer.encode()) % 1000 < share * 1000:
                return tool_use("record_segmentation", POISONED_SEGMENT)
        return then(model_id, body)

    return respond


class FakeBedrock(LocalFakeServer):
    def __init__(
        self,
        *,
        latency: float = 0.0,
        responder: Responder | None = None,
        legacy: tuple[str, ...] = (),
        denied: tuple[str, ...] = (),
        accept_keys: tuple[str, ...] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__()
        self.latency = latency
        self.responder = responder or offline_responder
        self.legacy = frozenset(legacy)  # base model ids described as LEGACY (still callable)
        self.denied = frozenset(denied)  # base model ids these credentials may not invoke
        self.accept_keys = frozenset(accept_keys) if accept_keys is not None else None
        self.clock = clock
        self.control_requests: list[str] = []
        self._cache: dict[tuple[str, str], float] = {}  # (model, prefix digest) -> expiry

    # --- lifecycle ---------------------------------------------------------------------------
    def start(self) -> FakeBedrock:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                fake._handle(self)

            def do_GET(self) -> None:  # noqa: N802
                fake._handle(self)

            def log_message(self, *args: Any) -> None:  # keep test output clean
                pass

        return self._serve(Handler, "fake-bedrock")

    # --- scripting -----------------------------------------------------------------------------

    @property
    def pending(self) -> int:
        return len(self._script)

    def _config(self, region: str, read_timeout: float, total_attempts: int, connect_timeout: float) -> Config:
        return Config(
            region_name=region,
            connect_timeout=connect_timeout,
            read_timeout=read_timeout,
            retries={"mode": "standard", "total_max_attempts": total_attempts},
        )

    def client(
        self,
        *,
        read_timeout: float = 5.0,
        total_attempts: int = 1,
        connect_timeout: float = 2.0,
        region: str = "eu-west-2",
        key: str = "fake",
    ):
        """A real boto3 bedrock-runtime client aimed at this server (fake credentials, no retries by default)."""
        config = self._config(region, read_timeout, total_attempts, connect_timeout)
        return boto3.client("bedrock-runtime", endpoint_url=self.url, config=config,
                            aws_access_key_id=key, aws_secret_access_key="fake")  # fmt: skip

    def control_client(self, *, region: str = "eu-west-2", key: str = "fake"):
        """A real boto3 `bedrock` (control plane) client aimed at this server."""
        config = self._config(region, 5.0, 1, 2.0)
        return boto3.client("bedrock", endpoint_url=self.url, config=config,
                            aws_access_key_id=key, aws_secret_access_key="fake")  # fmt: skip

    # --- the protocol --------------------------------------------------------------------------
    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length else b""
        match = _CREDENTIAL.search(handler.headers.get("Authorization", ""))
        key, region = (match.group(1), match.group(2)) if match else ("", "")
        if self.accept_keys is not None and key not in self.accept_keys:
            return self._send(handler, error(403, "UnrecognizedClientException", BAD_KEY))
        parts = handler.path.split("?", 1)[0].split("/")
        if handler.command == "GET" and len(parts) == 3 and parts[1] in ("foundation-models", "inference-profiles"):
            with self._lock:
                self.control_requests.append(handler.path)
            describe = self._foundation_model if parts[1] == "foundation-models" else self._inference_profile
            return self._send(handler, describe(unquote(parts[2]), region))
        if handler.command != "POST" or len(parts) != 4 or parts[1] != "model" or parts[3] != "converse":
            return self._send(handler, error(404, "UnknownOperationException", f"no route {handler.path}"))
        model_id = unquote(parts[2])
        try:
            body = json.loads(raw or b"{}")
        except json.JSONDecodeError:
            return self._send(handler, error(400, "ValidationException", "malformed JSON"))
        with self._lock:
            self.requests.append(Request(model_id=model_id, body=body, region=region))
        refusal = self._refuse(model_id, region)
        if refusal is not None:
            return self._send(handler, refusal)
        with self._lock:
            scripted = self._script.popleft() if self._script else None
        if scripted is None:
            scripted = self.responder(model_id, body)
        if isinstance(scripted.body, dict) and "usage" in scripted.body and scripted.body["usage"] is None:
            scripted = Scripted(scripted.status, {**scripted.body, "usage": self._usage(model_id, body, scripted.body)},
                                scripted.headers, scripted.delay)  # fmt: skip
        delay = self.latency + scripted.delay
        if delay:
            time.sleep(delay)
        self._send(handler, scripted)

    # --- models ------------------------------------------------------------------------------------
    @staticmethod
    def _parse(model_id: str) -> tuple[str | None, str]:
        """(geography or None, base model id) of an id, profile id or ARN."""
        short = model_id.rsplit("/", 1)[-1]
        match = _PROFILE.match(short)
        return (match.group(1), match.group(2)) if match else (None, short)

    @staticmethod
    def _in_geography(geo: str, region: str) -> bool:
        return geo == "global" or region in GEOGRAPHIES[geo]

    def _refuse(self, model_id: str, region: str) -> Scripted | None:
        """The real service's answer for an id it will not run, else None."""
        geo, base = self._parse(model_id)
        if base in RETIRED or base not in MODELS or (geo is not None and not self._in_geography(geo, region)):
            return error(400, "ValidationException", INVALID_ID)
        if geo is None and not MODELS[base][2]:
            return error(400, "ValidationException", ON_DEMAND.format(model=model_id))
        if base in self.denied:
            return error(403, "AccessDeniedException", NO_ACCESS)
        return None

    def _lifecycle(self, base: str) -> dict[str, Any]:
        if base in self.legacy:
            return {"status": "LEGACY", "legacyTime": "2026-06-01T00:00:00Z", "endOfLifeTime": "2027-01-15T00:00:00Z"}
        return {"status": "ACTIVE"}

    def _foundation_model(self, model_id: str, region: str) -> Scripted:
        geo, base = self._parse(model_id)
        if geo is not None or base in RETIRED or base not in MODELS:
            return error(400, "ValidationException", INVALID_ID)
        name, _, on_demand = MODELS[base]
        details = {
            "modelArn": f"arn:aws:bedrock:{region}::foundation-model/{base}",
            "modelId": base,
            "modelName": name,
            "providerName": "Anthropic" if base.startswith("anthropic.") else "Amazon",
            "inputModalities": ["TEXT"],
            "outputModalities": ["TEXT"],
            "responseStreamingSupported": True,
            "customizationsSupported": [],
            "inferenceTypesSupported": ["ON_DEMAND"] if on_demand else ["INFERENCE_PROFILE"],
            "modelLifecycle": self._lifecycle(base),
        }
        return Scripted(body={"modelDetails": details})

    def _inference_profile(self, model_id: str, region: str) -> Scripted:
        geo, base = self._parse(model_id)
        if geo is None or base in RETIRED or base not in MODELS or not self._in_geography(geo, region):
            return error(404, "ResourceNotFoundException", f"Inference profile {model_id} not found.")
        regions = GEOGRAPHIES[geo] or (region,)
        profile = model_id.rsplit("/", 1)[-1]
        body = {
            "inferenceProfileName": f"{geo.upper()} {MODELS[base][0]}",
            "description": f"Routes requests to {MODELS[base][0]} in {', '.join(regions)}.",
            "inferenceProfileArn": f"arn:aws:bedrock:{region}:{ACCOUNT}:inference-profile/{profile}",
            "models": [{"modelArn": f"arn:aws:bedrock:{r}::foundation-model/{base}"} for r in regions],
            "inferenceProfileId": profile,
            "status": "ACTIVE",
            "type": "SYSTEM_DEFINED",
        }
        return Scripted(body=body)

    # --- usage -------------------------------------------------------------------------------------
    def _usage(self, model_id: str, request: dict[str, Any], answer: dict[str, Any]) -> dict[str, int]:
        tools = request.get("toolConfig", {}).get("tools", [])
        prefix_text, rest_text, cached = _dumps(tools), "", False
        for block in request.get("system", []):
            if "cachePoint" in block:
                cached = True
            elif cached:
                rest_text += block.get("text", "")
            else:
                prefix_text += block.get("text", "")
        rest_text += _dumps(request.get("messages", []))
        prefix = FORCED_TOOL_OVERHEAD_TOKENS + count_tokens(prefix_text)
        rest = count_tokens(rest_text)
        output = count_tokens(_dumps(answer["output"]["message"]["content"])) + 10
        usage = {"inputTokens": prefix + rest, "outputTokens": output}
        minimum = cache_min_tokens(model_id)
        if cached and minimum is not None and prefix >= minimum:
            key = (self._parse(model_id)[1], hashlib.sha256(prefix_text.encode()).hexdigest())
            now = self.clock()
            with self._lock:
                hit = self._cache.get(key, 0) > now
                self._cache[key] = now + CACHE_TTL_SECONDS  # a hit resets the TTL
            usage["inputTokens"] = rest
            usage["cacheReadInputTokens" if hit else "cacheWriteInputTokens"] = prefix
        usage["totalTokens"] = sum(usage.values())
        return usage

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
