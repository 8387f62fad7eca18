"""Processing one chunk of an analysis job: the work inside a Celery task.

A delivery first claims the chunk's lease (leases.py) and keeps it alive while it works;
a duplicate delivery of a held chunk does nothing. Then, per batch of customers
(ANALYSIS_COMMIT_EVERY):
1. load the profiles in bulk and hash them;
2. skip customers unchanged since their last analysis (same hash, same
   provider, not a fallback) unless the job is forced;
3. evaluate the contact policies for everyone left, before any AI call, and
   read the holdout experiment's settings;
4. analyse: segmentation for all, priority and draft only for those the
   policies let us contact (concurrently, rate-limited, for Bedrock); a
   customer the holdout places in the control group gets no draft;
5. store each CustomerAnalysis as soon as it exists (unique per job and
   customer, so a redelivered chunk never analyses a customer twice); each
   paid call is on the usage ledger before it is made, and a redelivery
   replays the answers that arrived (analysis/services/ledger.py);
6. commit: decisions (with the holdout arm), queue items and the job's counters,
   in one transaction guarded by the chunk's `committed` offset and the lease
   token, so each customer is counted exactly once however many times the
   chunk is delivered.

A refused configuration (AnalystMisconfigured: a retired model id, no model
access, bad credentials) stops the whole job at once, failed, with its sentence.
Transient analyst failures (AnalystUnavailable) propagate to the task, which
retries with backoff; on the final attempt the offline analyst stands in
(`fallback_result`) and the customer is counted as a fallback.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from decimal import Decimal

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import IntegrityError, connections, transaction
from django.db.models import F, OuterRef, Subquery
from django.utils import timezone

from customers.models import Customer
from notifications.analysis.analysts.base import AnalystMisconfigured, AnalystUnavailable
from notifications.analysis.analysts.offline.rules import RULES_VERSION
from notifications.analysis.models import AICall, AnalysisChunk, AnalysisJob, ContactDecision, CustomerAnalysis
from notifications.analysis.services import analyse as analysis
from notifications.analysis.services import analyst_calls, ledger
from notifications.analysis.services.ledger import CustomerLedger
from notifications.common.transitions import apply_transition, move_rows
from notifications.contact_rules.services.policies import (
    PolicyVerdict,
    active_policies,
    evaluate_profiles,
    quiet_hours_until,
)
from notifications.experiments.holdout import Arm, Holdout, hold_out_test, place
from notifications.experiments.selectors import running_holdout
from notifications.jobs import leases
from notifications.jobs.services import fail_chunk, maybe_finalise, stop_job
from notifications.profiles.schemas import CallUsage, CustomerAnalysisResult, CustomerProfile, Segment
from notifications.profiles.selectors import load_profiles, profile_hash
from notifications.profiles.snapshot import customer_data_hash, snapshot
from notifications.queue.services.drafts import (
    DraftInput,
    RawJSON,
    StoredAnalysis,
    insert_rows,
    upsert_drafts,
    withdraw_stale_drafts,
)

log = logging.getLogger(__name__)


@dataclass
class _Batch:
    pks: list[int]
    profiles: dict[int, CustomerProfile] = field(default_factory=dict)
    hashes: dict[int, str] = field(default_factory=dict)
    skipped: dict[int, str] = field(default_factory=dict)  # pk -> segment of the analysis kept
    failed: set[int] = field(default_factory=set)
    lost_usage: list[tuple[int, CallUsage]] = field(default_factory=list)  # paid calls before a failure
    ledgers: dict[int, CustomerLedger] = field(default_factory=dict)  # written ahead of each paid call
    verdicts: dict[int, PolicyVerdict] = field(default_factory=dict)
    policies: dict[str, object] = field(default_factory=dict)  # read once per batch
    now: dt.datetime = field(default_factory=timezone.now)  # the policies' clock for this batch
    # Analyses this process inserted for the batch (known without a re-read); rows stored by an
    # earlier or concurrent delivery are read back in _commit.
    stored: dict[int, StoredAnalysis] = field(default_factory=dict)
    experiment: str = ""  # the holdout experiment's key
    holdout: Holdout | None = None  # None: paused, or nobody held out


def process_chunk(chunk_id: int, *, final_attempt: bool = False) -> str:
    """Run (or resume) one chunk; returns a short outcome for the task log."""
    try:
        chunk = AnalysisChunk.objects.select_related("job").get(pk=chunk_id)
    except AnalysisChunk.DoesNotExist:
        return "missing"
    job = chunk.job
    if job.status not in AnalysisJob.ACTIVE_STATUSES:
        _drop_chunk(chunk)
        return f"job {job.status}"
    if chunk.status in AnalysisChunk.FINISHED_STATUSES:
        return "already finished"  # a redelivery after the work was committed
    if chunk.attempts >= settings.ANALYSIS_MAX_RETRIES + 5:
        # Re-queued again and again (hard time limits, lost workers): stop, count the rest as failed.

        fail_chunk(chunk.pk, f"Gave up after {chunk.attempts} deliveries")
        return "gave up"
    lease = leases.claim(chunk)
    if lease is None:
        return "held by another worker"  # a duplicate delivery: the holder finishes it, or recovery re-queues it
    with lease:  # the heartbeat keeps it ours while we work
        try:
            outcome = _work(job, chunk, lease, final_attempt)
        except Exception:
            leases.release(lease)  # for the task's retry (or, if that never comes, recovery)
            raise
    if outcome == "done":
        maybe_finalise(job.pk)
    return outcome


def _work(job: AnalysisJob, chunk: AnalysisChunk, lease: leases.Lease, final_attempt: bool) -> str:
    # Calls still in flight for this chunk were an earlier holder's, who is gone: lost, and charged.
    ledger.mark_lost(AICall.objects.filter(job_id=job.pk, customer_id__in=chunk.customer_pks))
    analyst = analyst_calls.resolve(job.provider)
    model_id = str(getattr(analyst, "model_id", "") or "")[:120]
    if model_id and not job.model_id:
        AnalysisJob.objects.filter(pk=job.pk, model_id="").update(model_id=model_id)
        job.model_id = model_id
    # Offline analysis is fast: one commit per chunk keeps the writes few. Paid analysts commit
    # every ANALYSIS_COMMIT_EVERY customers, so progress moves and a retry redoes little.
    step = chunk.size if analyst_calls.is_offline(analyst) else settings.ANALYSIS_COMMIT_EVERY
    while True:
        if lease.lost:
            return "lease lost"  # another delivery took the chunk over: it carries on from `committed`
        chunk.refresh_from_db(fields=["committed", "status"])
        if chunk.committed >= chunk.size or chunk.status in AnalysisChunk.FINISHED_STATUSES:
            return "done"
        status = AnalysisJob.objects.values_list("status", flat=True).get(pk=job.pk)
        if status not in AnalysisJob.ACTIVE_STATUSES:
            _drop_chunk(chunk)  # cancelled: the rest of this chunk is dropped, counts stay true
            return f"job {status}"
        start = chunk.committed
        pks = chunk.customer_pks[start : start + max(1, step)]
        batch = _prepare(job, pks)
        try:
            _analyse(job, batch, analyst, final_attempt=final_attempt)
        except AnalystMisconfigured as exc:
            # Bedrock refused the set-up (retired model, no access, bad credentials): every customer would
            # fail the same way, so the whole job stops now with the one sentence that says what to change.
            stop_job(job.pk, str(exc))
            return "stopped: configuration error"
        _commit(job.pk, lease, start, batch)


def _drop_chunk(chunk: AnalysisChunk) -> None:
    move_rows(AnalysisChunk.objects.filter(pk=chunk.pk), AnalysisChunk.Status.CANCELLED, finished_at=timezone.now())


# --- 1–3: profiles, incremental skip, policies ---------------------------------------------


def _prepare(job: AnalysisJob, pks: list[int]) -> _Batch:

    batch = _Batch(pks=pks)
    batch.profiles = load_profiles(pks)
    batch.failed = {pk for pk in pks if pk not in batch.profiles}  # deleted since the job started
    batch.hashes = {pk: profile_hash(p) for pk, p in batch.profiles.items()}
    if not job.force:
        for pk, (hash_, provider, fallback, segment) in _last_analyses(job.pk, list(batch.profiles)).items():
            if hash_ == batch.hashes[pk] and provider == job.provider and not fallback:
                batch.skipped[pk] = segment
    todo = {pk: p for pk, p in batch.profiles.items() if pk not in batch.skipped}
    batch.policies = active_policies()
    batch.verdicts = evaluate_profiles(todo, now=batch.now, policies=batch.policies) if todo else {}
    if todo:
        batch.experiment, batch.holdout = running_holdout()
    return batch


def _last_analyses(job_id: int, pks: list[int]) -> dict[int, tuple[str, str, bool, str]]:
    """Each customer's latest analysis from an earlier job: two indexed queries for the batch."""
    if not pks:
        return {}
    latest = (
        CustomerAnalysis.objects.filter(customer=OuterRef("pk"))
        .exclude(job_id=job_id)
        .order_by("-created_at", "-pk")
        .values("pk")[:1]
    )
    ids = [a for a in Customer.objects.filter(pk__in=pks).annotate(a=Subquery(latest)).values_list("a", flat=True) if a]
    rows = CustomerAnalysis.objects.filter(pk__in=ids).values_list(
        "customer_id", "profile_hash", "provider", "is_fallback", "segment"
    )
    return {row[0]: row[1:] for row in rows}


