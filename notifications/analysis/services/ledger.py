"""The usage ledger: every paid call of a job is an AICall row, written ahead of its request.

A Bedrock call is identified by (job, customer, operation, attempt). `CustomerLedger.begin`
writes its row PENDING, with an upper-bound estimate of its cost, before the request is
sent; `settle` replaces the estimate with the tokens Bedrock reported and keeps the answer
until the customer's analysis is stored (`forget_answers`). If the worker dies with the call
in flight, the next holder of the chunk (`mark_lost`) or the recovery sweep
(`mark_stale_lost`) marks it LOST and the estimate stands as its cost: Bedrock billed a
call whose answer nobody read. A redelivered chunk replays the answers that did arrive,
in the order they were asked for, instead of paying for them again.

The monthly budget sums `cost_gbp` over every row, so calls in flight count at their
estimate. A job's token and £ counters move when one of its calls settles or is lost.
Analysts that do not write ahead (test stubs) are recorded afterwards by `record_calls`.
"""

from __future__ import annotations

import datetime as dt
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Max, QuerySet
from django.utils import timezone

from notifications.analysis.analysts.bedrock.pricing import cost_gbp, estimate_tokens
from notifications.analysis.models import AICall, AnalysisJob
from notifications.profiles.schemas import CallUsage

PENDING, LOST = AICall.Outcome.PENDING, AICall.Outcome.LOST
_COUNTERS = ("input_tokens", "output_tokens", "cache_read_tokens", "cost_gbp")
_TOKENS = (*_COUNTERS, "cache_write_tokens")


@dataclass(frozen=True)
class Entry:
    """One call on the ledger; `answer` is set when it already arrived and is to be replayed."""

    ledger_id: int
    answer: dict[str, Any] | None = None


def _sums(rows: Iterable[Any]) -> dict[str, Any]:
    rows = list(rows)
    return {name: sum((getattr(r, name) for r in rows), Decimal(0) if name == "cost_gbp" else 0) for name in _COUNTERS}


def add_to_job(job_id: int | None, deltas: dict[str, Any]) -> None:
    changes = {name: F(name) + value for name, value in deltas.items() if value}
    if job_id is not None and changes:
        AnalysisJob.objects.filter(pk=job_id).update(**changes)


class CustomerLedger:
    """One customer's paid calls in one job, for one analysis (used by one thread)."""

    def __init__(self, job_id: int, customer_id: int, earlier: Iterable[AICall] = ()) -> None:
        self.job_id = job_id
        self.customer_id = customer_id
        self._next: dict[str, int] = {}
        self._replay: dict[str, deque[Entry]] = {}
        for row in sorted(earlier, key=lambda r: r.attempt):
            self._next[row.operation] = max(self._next.get(row.operation, 1), row.attempt + 1)
            if row.response is not None:
                self._replay.setdefault(row.operation, deque()).append(Entry(row.pk, row.response))

    def begin(self, operation: str, model_id: str, request: dict[str, Any]) -> Entry:
        """The answer to replay, or a new PENDING row: committed before the request leaves."""
        if replay := self._replay.get(operation):
            return replay.popleft()
        input_tokens, output_tokens = estimate_tokens(request)
        while True:
            attempt = self._next.get(operation, 1)
            self._next[operation] = attempt + 1
            try:
                with transaction.atomic():
                    row = AICall.objects.create(
                        job_id=self.job_id, customer_id=self.customer_id, provider="bedrock", model_id=model_id,
                        operation=operation, attempt=attempt, outcome=PENDING, estimated=True,
                        input_tokens=input_tokens, output_tokens=output_tokens,
                        cost_gbp=cost_gbp(model_id, input_tokens, output_tokens),
                    )  # fmt: skip
            except IntegrityError:  # written by a delivery that has since lost the chunk: take the next
                continue
            return Entry(row.pk)

    def settle(self, entry: Entry, usage: CallUsage, response: dict[str, Any] | None = None) -> CallUsage:
        """The call came back: Bedrock's figures replace the estimate (answered, throttled or failed).

        A read timeout keeps the estimate: the model may well have run, and Bedrock bills what it ran.
        """
        billed = usage.outcome != "timeout"
        with transaction.atomic():
            row = AICall.objects.select_for_update().get(pk=entry.ledger_id)
            charged = _sums([row]) if row.outcome == LOST else _sums([])  # a sweep got here first
            if billed:
                for name in _TOKENS:
                    setattr(row, name, getattr(usage, name))
            row.outcome, row.estimated, row.latency_ms = usage.outcome, not billed, usage.latency_ms
            row.response = response if usage.outcome == "ok" else None
            row.save(update_fields=[*_TOKENS, "outcome", "estimated", "latency_ms", "response"])
            now = _sums([row])
            add_to_job(self.job_id, {name: now[name] - charged[name] for name in _COUNTERS})
        return usage.model_copy(update={"ledger_id": row.pk})

    def mark_invalid(self, entry: Entry) -> None:
        """The answer failed validation (kept: a replay must ask the same corrective question again)."""
        AICall.objects.filter(pk=entry.ledger_id, outcome="ok").update(outcome="invalid")


