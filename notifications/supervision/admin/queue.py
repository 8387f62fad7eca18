"""Queue items (drafts): read-only AI text, supervisor actions, the audit trail beside each draft.

Every item is view-only here (no Save button, a POST is refused): text is changed in the workspace, where
the claim, the version check and the send rules apply, and a sent item is evidence. Supervisors act on
drafts through the admin actions below, which call the same services as the workspace.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.html import format_html

from customers.admin_base import ReadOnlyAdmin
from notifications.queue.models import Notification
from notifications.supervision.admin.base import (
    SafeExportMixin,
    audit_trail_rows,
    audit_trail_url,
    lifecycle_rows,
    lifecycle_url,
    local_datetime,
)
from notifications.supervision.resources import safe_resource
from notifications.supervision.services import approvals as supervision


def _queue_workers():  # noqa: ANN202

    perm = Q(groups__permissions__codename="work_queue") | Q(user_permissions__codename="work_queue")
    return get_user_model().objects.filter(perm, is_active=True).distinct().order_by("username")


class ReassignForm(forms.Form):
    to = forms.ModelChoiceField(queryset=None, label="Reassign to")

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to"].queryset = _queue_workers()


class DismissForm(forms.Form):
    reason = forms.ChoiceField(choices=Notification.AGENT_DISMISS_REASONS)
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))


def _report(modeladmin: admin.ModelAdmin, request: HttpRequest, verb: str, outcome: supervision.BulkOutcome) -> None:
    modeladmin.message_user(request, f"{verb} {outcome.done} draft(s).", messages.SUCCESS)
    if outcome.refused:
        shown = "; ".join(outcome.refused[:10]) + (" …" if len(outcome.refused) > 10 else "")
        modeladmin.message_user(request, f"Not {verb.lower()} ({len(outcome.refused)}): {shown}", messages.WARNING)


def _trail(rows: str, url: str, link: str) -> str:
    """A trail's newest rows as a table, and a link to all of them."""
    if not rows:
        return "No events yet."
    return format_html('<table>{}</table><p><a href="{}">{}</a></p>', rows, url, link)


