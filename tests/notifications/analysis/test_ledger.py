"""The write-ahead usage ledger, against the Bedrock stand-in with a real boto3 client.

Every request Bedrock receives has its AICall row, written before the request left; the row is
settled with the tokens Bedrock reported; a call lost with its worker keeps an estimate that is
never below what Bedrock billed; a redelivered chunk replays answers that arrived.
The multi-process version (a pool child SIGKILLed mid-chunk) is in tests/notifications/jobs/test_worker_recovery.py.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections import Counter
from decimal import ROUND_HALF_UP, Decimal

import pytest
from celery.canvas import group
from django.db import connections
from django.utils import timezone

from customers.models import Customer
from notifications.analysis.analysts.bedrock import prompts
from notifications.analysis.models import AICall, AnalysisChunk
from notifications.analysis.selectors.budget import bedrock_budget_exhausted, bedrock_spend_this_month
from notifications.analysis.services import analyse
from notifications.jobs.pipeline import process_chunk
from notifications.jobs.services import start_job
from tests.fakes.bedrock_server import FakeBedrock
from tests.notifications.jobs.test_worker_support import make_customer, run_inline

HAIKU = "eu.anthropic.claude-haiku-4-5-20251001-v1:0"
OPERATIONS = {
    "record_segmentation": "segment",
    "record_priority_analysis": "prioritise",
    "record_draft_message": "draft",
}


@pytest.fixture
def bedrock(settings, monkeypatch):
    """The stand-in as the process's Bedrock, one call at a time (no threads: the test's transaction)."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "fake")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "fake")
    settings.BEDROCK_MODEL_ID = HAIKU
    settings.BEDROCK_MAX_RPM = 0
    settings.BEDROCK_CONFIDENCE_THRESHOLD = 1.0  # every customer to Bedrock: the ledger is what is measured
    settings.ANALYST_CONCURRENCY = 1
    settings.ANALYSIS_CHUNK_SIZE = 10
    settings.AI_MONTHLY_BUDGET_GBP = 200
    analyse._bedrock_analyst.cache_clear()
    with FakeBedrock() as server:
        settings.BEDROCK_ENDPOINT_URL = server.url
        yield server
    analyse._bedrock_analyst.cache_clear()


def billed_gbp(usage: dict) -> Decimal:
    """Haiku 4.5's regional (eu.) price (USD 1.10 / 5.50 per million tokens) at 0.79 £/$, to the millionth."""
    usd = (
        Decimal(usage["inputTokens"]) * Decimal("1.10") / 10**6
        + Decimal(usage["outputTokens"]) * Decimal("5.50") / 10**6
    )
    return (usd * Decimal("0.79")).quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP)


def requested(server: FakeBedrock) -> Counter:
    """(customer pk, operation) of every request the stand-in received."""
    ids = dict(Customer.objects.values_list("customer_id", "pk"))
    return Counter(
        (
            ids[prompts.extract_customer_data(r.user_text)["customer_id"]],
            OPERATIONS[r.body["toolConfig"]["toolChoice"]["tool"]["name"]],
        )
        for r in server.requests
    )


def on_the_ledger(job) -> Counter:
    return Counter(AICall.objects.filter(job=job).values_list("customer_id", "operation"))


@pytest.mark.django_db
def test_every_request_is_on_the_ledger_settled_with_the_tokens_bedrock_reported(bedrock):
    [make_customer() for _ in range(2)] + [make_customer(value_seeker=False)]

    job = run_inline(start_job(provider="bedrock"))

    assert job.status == "succeeded" and len(bedrock.requests) == 7  # 3 calls per Value Seeker, 1 for the other
    assert on_the_ledger(job) == requested(bedrock)
    calls = list(AICall.objects.filter(job=job).order_by("pk"))
    assert {(c.outcome, c.estimated, c.attempt, c.response) for c in calls} == {("ok", False, 1, None)}
    assert [(c.input_tokens, c.output_tokens) for c in calls] == [
        (r.usage["inputTokens"], r.usage["outputTokens"]) for r in bedrock.requests
    ]
    assert job.cost_gbp == sum(c.cost_gbp for c in calls) == sum(billed_gbp(r.usage) for r in bedrock.requests)
    assert job.input_tokens == sum(r.usage["inputTokens"] for r in bedrock.requests)