# --- 4–5: analysis, stored as it completes ---------------------------------------------------


def _analyse(job: AnalysisJob, batch: _Batch, analyst, *, final_attempt: bool) -> None:
    todo = [pk for pk in batch.pks if pk in batch.verdicts]
    done = set(
        CustomerAnalysis.objects.filter(job_id=job.pk, customer_id__in=todo).values_list("customer_id", flat=True)
    )
    todo = [pk for pk in todo if pk not in done]  # analysed by an earlier delivery: never ask (or pay) twice
    if not todo:
        return
    if not analyst_calls.is_offline(analyst):  # replay answers that arrived; number new calls after old ones
        earlier = ledger.earlier_calls(job.pk, todo)
        batch.ledgers = {pk: CustomerLedger(job.pk, pk, earlier.get(pk, ())) for pk in todo}
    # A transient failure (Bedrock) or the task's soft time limit stops the batch, but every success
    # is stored before it surfaces, so the retry only redoes the rest.
    interrupted: Exception | None = None
    results: dict[int, CustomerAnalysisResult] = {}
    if analyst_calls.is_offline(analyst) or settings.ANALYST_CONCURRENCY <= 1 or len(todo) == 1:
        # Offline analysis is CPU-bound and free: in-process and sequential.
        for pk in todo:
            try:
                results[pk] = _analyse_one(batch, pk, analyst, final_attempt)
            except (AnalystUnavailable, AnalystMisconfigured, SoftTimeLimitExceeded) as exc:
                interrupted = exc
                break
            except Exception:  # one bad customer must not sink the chunk
                log.exception("analysis failed for customer %s in job %s", pk, job.pk)
                batch.failed.add(pk)
    else:
        # Bedrock: calls in flight concurrently (ANALYST_CONCURRENCY), each through the shared RPM limit.
        pool = ThreadPoolExecutor(max_workers=min(settings.ANALYST_CONCURRENCY, len(todo)))
        futures = {pk: pool.submit(_threaded, batch, pk, analyst, final_attempt) for pk in todo}
        try:
            for pk, future in futures.items():
                try:
                    results[pk] = future.result()
                except (SoftTimeLimitExceeded, AnalystMisconfigured) as exc:  # the former raised while waiting
                    interrupted = exc
                    break
                except AnalystUnavailable as exc:
                    interrupted = exc
                except Exception:  # one bad customer must not sink the chunk
                    log.exception("analysis failed for customer %s in job %s", pk, job.pk)
                    batch.failed.add(pk)
        finally:
            # Out of time: don't wait for calls still in flight (or asleep on the rate limit);
            # the retry resumes from what was stored.
            pool.shutdown(wait=not isinstance(interrupted, SoftTimeLimitExceeded), cancel_futures=True)
        if isinstance(interrupted, (SoftTimeLimitExceeded, AnalystMisconfigured)):  # keep what finished first
            for pk, future in futures.items():
                if pk not in results and future.done() and not future.cancelled() and future.exception() is None:
                    results[pk] = future.result()
    _store(job, batch, results)
    lost, batch.lost_usage = batch.lost_usage, []
    ledger.record_calls(job.pk, lost)  # paid calls before a transient failure: real spend all the same
    if interrupted is not None:
        raise interrupted


