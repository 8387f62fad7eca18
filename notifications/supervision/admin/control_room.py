"""Admin for the control room's own records (the site itself: notifications/supervision/admin_site.py)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.html import format_html

from customers.admin_base import ReadOnlyAdmin
from customers.models import ImportRun
from notifications.analysis.analysts.bedrock.preflight import report_lines, run_preflight
from notifications.analysis.models import ProviderSettings
from notifications.analysis.selectors.budget import bedrock_spend_this_month, monthly_budget_gbp
from notifications.queue.models import Approval, ApprovalPolicy
from notifications.staff.models import AuditEvent
from notifications.staff.services import record_staff_action
from notifications.supervision.admin.base import SafeExportMixin
from notifications.supervision.admin.labels import ObjectTypeFilter
from notifications.supervision.resources import AuditEventResource

ROLE_HELP = "Agents work the queue; Supervisors and Admins also open this admin (staff status follows)."


class RoleUserAdmin(UserAdmin):
    """Users: staff status follows the role groups (notifications/staff/signals.py), so it is shown, not edited."""

    readonly_fields = [*UserAdmin.readonly_fields, "is_staff"]

    def get_form(self, request: HttpRequest, obj=None, change: bool = False, **kwargs):  # noqa: ANN001, ANN201
        form = super().get_form(request, obj, change=change, **kwargs)
        if "groups" in form.base_fields:
            form.base_fields["groups"].help_text = ROLE_HELP
        return form


admin.site.unregister(get_user_model())
admin.site.register(get_user_model(), RoleUserAdmin)


@admin.register(AuditEvent)
class AuditEventAdmin(SafeExportMixin, ReadOnlyAdmin):
    """The append-only trail: searchable, filterable, exportable; never editable."""

    list_display = ["created_at", "actor_name", "action", "summary", "object_link", "customer_ref"]
    list_filter = ["action", ("object_type", ObjectTypeFilter)]
    search_fields = ["summary", "customer_ref", "actor_name", "object_repr", "diff", "=object_id"]
    date_hierarchy = "created_at"
    ordering = ["-created_at", "-id"]
    list_select_related = False  # the list shows actor_name (kept on the row), never the user: no join
    resource_classes = [AuditEventResource]
    fields = [
        "created_at",
        "actor",
        "actor_name",
        "action",
        "object_type",
        "object_id",
        "object_repr",
        "customer_ref",
        "summary",
        "formatted_diff",
        "detail",
    ]
    readonly_fields = fields

    def lookup_allowed(self, lookup: str, value: str, request: HttpRequest | None = None) -> bool:
        # Links from a draft or a policy filter the trail by the object they are about.
        return lookup in ("object_type", "object_id", "customer_ref") or super().lookup_allowed(lookup, value, request)

    @admin.display(description="object")
    def object_link(self, event: AuditEvent) -> str:
        if not event.object_type or not event.object_id:
            return event.object_repr
        app_label, model = event.object_type.split(".")
        try:
            url = reverse(f"admin:{app_label}_{model}_change", args=[event.object_id])
        except Exception:  # noqa: BLE001 - a model with no admin page: show the text
            return event.object_repr
        return format_html('<a href="{}">{}</a>', url, event.object_repr or event.object_id)

    @admin.display(description="diff")
    def formatted_diff(self, event: AuditEvent) -> str:
        return format_html("<pre>{}</pre>", event.diff) if event.diff else "-"


@admin.register(Approval)
class ApprovalAdmin(ReadOnlyAdmin):
    list_display = ["notification", "version", "approved_by", "approved_at"]
    search_fields = ["notification__customer__customer_id", "approved_by__username"]
    date_hierarchy = "approved_at"
    ordering = ["-approved_at"]
    list_select_related = ["notification__customer", "approved_by"]
    raw_id_fields = ["notification"]


@admin.register(ImportRun)
class ImportRunAdmin(ReadOnlyAdmin):
    list_display = [
        "id",
        "status",
        "created_by",
        "file_names",
        "rows_read",
        "error_count",
        "warning_count",
        "as_of",
        "created_at",
        "finished_at",
        "progress_link",
    ]
    list_filter = ["status"]
    search_fields = ["=id", "created_by__username", "errors"]
    date_hierarchy = "created_at"
    ordering = ["-created_at"]
    list_select_related = ["created_by"]

    @admin.display(description="files")
    def file_names(self, run: ImportRun) -> str:
        return ", ".join((run.files or {}).values())

    @admin.display(description="progress")
    def progress_link(self, run: ImportRun) -> str:
        return format_html('<a href="{}">open</a>', reverse("control:import_progress", args=[run.pk]))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # uploads go through the "import all five" page

    def add_view(self, request: HttpRequest, form_url: str = "", extra_context: dict | None = None):  # noqa: ANN201
        return HttpResponseRedirect(reverse("control:import_all"))


class SingletonAdmin(admin.ModelAdmin):
    """One row (notifications.common.models.SingletonModel): the list is that row, a change is audited and
    stamped with who made it (for a model with `updated_by`).

    The first visit by someone who may add it opens the add form (the row's defaults); it is never deleted.
    """

    audit_action = ""
    audited_fields: tuple[str, ...] = ()

    def has_add_permission(self, request: HttpRequest) -> bool:
        return super().has_add_permission(request) and not self.model.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return False

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None):  # noqa: ANN201
        opts = self.model._meta
        if self.model.objects.exists():
            return HttpResponseRedirect(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[1]))
        if self.has_add_permission(request):
            return HttpResponseRedirect(reverse(f"admin:{opts.app_label}_{opts.model_name}_add"))
        return super().changelist_view(request, extra_context)

    def save_model(self, request: HttpRequest, obj: models.Model, form, change: bool) -> None:  # noqa: ANN001
        if any(f.name == "updated_by" for f in self.model._meta.concrete_fields):
            obj.updated_by = request.user
        before = self.model.objects.filter(pk=1).values(*self.audited_fields).first()
        super().save_model(request, obj, form, change)
        after = {name: getattr(obj, name) for name in self.audited_fields}
        changed = sorted(k for k in after if (before or {}).get(k) != after[k])
        if changed:
            record_staff_action(
                request.user,
                self.audit_action,
                obj,
                {"before": before, "after": after},
                summary=self.audit_summary(obj, after, changed),
            )

    def audit_summary(self, obj: models.Model, after: dict, changed: list[str]) -> str:
        raise NotImplementedError


@admin.register(ProviderSettings)
class ProviderSettingsAdmin(SingletonAdmin):
    """The provider, the bulk model and the monthly budget (admins only may change it)."""

    fields = ["provider", "bulk_model_id", "monthly_budget_gbp", "spend_this_month", "updated_at", "updated_by"]
    readonly_fields = ["spend_this_month", "updated_at", "updated_by"]
    list_display = ["__str__", "provider", "bulk_model_id", "monthly_budget_gbp", "updated_at", "updated_by"]
    audit_action = "settings_changed"
    audited_fields = ("provider", "bulk_model_id", "monthly_budget_gbp")

    @admin.display(description="Bedrock spend this month")
    def spend_this_month(self, obj: ProviderSettings) -> str:
        budget = monthly_budget_gbp()
        limit = f"£{budget:,.2f}" if budget is not None else "no limit"
        return f"£{bedrock_spend_this_month():,.4f} of {limit}"

    def audit_summary(self, obj: ProviderSettings, after: dict, changed: list[str]) -> str:
        return f"Provider settings: {', '.join(f'{k}={after[k]}' for k in changed)}"

    # --- "Check connection": the check_bedrock pre-flight, from this page ------------------------------
    change_form_template = "admin/analysis/providersettings/change_form.html"

    def get_urls(self) -> list:
        check = path("check-connection/", self.admin_site.admin_view(self.check_connection),
                     name="analysis_providersettings_check")  # fmt: skip
        return [check, *super().get_urls()]

    def check_connection(self, request: HttpRequest) -> HttpResponse:
        """Credentials, region, each configured model's lifecycle and one small call each (as check_bedrock)."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_change_permission(request):
            raise PermissionDenied
        report = run_preflight()
        for line in report_lines(report):
            messages.info(request, line)
        if report.ok:
            messages.success(request, "Bedrock is ready.")
        else:
            messages.error(request, report.sentence)
        return HttpResponseRedirect(reverse("admin:analysis_providersettings_changelist"))


@admin.register(ApprovalPolicy)
class ApprovalPolicyAdmin(SingletonAdmin):
    """Which drafts need a supervisor's approval before sending (supervisors may change it)."""

    fields = ["high_priority", "marketing", "updated_at"]
    readonly_fields = ["updated_at"]
    list_display = ["__str__", "high_priority", "marketing", "updated_at"]
    audit_action = "policy_changed"
    audited_fields = ("high_priority", "marketing")

    def audit_summary(self, obj: ApprovalPolicy, after: dict, changed: list[str]) -> str:
        return f"Approval needed for: High priority={obj.high_priority}, marketing={obj.marketing}"
