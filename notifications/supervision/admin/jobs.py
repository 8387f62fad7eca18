"""Jobs, analyses, contact decisions and AI calls: read-only evidence, with the budget in view."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from customers.admin_base import NoWritesMixin, ReadOnlyAdmin
from notifications.analysis.models import AICall, AnalysisChunk, AnalysisJob, ContactDecision, CustomerAnalysis
from notifications.analysis.selectors.budget import bedrock_budget_exhausted
from notifications.jobs.services import cancel_job
from notifications.supervision.admin.base import SafeExportMixin
from notifications.supervision.resources import safe_resource


class BudgetBannerMixin:
    """Supervisors see why Bedrock results are fallbacks: the changelist warns while the budget is spent."""

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        exhausted, reason = bedrock_budget_exhausted()
        if exhausted:
            messages.warning(
                request, f"{reason}: new Bedrock calls are answered by the offline rules (marked fallback)."
            )
        return super().changelist_view(request, extra_context)


class ChunkInline(NoWritesMixin, admin.TabularInline):
    model = AnalysisChunk
    fields = ["index", "size", "committed", "status", "attempts", "error", "started_at", "finished_at"]
    readonly_fields = fields
    extra = max_num = 0
    can_delete = False


@admin.register(AnalysisJob)
class AnalysisJobAdmin(BudgetBannerMixin, SafeExportMixin, ReadOnlyAdmin):
    list_display = [
        "id",
        "kind",
        "provider",
        "status",
        "progress",
        "value_seekers",
        "drafts",
        "skipped",
        "fallbacks",
        "cost_gbp",
        "usage_link",
        "created_by",
        "created_at",
        "finished_at",
    ]
    list_filter = ["status", "kind", "provider", "force"]
    search_fields = ["=id", "error", "created_by__username"]
    date_hierarchy = "created_at"
    ordering = ["-created_at"]
    list_select_related = ["created_by"]
    inlines = [ChunkInline]
    readonly_fields = ["fallback_reasons"]
    resource_classes = [
        safe_resource(
            AnalysisJob,
            (
                "id",
                "kind",
                "provider",
                "model_id",
                "status",
                "total",
                "done",
                "failed",
                "skipped",
                "fallbacks",
                "value_seekers",
                "contactable",
                "drafts",
                "input_tokens",
                "output_tokens",
                "cache_read_tokens",
                "cost_gbp",
                "error",
                "created_by__username",
                "created_at",
                "started_at",
                "finished_at",
            ),
        )
    ]

    @admin.display(description="progress")
    def progress(self, job: AnalysisJob) -> str:
        return f"{job.processed}/{job.total} ({job.percent}%)"

    @admin.display(description="why fallbacks")
    def fallback_reasons(self, job: AnalysisJob) -> str:
        """The distinct reasons the offline rules stood in (budget spent, throttling, invalid answers)."""
        rows = (
            CustomerAnalysis.objects.filter(job=job, is_fallback=True)
            .values("fallback_reason")
            .annotate(n=Count("id"))
            .order_by("-n")[:10]
        )
        if not rows:
            return "No fallbacks."
        return format_html_join(
            "", "<p>{} × {}</p>", ((r["n"], r["fallback_reason"] or "(no reason given)") for r in rows)
        )

    @admin.display(description="AI usage")
    def usage_link(self, job: AnalysisJob) -> str:
        return format_html('<a href="{}?job={}">usage</a>', reverse("control:usage"), job.pk)

    actions = ["cancel_selected"]

    @admin.action(description="Cancel the selected queued or running jobs", permissions=["run_analysis"])
    def cancel_selected(self, request: HttpRequest, queryset: QuerySet[AnalysisJob]) -> None:

        cancelled = [job.pk for job in queryset.filter(status__in=AnalysisJob.ACTIVE_STATUSES) if cancel_job(job)]
        self.message_user(request, f"Cancelled {len(cancelled)} job(s).")

    def has_run_analysis_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("queue.run_analysis")


@admin.register(CustomerAnalysis)
class CustomerAnalysisAdmin(SafeExportMixin, ReadOnlyAdmin):
    list_display = [
        "customer",
        "segment",
        "segment_confidence",
        "priority",
        "risk_score",
        "urgency",
        "should_contact",
        "provider",
        "is_fallback",
        "fallback_reason_short",
        "job",
        "created_at",
    ]
    list_filter = ["segment", "priority", "urgency", "provider", "is_fallback", "should_contact", "held_out"]
    search_fields = ["customer__customer_id", "customer__name", "fallback_reason", "no_contact_reason"]
    date_hierarchy = "created_at"
    ordering = ["-created_at"]
    list_select_related = ["customer", "job"]
    raw_id_fields = ["customer", "job"]
    resource_classes = [
        safe_resource(
            CustomerAnalysis,
            (
                "id",
                "customer__customer_id",
                "job",
                "provider",
                "model_id",
                "segment",
                "segment_confidence",
                "priority",
                "risk_score",
                "urgency",
                "should_contact",
                "no_contact_reason",
                "is_fallback",
                "fallback_reason",
                "created_at",
            ),
        )
    ]

    @admin.display(description="fallback reason")
    def fallback_reason_short(self, obj: CustomerAnalysis) -> str:
        return obj.fallback_reason[:80]


@admin.register(ContactDecision)
class ContactDecisionAdmin(SafeExportMixin, ReadOnlyAdmin):
    list_display = [
        "customer", "allowed", "marketing_allowed", "held_until", "failed_policies", "arm", "job", "decided_at",
    ]  # fmt: skip
    list_filter = ["allowed", "marketing_allowed", "arm", "experiment"]
    search_fields = ["customer__customer_id", "customer__name"]
    date_hierarchy = "decided_at"
    ordering = ["-decided_at"]
    list_select_related = ["customer", "job"]
    raw_id_fields = ["customer", "job"]
    resource_classes = [
        safe_resource(
            ContactDecision,
            (
                "id",
                "customer__customer_id",
                "job",
                "allowed",
                "marketing_allowed",
                "held_until",
                "results",
                "decided_at",
                "experiment",
                "arm",
                "holdout_note",
            ),
        )
    ]

    @admin.display(description="failed policies")
    def failed_policies(self, obj: ContactDecision) -> str:
        return "; ".join(r.get("reason", "") for r in obj.results or [] if not r.get("passed"))[:160]


@admin.register(AICall)
class AICallAdmin(BudgetBannerMixin, SafeExportMixin, ReadOnlyAdmin):
    list_display = [
        "created_at",
        "provider",
        "model_id",
        "operation",
        "input_tokens",
        "output_tokens",
        "cache_read_tokens",
        "cache_write_tokens",
        "latency_ms",
        "outcome",
        "cost_gbp",
        "job",
        "customer",
    ]
    list_filter = ["provider", "model_id", "operation", "outcome"]
    search_fields = ["=job__id", "customer__customer_id", "model_id"]
    date_hierarchy = "created_at"
    ordering = ["-created_at"]
    list_select_related = ["job", "customer"]
    raw_id_fields = ["job", "customer"]
    resource_classes = [
        safe_resource(
            AICall,
            (
                "id",
                "created_at",
                "provider",
                "model_id",
                "operation",
                "job",
                "customer__customer_id",
                "input_tokens",
                "output_tokens",
                "cache_read_tokens",
                "cache_write_tokens",
                "latency_ms",
                "outcome",
                "cost_gbp",
            ),
        )
    ]


@admin.register(AnalysisChunk)
class AnalysisChunkAdmin(ReadOnlyAdmin):
    list_display = ["job", "index", "size", "committed", "status", "attempts", "started_at", "finished_at"]
    list_filter = ["status"]
    search_fields = ["=job__id", "error"]
    ordering = ["-job_id", "index"]
    list_select_related = ["job"]
    raw_id_fields = ["job"]
    exclude = ["customer_pks"]  # up to hundreds of ids: not worth a page