def _threaded(batch: _Batch, pk: int, analyst, final_attempt: bool) -> CustomerAnalysisResult:
    try:
        return _analyse_one(batch, pk, analyst, final_attempt)
    finally:
        connections.close_all()  # a thread's own DB connections, if the analyst opened any


def _analyse_one(batch: _Batch, pk: int, analyst, final_attempt: bool) -> CustomerAnalysisResult:
    """Segmentation for everyone; priority and draft only for those the policies let us contact."""
    profile = batch.profiles[pk]
    contactable = batch.verdicts[pk].may_draft
    hold_out = hold_out_test(batch.holdout, profile, marketing_allowed=batch.verdicts[pk].marketing_allowed)
    try:
        with analyst_calls.journaling(analyst, batch.ledgers.get(pk)):
            return analysis.analyse_customer(profile, analyst, contactable=contactable, hold_out=hold_out)
    except AnalystUnavailable as exc:
        batch.lost_usage.extend((pk, u) for u in getattr(exc, "usage", []) if u.provider != "offline")
        if not final_attempt:
            raise
        reason = f"Bedrock unavailable after retries: {exc}"
        return analysis.fallback_result(profile, reason, contactable=contactable, hold_out=hold_out)


def _store(job: AnalysisJob, batch: _Batch, results: dict[int, CustomerAnalysisResult]) -> None:
    free: list[dict] = []
    drafts: dict[int, dict] = {}
    for pk, result in results.items():
        values, drafts[pk] = _analysis_values(job, batch, pk, result)
        # Calls written ahead are on the ledger already; others are recorded with the analysis, once.
        unrecorded = [u for u in result.usage if u.provider != "offline" and u.ledger_id is None]
        if not unrecorded:
            free.append(values)
            continue
        row = CustomerAnalysis(**{k: json.loads(v) if isinstance(v, RawJSON) else v for k, v in values.items()})
        try:
            with transaction.atomic():
                row.save(force_insert=True)
                ledger.record_calls(job.pk, [(pk, u) for u in unrecorded])
        except IntegrityError:
            pass  # a concurrent delivery stored this customer first; its row (and cost) stands
    if free:
        # One multi-row INSERT … ON CONFLICT DO NOTHING RETURNING: a row a concurrent delivery stored
        # first is skipped (its row stands, read back in _commit); the rows we did insert are known
        # here, so _commit need not read them back.
        by_customer = {v["customer_id"]: v for v in free}
        for analysis_pk, customer_pk in insert_rows(CustomerAnalysis, free, returning=("id", "customer_id"))[1]:
            v = by_customer[customer_pk]
            batch.stored[customer_pk] = StoredAnalysis(
                analysis_pk, customer_pk, v["segment"], v["is_fallback"], v["should_contact"], v["priority"],
                v["risk_score"], v["urgency"], drafts[customer_pk], v["provider"], v["held_out"],
            )  # fmt: skip