def earlier_calls(job_id: int, customer_ids: Iterable[int]) -> dict[int, list[AICall]]:
    """These customers' rows in this job, for replays and attempt numbers (one query)."""
    rows: dict[int, list[AICall]] = {}
    calls = AICall.objects.filter(job_id=job_id, customer_id__in=list(customer_ids))
    for row in calls.only("pk", "customer_id", "operation", "attempt", "response"):
        rows.setdefault(row.customer_id, []).append(row)
    return rows


def record_calls(job_id: int, calls: list[tuple[int, CallUsage]]) -> None:
    """Paid calls of analysts that do not write ahead: added afterwards, numbered, charged to the job.

    Calls already on the ledger (written ahead, or replayed) are skipped.
    """
    calls = [(pk, u) for pk, u in calls if u.ledger_id is None]
    if not calls:
        return
    taken = (
        AICall.objects.filter(job_id=job_id, customer_id__in={pk for pk, _ in calls})
        .values_list("customer_id", "operation")
        .annotate(last=Max("attempt"))
        .order_by()
    )
    next_attempt = {(pk, operation): last + 1 for pk, operation, last in taken}
    rows = []
    for pk, usage in calls:
        attempt = next_attempt.get((pk, usage.operation), 1)
        next_attempt[(pk, usage.operation)] = attempt + 1
        rows.append(AICall(job_id=job_id, customer_id=pk, attempt=attempt, **usage.model_dump(exclude={"ledger_id"})))
    AICall.objects.bulk_create(rows)
    add_to_job(job_id, _sums(u for _, u in calls))


def mark_lost(calls: QuerySet[AICall]) -> int:
    """Those of `calls` still in flight lost their worker: LOST, each job charged their estimate."""
    with transaction.atomic():
        rows = list(calls.filter(outcome=PENDING).select_for_update().only("pk", "job_id", *_COUNTERS))
        AICall.objects.filter(pk__in=[r.pk for r in rows]).update(outcome=LOST)
        for job_id in {r.job_id for r in rows}:
            add_to_job(job_id, _sums(r for r in rows if r.job_id == job_id))
    return len(rows)


def call_deadline() -> dt.timedelta:
    """Longer than any call can stay in flight: botocore's attempts, each connect + read timeout, and a minute."""
    attempts = 1 + int(settings.BEDROCK_RETRIES.get("max_attempts", 0))
    per_attempt = settings.BEDROCK_CONNECT_TIMEOUT + settings.BEDROCK_READ_TIMEOUT
    return dt.timedelta(seconds=attempts * per_attempt + 60)


def mark_stale_lost(*, now: dt.datetime | None = None) -> int:
    """The recovery sweep's backstop: calls in flight past the deadline (a cancelled job's, a zombie's)."""
    return mark_lost(AICall.objects.filter(created_at__lt=(now or timezone.now()) - call_deadline()))


def forget_answers(job_id: int, customer_ids: list[int]) -> None:
    """These customers' analyses are stored: their answers will never be replayed."""
    AICall.objects.filter(job_id=job_id, customer_id__in=customer_ids, response__isnull=False).update(response=None)