@admin.register(Notification)
class NotificationAdmin(SafeExportMixin, ReadOnlyAdmin):
    # What a supervisor scans for, in a 1366 px window beside the filters; the rest is on the item's page
    # (and in the export): created (the date filter above the list), fallback and sent by.
    list_display = [
        "customer",
        "priority_badge",
        "risk",
        "urgency",
        "channel",
        "kind",
        "status",
        "approved",
        "claimed_by",
        "sent_at",
        "edited",
    ]
    list_filter = ["status", "priority", "urgency", "channel", "kind", "is_fallback", "situation"]
    search_fields = ["customer__customer_id", "customer__name", "subject", "body"]
    date_hierarchy = "created_at"
    ordering = ["priority_rank", "-risk_score", "-churn_risk"]
    list_select_related = ["customer", "claimed_by", "approval"]
    # computed; the model's fields are view-only anyway
    readonly_fields = ["approval_summary", "lifecycle", "audit_trail"]
    fieldsets = [
        (None, {"fields": ["customer", "status", "priority", "risk_score", "urgency", "churn_risk", "is_fallback"]}),
        (
            "Message",
            {"fields": ["channel", "kind", "situation", "subject", "body", "version", "edited_by", "edited_at"]},
        ),
        ("The analyst's original", {"fields": ["original_subject", "original_body"], "classes": ["collapse"]}),
        (
            "Workflow",
            {
                "fields": [
                    "approval_summary",
                    "claimed_by",
                    "claimed_at",
                    "held_until",
                    "snoozed_until",
                    "sent_at",
                    "sent_by",
                    "dismiss_reason",
                    "dismiss_note",
                    "dismissed_by",
                    "dismissed_at",
                ]
            },
        ),
        # The two trails, named apart: what happened to the message, and what people did.
        ("Lifecycle", {"fields": ["lifecycle"]}),
        ("Audit trail", {"fields": ["audit_trail"]}),
        ("Links", {"fields": ["analysis", "job", "created_at", "updated_at"], "classes": ["collapse"]}),
    ]
    actions = ["approve_selected", "dismiss_selected", "release_claims", "reassign_selected"]
    resource_classes = [
        safe_resource(
            Notification,
            (
                "id",
                "customer__customer_id",
                "customer__name",
                "status",
                "priority",
                "risk_score",
                "urgency",
                "churn_risk",
                "channel",
                "kind",
                "situation",
                "is_fallback",
                "original_subject",
                "original_body",
                "subject",
                "body",
                "version",
                "edited_by__username",
                "edited_at",
                "claimed_by__username",
                "sent_at",
                "sent_by__username",
                "dismiss_reason",
                "dismiss_note",
                "created_at",
            ),
        )
    ]

    @admin.display(description="priority", ordering="priority_rank")
    def priority_badge(self, obj: Notification) -> str:
        return format_html('<span class="priority priority-{}">{}</span>', obj.priority.lower(), obj.priority)

    @admin.display(description="risk", ordering="risk_score")
    def risk(self, obj: Notification) -> int:
        return obj.risk_score

    @admin.display(boolean=True, description="edited")
    def edited(self, obj: Notification) -> bool:
        return obj.is_edited

    @admin.display(boolean=True, description="approved")
    def approved(self, obj: Notification) -> bool:
        return supervision.is_approved(obj)

    @admin.display(description="approval")
    def approval_summary(self, obj: Notification) -> str:
        approval = getattr(obj, "approval", None)
        if approval is None:
            return "Not approved"
        who = approval.approved_by.get_username() if approval.approved_by else "someone"
        stale = "" if approval.version == obj.version else " (edited since: needs a new approval)"
        return f"Version {approval.version} approved by {who} at {local_datetime(approval.approved_at)}{stale}"

    @admin.display(description="what happened to the message")
    def lifecycle(self, obj: Notification) -> str:
        return _trail(lifecycle_rows(obj, limit=50), lifecycle_url(obj), "All lifecycle events for this message")

    @admin.display(description="events")
    def audit_trail(self, obj: Notification) -> str:
        return _trail(audit_trail_rows(obj, limit=50), audit_trail_url(obj), "All events for this draft")

    # --- actions -----------------------------------------------------------------------------

    @admin.action(description="Approve the selected drafts for sending", permissions=["approve"])
    def approve_selected(self, request: HttpRequest, queryset: QuerySet[Notification]) -> None:
        _report(self, request, "Approved", supervision.approve(queryset.select_related("customer"), user=request.user))

    @admin.action(description="Dismiss the selected drafts…", permissions=["dismiss"])
    def dismiss_selected(self, request: HttpRequest, queryset: QuerySet[Notification]) -> HttpResponse | None:
        form = DismissForm(request.POST if "apply" in request.POST else None)
        if "apply" in request.POST and form.is_valid():
            outcome = supervision.dismiss(
                queryset.select_related("customer"),
                user=request.user,
                reason=form.cleaned_data["reason"],
                note=form.cleaned_data["note"],
            )
            _report(self, request, "Dismissed", outcome)
            return None
        return self._confirmation(request, queryset, form, action="dismiss_selected", verb="Dismiss")

    @admin.action(description="Reassign the selected drafts to an agent…", permissions=["release"])
    def reassign_selected(self, request: HttpRequest, queryset: QuerySet[Notification]) -> HttpResponse | None:
        form = ReassignForm(request.POST if "apply" in request.POST else None)
        if "apply" in request.POST and form.is_valid():
            outcome = supervision.reassign(
                queryset.select_related("customer", "claimed_by"), user=request.user, to=form.cleaned_data["to"]
            )
            _report(self, request, "Reassigned", outcome)
            return None
        return self._confirmation(request, queryset, form, action="reassign_selected", verb="Reassign")

    def _confirmation(
        self, request: HttpRequest, queryset: QuerySet[Notification], form: forms.Form, *, action: str, verb: str
    ) -> HttpResponse:
        """The page a bulk action with a form shows first: the drafts, the form, and the selection carried on."""
        context = {
            **self.admin_site.each_context(request),
            "title": f"{verb} drafts",
            "form": form,
            "queryset": queryset.select_related("customer"),
            "opts": self.opts,
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
            "action": action,
            "verb": verb,
        }
        return render(request, "admin/queue/notification/bulk_action.html", context)

    @admin.action(description="Release the claims on the selected drafts", permissions=["release"])
    def release_claims(self, request: HttpRequest, queryset: QuerySet[Notification]) -> None:
        outcome = supervision.release(queryset.select_related("customer", "claimed_by"), user=request.user)
        _report(self, request, "Released", outcome)

    def has_approve_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("queue.approve_notification")

    def has_dismiss_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("queue.change_notification")

    def has_release_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("queue.release_claim")
