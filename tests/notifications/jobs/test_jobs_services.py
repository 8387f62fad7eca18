"""The job services without a broker: start/cancel rules, exactly-once commits, policies before AI calls.

The worker-level behaviour (real processes, SIGKILL, retries) is in test_worker_jobs.py.
"""

from __future__ import annotations

import pytest
from celery.canvas import group
from django.db import IntegrityError, transaction
from django.db.models import Count

from notifications.analysis.models import AICall, AnalysisChunk, AnalysisJob, ContactDecision, CustomerAnalysis
from notifications.jobs import pipeline
from notifications.jobs.pipeline import process_chunk
from notifications.jobs.selectors import active_job, job_summary, latest_job
from notifications.jobs.services import cancel_job, fail_chunk, resume_active_jobs, start_job
from notifications.queue.models import Notification
from tests.notifications.jobs.test_worker_support import make_customer, run_inline

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _one_chunk_size(settings):
    """These tests shape chunks with ANALYSIS_CHUNK_SIZE; offline jobs would otherwise use their own size."""
    settings.ANALYSIS_OFFLINE_CHUNK_SIZE = 0


@pytest.fixture
def sent_groups(monkeypatch):
    """Record dispatched groups instead of talking to a broker."""
    sent: list[list] = []
    monkeypatch.setattr(group, "apply_async", lambda self, *a, **k: sent.append([s.args for s in self.tasks]))
    return sent


def test_start_job_creates_chunks_and_dispatches_one_flat_group_after_commit(
    settings, sent_groups, django_capture_on_commit_callbacks
):
    settings.ANALYSIS_CHUNK_SIZE = 3
    customers = [make_customer(value_seeker=False) for _ in range(7)]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = start_job(provider="offline")
        assert sent_groups == []  # nothing reaches the broker before the job row is committed
    for callback in callbacks:
        callback()
    assert (job.status, job.total, job.kind) == ("queued", 7, "full")
    chunks = list(job.chunks.order_by("index"))
    assert [c.size for c in chunks] == [3, 3, 1]
    assert sum((c.customer_pks for c in chunks), []) == [c.pk for c in customers]
    assert sent_groups == [[(job.pk, c.pk) for c in chunks]]


def test_only_one_active_job_per_kind_start_job_returns_the_running_one(settings, sent_groups):
    make_customer()
    first = start_job(provider="offline")
    assert start_job(provider="offline") == first
    assert active_job("full") == first
    selected = start_job(customer_pks=[first.chunks.get().customer_pks[0]])
    assert selected.kind == "selected" and selected != first
    cancel_job(first)
    assert start_job(provider="offline") != first


def test_the_database_refuses_a_second_active_job_of_a_kind():
    AnalysisJob.objects.create(kind="full", provider="offline", status="running")
    with pytest.raises(IntegrityError), transaction.atomic():
        AnalysisJob.objects.create(kind="full", provider="offline", status="queued")
    AnalysisJob.objects.create(kind="full", provider="offline", status="succeeded")  # finished ones are fine


def test_a_job_with_no_customers_succeeds_at_once(sent_groups):
    job = start_job()
    assert job.status == "succeeded" and job.total == 0 and job.finished_at
    assert sent_groups == []


def test_a_broker_that_cannot_be_reached_fails_the_job_with_a_reason(monkeypatch, django_capture_on_commit_callbacks):
    make_customer()

    def down(self, *args, **kwargs):
        raise ConnectionRefusedError("broker down")

    monkeypatch.setattr(group, "apply_async", down)
    with django_capture_on_commit_callbacks(execute=True):
        job = start_job()
    job.refresh_from_db()
    assert job.status == "failed" and "Could not reach the task queue" in job.error


def test_a_redelivered_chunk_counts_drafts_and_pays_for_nobody_twice(settings, sent_groups):
    settings.ANALYSIS_CHUNK_SIZE = 10
    settings.ANALYSIS_COMMIT_EVERY = 4
    customers = [make_customer() for _ in range(5)] + [make_customer(value_seeker=False) for _ in range(3)]
    job = start_job(provider="test-paid")
    chunk = job.chunks.get()

    process_chunk(chunk.pk)
    job.refresh_from_db()
    first = job_summary(job)
    calls = AICall.objects.count()
    chunk.refresh_from_db()
    assert chunk.status == "done" and chunk.committed == 8

    # The same message delivered again (acks_late after a lost ack): a no-op.
    AnalysisChunk.objects.filter(pk=chunk.pk).update(status="running")
    process_chunk(chunk.pk)
    job.refresh_from_db()
    assert job_summary(job) == first
    assert AICall.objects.count() == calls
    assert (job.done, job.drafts, job.status) == (8, 5, "succeeded")
    assert Notification.objects.count() == 5
    assert CustomerAnalysis.objects.filter(job=job).count() == len(customers)


