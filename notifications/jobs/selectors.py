"""Reading analysis jobs (the UI and the commands poll these)."""

from __future__ import annotations

from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from notifications.analysis.models import AICall, AnalysisJob


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
        "created_at": job.created_at.isoformat() if job.created_at else None,
        "started_at": job.started_at.isoformat() if job.started_at else None,
        "finished_at": job.finished_at.isoformat() if job.finished_at else None,
    }
