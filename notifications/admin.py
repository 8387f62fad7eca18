"""The supervisors' control room: analyses, queue items, jobs, policies and AI cost.

AI output is evidence, so it is read-only here; supervisors change what the
workspace lets them change (status, claims) through admin actions, not by
editing the analyst's words.
"""

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html

from .models import AICall, AnalysisJob, ContactDecision, ContactPolicy, CustomerAnalysis, Notification


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records written by the system: viewable and searchable, never edited by hand."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return request.user.is_superuser


@admin.register(AnalysisJob)
class AnalysisJobAdmin(ReadOnlyAdmin):
    list_display = [
        "id", "kind", "provider", "status", "progress", "value_seekers", "drafts", "skipped", "fallbacks",
        "cost_gbp", "created_by", "created_at", "finished_at",
    ]
    list_filter = ["status", "kind", "provider"]
    date_hierarchy = "created_at"
    ordering = ["-created_at"]
    list_select_related = ["created_by"]

    @admin.display(description="progress")
    def progress(self, job: AnalysisJob) -> str:
        return f"{job.processed}/{job.total} ({job.percent}%)"


@admin.register(CustomerAnalysis)
class CustomerAnalysisAdmin(ReadOnlyAdmin):
    list_display = [
        "customer", "segment", "segment_confidence", "priority", "risk_score", "urgency", "should_contact",
        "provider", "is_fallback", "created_at",
    ]
    list_filter = ["segment", "priority", "urgency", "provider", "is_fallback", "should_contact"]
    search_fields = ["customer__customer_id", "customer__name"]
    date_hierarchy = "created_at"
    list_select_related = ["customer"]
    raw_id_fields = ["customer", "job"]


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = [
        "customer", "priority_badge", "risk_score", "channel", "kind", "status", "edited", "claimed_by",
        "is_fallback", "created_at", "sent_at",
    ]
    list_filter = ["status", "priority", "urgency", "channel", "kind", "is_fallback"]
    search_fields = ["customer__customer_id", "customer__name", "body"]
    date_hierarchy = "created_at"
    ordering = ["priority_rank", "-risk_score", "-churn_risk"]
    list_select_related = ["customer", "claimed_by"]
    raw_id_fields = ["customer", "analysis", "job"]
    readonly_fields = [
        "customer", "analysis", "job", "priority", "priority_rank", "risk_score", "urgency", "churn_risk",
        "is_fallback", "channel", "kind", "situation", "original_subject", "original_body", "subject", "body",
        "version", "edited_by", "edited_at", "sent_at", "sent_by", "created_at", "updated_at",
    ]
    actions = ["release_claims"]

    @admin.display(description="priority", ordering="priority_rank")
    def priority_badge(self, obj: Notification) -> str:
        return format_html('<span class="priority priority-{}">{}</span>', obj.priority.lower(), obj.priority)

    @admin.display(boolean=True, description="edited")
    def edited(self, obj: Notification) -> bool:
        return obj.is_edited

    @admin.action(description="Release the claims on the selected drafts", permissions=["release"])
    def release_claims(self, request: HttpRequest, queryset: QuerySet[Notification]) -> None:
        released = queryset.filter(claimed_by__isnull=False).update(claimed_by=None, claimed_at=None)
        self.message_user(request, f"Released {released} claim(s).")

    def has_release_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("notifications.release_claim")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(ContactPolicy)
class ContactPolicyAdmin(admin.ModelAdmin):
    list_display = ["rule", "enabled", "parameters", "updated_at"]
    list_editable = ["enabled"]


@admin.register(ContactDecision)
class ContactDecisionAdmin(ReadOnlyAdmin):
    list_display = ["customer", "allowed", "marketing_allowed", "held_until", "job", "decided_at"]
    list_filter = ["allowed", "marketing_allowed"]
    search_fields = ["customer__customer_id", "customer__name"]
    date_hierarchy = "decided_at"
    list_select_related = ["customer", "job"]
    raw_id_fields = ["customer", "job"]


@admin.register(AICall)
class AICallAdmin(ReadOnlyAdmin):
    list_display = [
        "created_at", "provider", "model_id", "operation", "input_tokens", "output_tokens", "cache_read_tokens",
        "latency_ms", "outcome", "cost_gbp", "job",
    ]
    list_filter = ["provider", "model_id", "operation", "outcome"]
    date_hierarchy = "created_at"
    list_select_related = ["job"]
