"""Reading analysis jobs (the UI and the commands poll these)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Max, Min, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from notifications.analysis.models import AICall, AnalysisChunk, AnalysisJob

# A queued job, or a gap between chunks, shorter than this is not "waiting": a free worker takes
# the next chunk within a second.
WAITING_GRACE = dt.timedelta(seconds=10)


def with_bedrock_reach(jobs: QuerySet[AnalysisJob]) -> QuerySet[AnalysisJob]:
    """Annotate `bedrock_customers`: how many of the job's customers needed a Bedrock call (one correlated
    count per job row returned; AICall is indexed by job)."""
    calls = AICall.objects.filter(job=OuterRef("pk"), provider="bedrock").order_by().values("job")
    reach = calls.annotate(n=Count("customer", distinct=True)).values("n")[:1]
    return jobs.annotate(bedrock_customers=Coalesce(Subquery(reach), 0))


def job_for_panel(pk: int) -> AnalysisJob | None:
    return with_bedrock_reach(AnalysisJob.objects.filter(pk=pk)).first()


def latest_job(kind: str | None = None) -> AnalysisJob | None:
    """The newest job, of one kind or of any kind."""
    jobs = with_bedrock_reach(AnalysisJob.objects.select_related("created_by")).order_by("-created_at", "-pk")
    if kind is not None:
        jobs = jobs.filter(kind=kind)
    return jobs.first()


def active_job(kind: str = AnalysisJob.Kind.FULL) -> AnalysisJob | None:
    """The queued or running job of this kind, if any (at most one: a database constraint)."""
    return (
        AnalysisJob.objects.select_related("created_by")
        .filter(kind=kind, status__in=AnalysisJob.ACTIVE_STATUSES)
        .order_by("-created_at")
        .first()
    )


def job_summary(job: AnalysisJob) -> dict:
    """The figures the command and the UI show at the end of a run (JSON-serialisable)."""
    return {
        "id": job.pk,
        "kind": job.kind,
        "provider": job.provider,
        "status": job.status,
        "force": job.force,
        "total": job.total,
        "done": job.done,
        "failed": job.failed,
        "skipped": job.skipped,
        "fallbacks": job.fallbacks,
        "segments": dict(sorted((job.segment_counts or {}).items())),
        "value_seekers": job.value_seekers,
        "contactable": job.contactable,
        "drafts": job.drafts,
        # Customers that needed Bedrock (AI only where the rules are unsure); 0 for an offline job.
        "bedrock_customers": job_for_panel(job.pk).bedrock_customers,
        "input_tokens": job.input_tokens,
        "output_tokens": job.output_tokens,
        "cache_read_tokens": job.cache_read_tokens,
        "cost_gbp": f"{job.cost_gbp:.6f}",
        "error": job.error,
        "health": job_health(job).as_dict(),
        "created_at": job.created_at.isoformat() if job.created_at else None,
        "started_at": job.started_at.isoformat() if job.started_at else None,
        "finished_at": job.finished_at.isoformat() if job.finished_at else None,
    }


@dataclass(frozen=True)
class JobHealth:
    """Whether an active job is moving, in words for the job panel and `run_analysis --wait`."""

    state: str  # running | waiting | stalled | recovering | retrying | finished
    message: str = ""
    since: dt.datetime | None = None

    TITLES = {
        "waiting": "Analysis waiting for a worker",
        "stalled": "Analysis stalled",
        "recovering": "Analysis recovering",
        "retrying": "Analysis retrying",
    }

    @property
    def title(self) -> str:
        return self.TITLES.get(self.state, "Analysis running")

    @property
    def stuck(self) -> bool:
        return self.state in ("waiting", "stalled", "recovering")

    def as_dict(self) -> dict:
        return {"state": self.state, "message": self.message, "since": self.since.isoformat() if self.since else None}


def _hhmm(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%H:%M")


def _chunks(n: int) -> str:
    return f"{n:,} chunk" + ("" if n == 1 else "s")


def job_health(job: AnalysisJob, *, now: dt.datetime | None = None) -> JobHealth:
    """Read from the job's chunks and their leases (one query), in order of urgency:

    stalled     a worker stopped renewing its lease; the recovery task re-queues its chunks;
    recovering  chunks taken back from a lost worker and not finished yet;
    waiting     chunks are pending and no worker holds any, for longer than WAITING_GRACE;
    retrying    chunks handed back after a temporary failure (Bedrock throttling) wait out the backoff.
    """
    if job.is_finished:
        return JobHealth("finished")
    now = now or timezone.now()
    running, pending = AnalysisChunk.Status.RUNNING, AnalysisChunk.Status.PENDING
    lapsed = Q(status=running, lease_expires_at__lt=now)
    facts = AnalysisChunk.objects.filter(job_id=job.pk).aggregate(
        live=Count("pk", filter=Q(status=running) & ~lapsed),
        lapsed=Count("pk", filter=lapsed),
        lapsed_at=Min("lease_expires_at", filter=lapsed),
        recovering=Count("pk", filter=Q(lost_at__isnull=False) & ~Q(status__in=AnalysisChunk.FINISHED_STATUSES)),
        retrying=Count("pk", filter=Q(status=pending, lease_expires_at__gte=now)),
        pending=Count("pk", filter=Q(status=pending)),
        last_finished=Max("finished_at"),
        last_lost=Max("lost_at"),
    )
    if facts["lapsed"]:
        silent_since = facts["lapsed_at"] - dt.timedelta(seconds=settings.ANALYSIS_LEASE_SECONDS)
        n = facts["lapsed"]
        return JobHealth(
            "stalled",
            f"{_chunks(n)} lost {'its' if n == 1 else 'their'} worker (no heartbeat since {_hhmm(silent_since)}); "
            "re-queued at the next recovery check",
            silent_since,
        )
    waiting = facts["live"] == 0 and facts["pending"] > facts["retrying"]
    idle_since = max(m for m in (job.started_at, job.created_at, facts["last_finished"], facts["last_lost"]) if m)
    if facts["recovering"]:
        message = f"Recovering {_chunks(facts['recovering'])} from a lost worker"
        if waiting:
            message += f"; waiting for a worker since {_hhmm(idle_since)}"
        return JobHealth("recovering", message, facts["last_lost"])
    if waiting and now - idle_since >= WAITING_GRACE:
        return JobHealth("waiting", f"Waiting for a worker since {_hhmm(idle_since)}", idle_since)
    if facts["retrying"] and not facts["live"]:
        return JobHealth("retrying", f"Retrying {_chunks(facts['retrying'])} after a temporary failure")
    return JobHealth("running")
