"""The customer page as supervisors see it: the datasets plus what the system made of them.

customers/ registers the plain dataset admin (it knows nothing of analyses or drafts); this
replaces it with the 360° view: capped, read-only inlines for the analyses, drafts and consent
changes, links to their full lists, and "re-analyse the selected customers".
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html

from customers.admin import CustomerAdmin
from customers.admin_base import ReadOnlyInline
from customers.models import Customer
from notifications.analysis.models import CustomerAnalysis
from notifications.contact_rules.models import ConsentChange
from notifications.queue.models import Notification
from notifications.supervision.services import approvals as supervision


class AnalysisInline(ReadOnlyInline):
    model = CustomerAnalysis
    verbose_name_plural = "analyses (AI output, read-only)"
    fields = [
        "created_at",
        "segment",
        "segment_confidence",
        "priority",
        "risk_score",
        "urgency",
        "should_contact",
        "no_contact_reason",
        "provider",
        "is_fallback",
        "fallback_reason",
    ]
    ordering = ["-created_at"]


class NotificationInline(ReadOnlyInline):
    model = Notification
    verbose_name_plural = "drafts and sent notifications (AI text read-only)"
    fields = ["created_at", "status", "priority", "channel", "kind", "subject", "body", "sent_at", "sent_by"]
    ordering = ["-created_at"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Notification]:
        return super().get_queryset(request).select_related("sent_by")


class ConsentChangeInline(ReadOnlyInline):
    """The delivery layer's append-only consent ledger for this customer."""

    model = ConsentChange
    verbose_name_plural = "consent changes"
    fields = ["occurred_at", "marketing_consent", "channel", "source", "recorded_by"]
    ordering = ["-occurred_at"]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("recorded_by")


class CustomerOverviewAdmin(CustomerAdmin):
    inlines = [*CustomerAdmin.inlines, AnalysisInline, NotificationInline, ConsentChangeInline]
    more_full_lists = (("analysis", "customeranalysis", "analyses"), ("queue", "notification", "drafts"))
    actions = ["reanalyse_selected"]

    @admin.action(description="Re-analyse the selected customers (starts a job)", permissions=["run_analysis"])
    def reanalyse_selected(self, request: HttpRequest, queryset: QuerySet[Customer]) -> None:
        pks = list(queryset.values_list("pk", flat=True))
        job, started = supervision.reanalyse(pks, user=request.user)
        url = reverse("admin:analysis_analysisjob_change", args=[job.pk])
        if started:
            self.message_user(
                request, format_html('Started <a href="{}">job {}</a> for {} customer(s).', url, job.pk, len(pks))
            )
        else:
            self.message_user(
                request,
                format_html(
                    'A re-analysis is already running (<a href="{}">job {}</a>); try again when it has finished.',
                    url,
                    job.pk,
                ),
                messages.WARNING,
            )

    def has_run_analysis_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("queue.run_analysis")


admin.site.unregister(Customer)
admin.site.register(Customer, CustomerOverviewAdmin)