def _analysis_values(job: AnalysisJob, batch: _Batch, pk: int, result: CustomerAnalysisResult) -> tuple[dict, dict]:
    """A CustomerAnalysis row's column values, and the draft as a dict (what the queue reads).

    JSON is serialised once, in pydantic's core (model_dump_json), rather than dumped to Python
    objects and re-encoded by json.dumps: the same document, less work.
    """
    p = result.priority
    verdict = batch.verdicts[pk]
    should_contact = bool(p and p.should_contact and verdict.may_draft)
    if result.segmentation.segment == Segment.VALUE_SEEKERS and not verdict.may_draft:
        no_contact = "Contact policies: " + "; ".join(r.reason for r in verdict.failed if r.effect == "block")
    elif result.held_out:
        no_contact = f"Held out: control group of holdout experiment {batch.experiment}."
    else:
        no_contact = p.no_contact_reason if p else ""
    draft_json = result.draft.model_dump_json() if result.draft else "{}"
    values = dict(
        customer_id=pk,
        job_id=job.pk,
        provider=result.provider,
        # The model that answered; with no call at all the offline rules did (a Bedrock job leaves the
        # customers the rules are sure of to them), so the card does not name a model that never saw them.
        model_id=next((u.model_id for u in result.usage if u.model_id), "")
        or ("" if result.fallback else RULES_VERSION),
        profile_hash=batch.hashes[pk],
        segment=str(result.segmentation.segment),  # StrEnum -> plain str, as a read-back row has it
        segment_confidence=result.segmentation.confidence,
        segment_reasons=RawJSON("[" + ",".join(r.model_dump_json() for r in result.segmentation.reasons) + "]"),
        risk_score=p.risk_score if p else None,
        priority=str(p.priority) if p else "",
        urgency=str(p.urgency) if p else "",
        detail=RawJSON(p.model_dump_json() if p else "{}"),
        draft=RawJSON(draft_json),
        should_contact=should_contact,
        held_out=result.held_out,
        no_contact_reason=no_contact,
        warnings=list(result.warnings),
        is_fallback=result.fallback,
        fallback_reason=result.fallback_reason,
    )
    return values, (json.loads(draft_json) if result.draft else {})