def test_a_chunk_resumed_after_a_crash_between_analysis_and_commit_reuses_the_stored_analyses(settings, sent_groups):
    settings.ANALYSIS_CHUNK_SIZE = 10
    settings.ANALYSIS_COMMIT_EVERY = 10
    customers = [make_customer() for _ in range(3)]
    job = start_job(provider="test-paid")
    chunk = job.chunks.get()
    real_commit = pipeline._commit

    def crash(*args, **kwargs):
        raise RuntimeError("worker lost before the commit")

    pipeline._commit = crash
    try:
        with pytest.raises(RuntimeError):
            process_chunk(chunk.pk)
    finally:
        pipeline._commit = real_commit
    stored = AICall.objects.count()
    assert stored == 9 and CustomerAnalysis.objects.count() == 3  # the paid work survived the crash

    process_chunk(chunk.pk)  # the redelivery
    job.refresh_from_db()
    assert AICall.objects.count() == stored  # no Bedrock call repeated
    assert (job.done, job.drafts, job.status) == (3, 3, "succeeded")
    assert job.input_tokens == 9 * 100 and str(job.cost_gbp) == "0.009000"
    assert not AICall.objects.values("customer_id", "operation").annotate(n=Count("id")).filter(n__gt=1).exists()
    assert len(customers) == Notification.objects.count()


def test_policies_are_checked_before_any_paid_priority_or_draft_call(settings, sent_groups):
    settings.ANALYSIS_CHUNK_SIZE = 10
    blocked = make_customer()
    blocked.activities.update(account_status="Suspended")
    allowed = make_customer()
    job = run_inline(start_job(provider="test-paid"))

    ops = lambda c: sorted(AICall.objects.filter(customer=c).values_list("operation", flat=True))  # noqa: E731
    assert ops(blocked) == ["segment"]  # a Value Seeker we may not contact costs one call, not three
    assert ops(allowed) == ["draft", "prioritise", "segment"]
    decision = ContactDecision.objects.get(job=job, customer=blocked)
    assert not decision.allowed
    assert "Account status is Suspended: only Active accounts may be contacted" in [
        r["reason"] for r in decision.results
    ]
    analysis = CustomerAnalysis.objects.get(job=job, customer=blocked)
    assert analysis.segment == "Value Seekers" and not analysis.should_contact
    assert "Account status is Suspended" in analysis.no_contact_reason
    assert not Notification.objects.filter(customer=blocked).exists()
    assert (job.value_seekers, job.contactable, job.drafts) == (2, 1, 1)


def test_a_chunk_that_fails_for_good_counts_its_remaining_customers_as_failed(settings, sent_groups):
    settings.ANALYSIS_CHUNK_SIZE = 4
    settings.ANALYSIS_COMMIT_EVERY = 2
    [make_customer(value_seeker=False) for _ in range(6)]
    job = start_job(provider="offline")
    first, second = job.chunks.order_by("index")
    process_chunk(first.pk)
    AnalysisChunk.objects.filter(pk=second.pk).update(committed=0)
    fail_chunk(second.pk, "RuntimeError('boom')")
    fail_chunk(second.pk, "RuntimeError('boom')")  # the failure handler running twice counts once
    job.refresh_from_db()
    assert (job.done, job.failed, job.skipped, job.total) == (4, 2, 0, 6)
    assert job.status == "succeeded" and "2 customers could not be analysed" in job.error


def test_a_deleted_customer_counts_as_failed_and_the_invariant_holds(settings, sent_groups):
    settings.ANALYSIS_CHUNK_SIZE = 10
    customers = [make_customer(value_seeker=False) for _ in range(3)]
    job = start_job(provider="offline")
    customers[1].delete()
    job = run_inline(job)
    assert (job.done, job.failed, job.skipped) == (2, 1, 0) and job.processed == job.total


def test_cancelling_drops_chunks_not_started(settings, sent_groups):
    settings.ANALYSIS_CHUNK_SIZE = 2
    [make_customer(value_seeker=False) for _ in range(6)]
    job = start_job(provider="offline")
    first, *rest = job.chunks.order_by("index")
    process_chunk(first.pk)
    job = cancel_job(job)
    for chunk in rest:
        assert process_chunk(chunk.pk) == "job cancelled"
    job.refresh_from_db()
    assert (job.status, job.done, job.total) == ("cancelled", 2, 6)
    assert set(AnalysisChunk.objects.filter(pk__in=[c.pk for c in rest]).values_list("status", flat=True)) == {
        "cancelled"
    }
    assert cancel_job(job).status == "cancelled"  # cancelling a finished job changes nothing