@pytest.mark.django_db
def test_a_worker_lost_after_sending_a_call_is_charged_for_it_and_the_redelivery_replays_what_arrived(
    bedrock, monkeypatch
):
    class WorkerKilled(BaseException):
        """Stands for SIGKILL: nothing in the worker gets to handle it."""

    customer = make_customer()
    job = start_job(provider="bedrock")
    chunk = job.chunks.get()
    client = analyse.get_analyst("bedrock").client
    send = client.converse

    def killed_once_prioritise_was_sent(**request):
        response = send(**request)  # Bedrock has the request (and bills it) ...
        if request["toolConfig"]["toolChoice"]["tool"]["name"] == "record_priority_analysis":
            raise WorkerKilled  # ... but the worker dies before reading the answer
        return response

    monkeypatch.setattr(client, "converse", killed_once_prioritise_was_sent)
    with pytest.raises(WorkerKilled):
        process_chunk(chunk.pk)
    monkeypatch.setattr(client, "converse", send)
    assert [(c.operation, c.outcome) for c in AICall.objects.order_by("pk")] == [
        ("segment", "ok"),
        ("prioritise", "pending"),  # written before the request left
    ]

    AnalysisChunk.objects.filter(pk=chunk.pk).update(lease_expires_at=timezone.now())  # its lease lapsed
    assert process_chunk(chunk.pk) == "done"  # the redelivery

    job.refresh_from_db()
    assert job.status == "succeeded" and job.drafts == 1
    # Bedrock saw the segmentation once (its answer was replayed) and the prioritisation twice.
    assert requested(bedrock) == {
        (customer.pk, "segment"): 1,
        (customer.pk, "prioritise"): 2,
        (customer.pk, "draft"): 1,
    }
    assert on_the_ledger(job) == requested(bedrock)
    rows = {(c.operation, c.attempt): c for c in AICall.objects.filter(job=job)}
    lost = rows[("prioritise", 1)]
    assert (lost.outcome, lost.estimated, rows[("prioritise", 2)].outcome) == ("lost", True, "ok")
    first_prioritise = [
        r for r in bedrock.requests if "priority" in r.body["toolConfig"]["toolChoice"]["tool"]["name"]
    ][0]
    assert lost.cost_gbp >= billed_gbp(first_prioritise.usage)  # the estimate never under-counts
    assert job.cost_gbp == sum(c.cost_gbp for c in rows.values())
    answered = [r for r in bedrock.requests if r is not first_prioritise]
    assert job.cost_gbp - lost.cost_gbp == sum(billed_gbp(r.usage) for r in answered)
    assert AnalysisChunk.objects.get(pk=chunk.pk).recoveries == 1


@pytest.mark.django_db(transaction=True)
def test_a_call_in_flight_is_on_the_ledger_and_counts_against_the_budget(bedrock, settings, monkeypatch):
    monkeypatch.setattr(group, "apply_async", lambda *a, **k: None)  # this test runs the chunk itself
    make_customer(value_seeker=False)
    job = start_job(provider="bedrock")
    chunk = job.chunks.get()
    bedrock.hold()

    def work() -> None:
        try:
            process_chunk(chunk.pk)
        finally:
            connections.close_all()  # this thread's own connection

    worker = threading.Thread(target=work)
    worker.start()
    try:
        deadline = time.monotonic() + 20
        while bedrock.held < 1:
            assert time.monotonic() < deadline, "the call never reached the stand-in"
            time.sleep(0.05)
        call = AICall.objects.get(job=job)
        assert (call.outcome, call.estimated, call.operation) == ("pending", True, "segment")
        assert call.cost_gbp > 0 and call.output_tokens == settings.BEDROCK_MAX_TOKENS  # the whole allowance
        assert bedrock_spend_this_month() == call.cost_gbp
        settings.AI_MONTHLY_BUDGET_GBP = float(call.cost_gbp)
        assert bedrock_budget_exhausted()[0]  # a chunk starting now would not call Bedrock
    finally:
        bedrock.release()
        worker.join(30)

    call.refresh_from_db()
    assert (call.outcome, call.estimated) == ("ok", False)
    assert call.input_tokens == bedrock.requests[0].usage["inputTokens"]
    assert bedrock_spend_this_month() == call.cost_gbp == billed_gbp(bedrock.requests[0].usage)


@pytest.mark.django_db
def test_calls_left_in_flight_past_any_answer_are_charged_as_lost_by_the_recovery_sweep():
    from notifications.analysis.models import AnalysisJob
    from notifications.jobs.tasks import recover_lost_chunks

    job = AnalysisJob.objects.create(provider="bedrock", status="cancelled")  # nobody will claim its chunks again
    customer = make_customer()
    stale, fresh = (
        AICall.objects.create(job=job, customer=customer, provider="bedrock", operation=op, outcome="pending",
                              estimated=True, input_tokens=900, output_tokens=1200, cost_gbp=Decimal("0.001363"))
        for op in ("segment", "prioritise")
    )  # fmt: skip
    AICall.objects.filter(pk=stale.pk).update(created_at=timezone.now() - dt.timedelta(minutes=10))

    recover_lost_chunks()

    stale.refresh_from_db()
    fresh.refresh_from_db()
    job.refresh_from_db()
    assert (stale.outcome, fresh.outcome) == ("lost", "pending")  # the other may still be answered
    assert (job.cost_gbp, job.input_tokens, job.output_tokens) == (Decimal("0.001363"), 900, 1200)