# --- 6: the commit ------------------------------------------------------------------------------


def _commit(job_id: int, lease: leases.Lease, start: int, batch: _Batch) -> bool:
    """Decisions, queue items and counters for one batch, exactly once; False if not applied."""
    with transaction.atomic():
        chunk = AnalysisChunk.objects.select_for_update().get(pk=lease.chunk_id)
        if chunk.lease_token != lease.token:
            lease.lost = True  # recovered from us while we were silent: the new holder redoes this batch
            return False
        if chunk.committed != start or chunk.status in AnalysisChunk.FINISHED_STATUSES:
            return False  # another delivery of this chunk committed the batch already
        job = AnalysisJob.objects.select_for_update().only("status", "segment_counts").get(pk=job_id)
        if job.status not in AnalysisJob.ACTIVE_STATUSES:
            return False  # cancelled while we worked: drop the batch, keep the counts true
        # Rows this process inserted are known; only the others (an earlier delivery's) are read back.
        analyses = {pk: batch.stored[pk] for pk in batch.pks if pk in batch.stored}
        analyses.update(StoredAnalysis.fetch(job_id, [pk for pk in batch.pks if pk not in batch.stored]))
        # An analysis stored by an earlier delivery wins over a skip decided now (data changed since).
        skipped = {pk: seg for pk, seg in batch.skipped.items() if pk not in analyses}
        failed = (set(batch.failed) | {pk for pk in batch.verdicts if pk not in analyses}) - analyses.keys()
        segments = Counter(a.segment for a in analyses.values()) + Counter(skipped.values())
        decisions, drafts, held = [], [], set()
        for pk, a in analyses.items():
            if a.segment != Segment.VALUE_SEEKERS:
                continue
            verdict = batch.verdicts.get(pk)
            if verdict is None:
                continue
            arm, note = _arm(batch, pk, a, verdict)
            if arm == Arm.CONTROL:
                held.add(pk)
            decisions.append(
                {
                    "customer_id": pk,
                    "job_id": job_id,
                    "allowed": verdict.may_draft,
                    "marketing_allowed": verdict.marketing_allowed,
                    "held_until": verdict.held_until,
                    "results": [r.as_dict() for r in verdict.results],
                    "experiment": batch.experiment if arm else "",
                    "arm": arm,
                    "holdout_note": note[:200],
                }
            )
            if arm != Arm.CONTROL and _queueable(a, verdict):
                profile = batch.profiles[pk]
                churn = profile.activity.churn_risk_score if profile.activity else Decimal("0")
                channel = a.draft.get("channel") or profile.preferred_channel
                drafts.append(
                    DraftInput(
                        analysis=a,
                        held_until=quiet_hours_until(channel, batch.now, batch.policies),  # the draft's own channel
                        churn_risk=churn,
                        data_hash=customer_data_hash(profile),
                        data_snapshot=snapshot(profile),
                    )
                )
        insert_rows(ContactDecision, decisions)  # ON CONFLICT DO NOTHING: unique per (job, customer)
        written = upsert_drafts(job_id, drafts)
        queued = {d.analysis.customer_id for d in drafts}
        why_not = {
            pk: _not_queued_because(a, batch.verdicts.get(pk), pk in held)
            for pk, a in analyses.items()
            if pk not in queued
        }
        withdraw_stale_drafts(job_id, why_not)
        counts = dict(job.segment_counts or {})
        for segment, n in segments.items():
            counts[segment] = counts.get(segment, 0) + n
        AnalysisJob.objects.filter(pk=job_id).update(
            done=F("done") + len(analyses),
            failed=F("failed") + len(failed),
            skipped=F("skipped") + len(skipped),
            fallbacks=F("fallbacks") + sum(1 for a in analyses.values() if a.is_fallback),
            value_seekers=F("value_seekers") + segments.get(Segment.VALUE_SEEKERS, 0),
            contactable=F("contactable") + sum(1 for d in decisions if d["allowed"]),
            drafts=F("drafts") + written,
            segment_counts=counts,
        )
        ledger.forget_answers(job_id, list(analyses))  # stored now: never replayed
        chunk.committed = start + len(batch.pks)
        chunk.lease_expires_at = timezone.now() + leases.lease_duration()
        if chunk.committed >= chunk.size:
            done = {"committed": chunk.committed, "lease_expires_at": chunk.lease_expires_at, "lease_token": ""}
            apply_transition(chunk, AnalysisChunk.Status.DONE, finished_at=timezone.now(), **done)
        else:
            chunk.save(update_fields=["committed", "lease_expires_at"])
    return True