def test_resume_redispatches_only_unfinished_chunks_of_active_jobs(settings, sent_groups):
    settings.ANALYSIS_CHUNK_SIZE = 2
    [make_customer(value_seeker=False) for _ in range(6)]
    job = start_job(provider="offline")
    first, *rest = job.chunks.order_by("index")
    process_chunk(first.pk)
    assert resume_active_jobs() == 2
    assert sent_groups[-1] == [(job.pk, c.pk) for c in rest]


def test_latest_job_and_summary(sent_groups):
    assert latest_job() is None
    job = start_job()
    assert latest_job() == job == latest_job("full")
    assert latest_job("selected") is None
    summary = job_summary(job)
    assert summary["id"] == job.pk and summary["status"] == "succeeded" and summary["cost_gbp"] == "0.000000"


def test_the_nightly_task_starts_an_incremental_job_or_returns_the_running_one(sent_groups):
    from notifications.jobs.tasks import run_scheduled_analysis

    make_customer()
    job_id = run_scheduled_analysis.run()  # the task body, called directly: no broker, no eager mode
    job = AnalysisJob.objects.get(pk=job_id)
    assert (job.kind, job.force, job.status) == ("full", False, "queued")
    assert run_scheduled_analysis.run() == job_id


def test_a_chunk_redelivered_too_often_gives_up_and_counts_its_customers_as_failed(settings, sent_groups):
    settings.ANALYSIS_CHUNK_SIZE = 10
    settings.ANALYSIS_MAX_RETRIES = 2
    [make_customer(value_seeker=False) for _ in range(3)]
    job = start_job(provider="offline")
    chunk = job.chunks.get()
    AnalysisChunk.objects.filter(pk=chunk.pk).update(attempts=7)  # re-queued by hard time limits, again and again

    assert process_chunk(chunk.pk) == "gave up"
    job.refresh_from_db()
    assert (job.status, job.done, job.failed) == ("failed", 0, 3)
    assert AnalysisChunk.objects.get(pk=chunk.pk).error == "Gave up after 7 deliveries"


def test_offline_jobs_use_the_larger_offline_chunk_size_and_paid_jobs_the_general_one(settings, sent_groups):
    settings.ANALYSIS_CHUNK_SIZE, settings.ANALYSIS_OFFLINE_CHUNK_SIZE = 2, 5
    for _ in range(7):
        make_customer(value_seeker=False)
    offline = start_job(provider="offline")
    assert [c.size for c in offline.chunks.order_by("index")] == [5, 2]
    cancel_job(offline)
    paid = start_job(provider="test-paid")
    assert [c.size for c in paid.chunks.order_by("index")] == [2, 2, 2, 1]


def test_the_raw_insert_path_stores_what_the_orm_path_stores(settings, sent_groups):
    """Offline rows go in with one multi-row INSERT; paid rows through the ORM. Same fields, same values."""
    from notifications.profiles.schemas import Segment

    customers = [make_customer() for _ in range(3)] + [make_customer(value_seeker=False)]
    offline = run_inline(start_job(provider="offline", force=True))
    paid = run_inline(start_job(provider="test-paid", force=True))
    assert offline.done == paid.done == len(customers)
    skip = {"id", "job", "provider", "model_id", "created_at", "is_fallback", "fallback_reason"}
    fields = [f.attname for f in CustomerAnalysis._meta.concrete_fields if f.name not in skip]

    def rows(job):
        return {r["customer_id"]: r for r in CustomerAnalysis.objects.filter(job=job).values(*fields, "created_at")}

    raw, orm = rows(offline), rows(paid)
    assert raw.keys() == orm.keys() == {c.pk for c in customers}
    for pk, row in raw.items():
        assert row.pop("created_at") and orm[pk].pop("created_at")  # auto_now_add filled on both paths
        assert row == orm[pk], pk
        assert type(row["segment_reasons"]) is list and type(row["detail"]) is dict and type(row["draft"]) is dict
    assert sum(1 for r in raw.values() if r["segment"] == Segment.VALUE_SEEKERS and r["draft"]["body"]) == 3
    decisions = ContactDecision.objects.filter(job=offline).values("allowed", "results", "held_until", "decided_at")
    assert len(decisions) == 3 and all(d["allowed"] and d["results"] and d["decided_at"] for d in decisions)
    queued = Notification.objects.filter(job=paid).values("status", "version", "body", "original_body", "churn_risk")
    assert len(queued) == 3 and all(q["version"] == 1 and q["body"] == q["original_body"] for q in queued)
