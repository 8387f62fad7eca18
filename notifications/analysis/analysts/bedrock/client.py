"""The boto3 `bedrock-runtime` client and one Converse call with usage accounting.

Transient failures (throttling, 5xx, model timeouts, read/connect timeouts)
become `AnalystUnavailable` for the job layer to retry with backoff; botocore
itself retries only once (standard mode). A refusal of the set-up itself (a
retired or unknown model id, a bare id that needs an inference profile, no model
access, bad credentials) becomes `AnalystMisconfigured`: retrying cannot fix it,
so the job stops with one sentence saying what to change. Any other refused
request (one customer's prompt too long) becomes `RequestRejected`, which the
analyst turns into a per-step offline fallback.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectionError,
    HTTPClientError,
    NoCredentialsError,
    ReadTimeoutError,
)
from django.conf import settings

from notifications.analysis.analysts.base import AnalystUnavailable, CallJournal
from notifications.analysis.analysts.bedrock.errors import is_configuration_error, misconfigured
from notifications.analysis.analysts.bedrock.pricing import cost_gbp
from notifications.profiles.schemas import CallUsage

TRANSIENT_CODES = frozenset(
    {
        "ThrottlingException",
        "ServiceUnavailableException",
        "ModelTimeoutException",
        "InternalServerException",
        "ModelNotReadyException",
        "ModelErrorException",
        "TooManyRequestsException",
    }
)


class RequestRejected(Exception):
    """Bedrock refused this one request (e.g. a prompt too long for the model): not worth retrying as is."""


def make_client(
    *,
    region: str | None = None,
    endpoint_url: str | None = None,
    connect_timeout: float | None = None,
    read_timeout: float | None = None,
    retries: dict[str, Any] | None = None,
    **credentials: str,
):
    config = Config(
        region_name=region or settings.AWS_REGION,
        connect_timeout=connect_timeout if connect_timeout is not None else settings.BEDROCK_CONNECT_TIMEOUT,
        read_timeout=read_timeout if read_timeout is not None else settings.BEDROCK_READ_TIMEOUT,
        # A copy: botocore rewrites the dict in place (max_attempts → total_max_attempts).
        retries=dict(retries or settings.BEDROCK_RETRIES),
        # One pooled connection per call in flight: botocore's default of 10 would make the
        # threads above ANALYST_CONCURRENCY=10 wait for a connection (and log "pool is full").
        max_pool_connections=max(10, settings.ANALYST_CONCURRENCY),
    )
    endpoint = endpoint_url if endpoint_url is not None else settings.BEDROCK_ENDPOINT_URL
    return boto3.client("bedrock-runtime", endpoint_url=endpoint or None, config=config, **credentials)


def make_control_client(*, region: str | None = None, endpoint_url: str | None = None, **credentials: str):
    """The control plane (`bedrock`): models' lifecycle and inference profiles, for check_bedrock."""
    config = Config(
        region_name=region or settings.AWS_REGION,
        connect_timeout=settings.BEDROCK_CONNECT_TIMEOUT,
        read_timeout=settings.BEDROCK_CONNECT_TIMEOUT * 2,  # small GETs: no need to wait as for a model
        retries=dict(settings.BEDROCK_RETRIES),  # a copy, as above
    )
    endpoint = endpoint_url if endpoint_url is not None else settings.BEDROCK_CONTROL_ENDPOINT_URL
    return boto3.client("bedrock", endpoint_url=endpoint or None, config=config, **credentials)


@dataclass
class Reply:
    response: dict[str, Any]
    usage: CallUsage
    entry: Any = None  # its line on the usage ledger, when the call was written ahead

    @property
    def content(self) -> list[dict[str, Any]]:
        return self.response.get("output", {}).get("message", {}).get("content", [])

    def tool_use(self, name: str) -> dict[str, Any] | None:
        for block in self.content:
            if "toolUse" in block and block["toolUse"].get("name") == name:
                return block["toolUse"]
        return None


def _usage(model_id: str, operation: str, started: float, outcome: str, usage: dict | None = None) -> CallUsage:
    usage = usage or {}
    tokens = {
        "input_tokens": int(usage.get("inputTokens", 0)),
        "output_tokens": int(usage.get("outputTokens", 0)),
        "cache_read_tokens": int(usage.get("cacheReadInputTokens", 0)),
        "cache_write_tokens": int(usage.get("cacheWriteInputTokens", 0)),
    }
    return CallUsage(
        provider="bedrock",
        model_id=model_id,
        operation=operation,
        latency_ms=int((time.perf_counter() - started) * 1000),
        outcome=outcome,
        cost_gbp=cost_gbp(model_id, **tokens),
        **tokens,
    )


def converse(
    client,
    *,
    model_id: str,
    operation: str,
    record,
    setting: str = "BEDROCK_MODEL_ID",
    journal: CallJournal | None = None,
    **request: Any,
) -> Reply:
    """One Converse call. `record(usage)` is called for every attempt's outcome, success or not.

    `setting` names where `model_id` came from, for the sentence a configuration error carries.
    With a `journal` (the usage ledger) the call is written down before its request leaves and
    settled when it comes back; an answer the journal already holds is replayed, not paid again.
    """
    entry = journal.begin(operation, model_id, request) if journal is not None else None
    if entry is not None and entry.answer is not None:
        replayed = CallUsage(
            provider="bedrock", model_id=model_id, operation=operation, outcome="replayed", ledger_id=entry.ledger_id
        )
        return Reply(response=entry.answer, usage=replayed, entry=entry)

    def settled(usage: CallUsage, answer: dict[str, Any] | None = None) -> CallUsage:
        return journal.settle(entry, usage, answer) if journal is not None else usage

    started = time.perf_counter()
    region = client.meta.region_name
    try:
        response = client.converse(modelId=model_id, **request)
    except ClientError as exc:
        error = exc.response.get("Error", {})
        code, message = error.get("Code", ""), error.get("Message", "")
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
        if code in TRANSIENT_CODES or status == 429 or status >= 500:
            outcome = "throttled" if code == "ThrottlingException" or status == 429 else "error"
            record(settled(_usage(model_id, operation, started, outcome)))
            raise AnalystUnavailable(f"Bedrock {operation}: {code or status}: {exc}") from exc
        record(settled(_usage(model_id, operation, started, "error")))
        if is_configuration_error(code, message):
            raise misconfigured(code, message, model_id=model_id, region=region, setting=setting) from exc
        raise RequestRejected(f"{code or status}: {message or exc}") from exc
    except NoCredentialsError as exc:  # nothing was sent, nothing billed
        record(settled(_usage(model_id, operation, started, "error")))
        raise misconfigured("NoCredentials", str(exc), model_id=model_id, region=region, setting=setting) from exc
    except (HTTPClientError, ConnectionError) as exc:  # read timeouts, dropped and refused connections
        outcome = "timeout" if isinstance(exc, ReadTimeoutError) else "error"
        record(settled(_usage(model_id, operation, started, outcome)))
        raise AnalystUnavailable(f"Bedrock {operation}: {type(exc).__name__}: {exc}") from exc
    except BotoCoreError:  # no credentials, a bad endpoint: nothing was answered, nothing billed
        record(settled(_usage(model_id, operation, started, "error")))
        raise
    answer = {key: response[key] for key in ("output", "stopReason", "usage") if key in response}
    usage = settled(_usage(model_id, operation, started, "ok", response.get("usage")), answer)
    return Reply(response=response, usage=usage, entry=entry)