def _arm(batch: _Batch, pk: int, a: StoredAnalysis, verdict: PolicyVerdict) -> tuple[str, str]:
    """The customer's holdout arm and why ("", "" when not in the experiment).

    A held-out analysis (no draft was written) is the control group whatever the settings say now;
    anyone else the run queues is placed now: treated, or a needed service contact (excluded).
    """
    if a.held_out:
        return Arm.CONTROL, f"Held out: control group of holdout experiment {batch.experiment}."
    if batch.holdout is None or not _queueable(a, verdict):
        return "", ""
    return place(batch.holdout, batch.profiles[pk], a.draft.get("situation", ""))


def _not_queued_because(a: StoredAnalysis, verdict: PolicyVerdict | None, held_out: bool = False) -> str:
    """Why this analysis put no draft in the queue, in the words the dismissal note shows."""
    if held_out:
        return "held out: this customer is in the control group of the holdout experiment."
    if a.segment != Segment.VALUE_SEEKERS:
        return f"now segmented as {a.segment}, so no longer prioritised for contact."
    if verdict is not None and not verdict.may_draft:
        return "the contact policies no longer allow contact: " + "; ".join(r.reason for r in verdict.failed) + "."
    if verdict is not None and a.draft.get("kind") == "marketing" and not verdict.marketing_allowed:
        return "a marketing message is no longer allowed for this customer."
    return "the analyst no longer recommends contacting this customer."


def _queueable(a: StoredAnalysis, verdict: PolicyVerdict) -> bool:
    """A draft goes to the queue only if the analyst wants contact and the policies allow its kind."""
    if not (a.should_contact and a.draft and a.priority and a.risk_score and verdict.may_draft):
        return False
    return a.draft.get("kind") != "marketing" or verdict.marketing_allowed
