"""Admin for the five datasets, with CSV upload (dry-run preview, then confirm) and export.

The customer page is the 360° view: capped, read-only inlines for the four
other datasets and for the analyses and drafts the system made. Supervisors
can select customers and start a re-analysis; only admins import or edit data
(django-import-export's import permission is "add", see settings).
"""

from django.contrib import admin, messages
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html_join
from import_export.admin import ImportExportActionModelAdmin
from import_export.formats import base_formats

from customers import models
from customers.admin_base import ReadOnlyInline, SelectedRowsExportMixin
from customers.forms import ConfirmUploadForm, UploadForm
from customers.importing.reader import FileProblem
from customers.importing.results import RowError
from customers.importing.runs import record_run
from customers.resources import RESOURCES, upload_format, upload_outcome
from customers.signals import dataset_imported

WARNINGS_SHOWN = 50


class DatasetAdmin(SelectedRowsExportMixin, ImportExportActionModelAdmin):
    export_formats = [base_formats.CSV, base_formats.XLSX]
    import_form_class = UploadForm
    confirm_form_class = ConfirmUploadForm
    readonly_fields = ("source_hash",)
    list_per_page = 50
    show_full_result_count = False  # COUNT(*) on a million-row table on every page

    def get_import_formats(self) -> list:
        # The supplier contract is CSV, read by the importer's own reader.
        return [upload_format(RESOURCES[self.model].spec)]

    def add_data_read_fail_error_to_form(self, form, e):  # noqa: ANN001, ANN201 - library signature
        if isinstance(e, FileProblem):
            name = getattr(form.cleaned_data.get("import_file"), "name", "") or "upload"
            form.add_error("import_file", str(RowError(name, e.line, e.column, e.value, e.reason)))
        else:
            super().add_data_read_fail_error_to_form(form, e)

    def import_action(self, request, **kwargs):  # noqa: ANN001, ANN201 - library signature
        response = super().import_action(request, **kwargs)
        result = (getattr(response, "context_data", None) or {}).get("result")
        self._show_warnings(request, result)
        return response

    def _show_warnings(self, request: HttpRequest, result: object) -> None:
        warnings = getattr(result, "warnings", None) or []
        for warning in warnings[:WARNINGS_SHOWN]:
            self.message_user(request, f"Warning: {warning}", messages.WARNING)
        if len(warnings) > WARNINGS_SHOWN:
            self.message_user(request, f"… and {len(warnings) - WARNINGS_SHOWN} more warning(s)", messages.WARNING)

    def get_resource_classes(self, request):  # noqa: ANN001, ANN201 - Django signature
        return [RESOURCES[self.model]]

    def get_confirm_form_initial(self, request, import_form):  # noqa: ANN001, ANN201 - library signature
        initial = super().get_confirm_form_initial(request, import_form)
        if import_form is not None:
            initial["as_of"] = import_form.data.get("as_of", "")  # as typed: the confirm form parses it again
        return initial

    def get_import_data_kwargs(self, **kwargs):  # noqa: ANN003, ANN201 - library signature
        # Any error writes nothing, as in the command (the library would keep the valid rows by default).
        return {**super().get_import_data_kwargs(**kwargs), "rollback_on_validation_errors": True}

    def add_success_message(self, result, request):  # noqa: ANN001, ANN201 - library signature
        if not (result.has_errors() or result.has_validation_errors()):  # else rolled back: "Nothing was imported"
            super().add_success_message(result, request)

    def process_dataset(self, dataset, form, request, **kwargs):  # noqa: ANN001, ANN201 - library signature
        """The confirmed import; its ImportRun (counts, warnings, as-of time, as the command keeps); an audit
        event: who, which file, how many rows of each kind."""
        result = super().process_dataset(dataset, form, request, **kwargs)
        self._show_warnings(request, result)
        file_name = kwargs.get("file_name") or form.cleaned_data.get("original_file_name") or ""
        spec = RESOURCES[self.model].spec
        outcome = upload_outcome(spec, result, file_name=file_name, as_of=form.cleaned_data.get("as_of"))
        run = record_run(outcome, files={spec.key: file_name}, user=request.user)
        if run.status == models.ImportRun.Status.FAILED:
            self.message_user(request, f"Nothing was imported: {run.errors}", messages.ERROR)
        else:
            self.message_user(request, f"Import {run.pk}: data as of {outcome.as_of}.", messages.INFO)
        for line in run.reactions:  # what the apps above did about the new data, e.g. stale drafts withdrawn
            self.message_user(request, line, messages.WARNING)
        counts = {kind: n for kind, n in result.totals.items() if n}
        dataset_imported.send(
            sender=self.model,
            user=request.user,
            file_name=file_name,
            dataset=self.model._meta.verbose_name_plural,
            counts=counts,
        )
        return result


class CustomerRowsAdmin(DatasetAdmin):
    """The four datasets whose rows belong to a customer: the changelist shows that customer."""

    list_select_related = ("customer",)  # the customer column, without a query per row
    raw_id_fields = ("customer",)  # a select of every customer would load the whole table


class AccountActivityInline(ReadOnlyInline):
    model = models.AccountActivity
    fields = [
        "account_status",
        "last_login",
        "last_transaction",
        "engagement_score",
        "subscription_type",
        "churn_risk_score",
        "account_tenure_years",
    ]
    ordering = ["-last_login"]


class InteractionInline(ReadOnlyInline):
    model = models.Interaction
    fields = ["occurred_at", "channel", "interaction_type", "sentiment", "resolution_status", "summary"]
    ordering = ["-occurred_at"]


class NotificationHistoryInline(ReadOnlyInline):
    model = models.NotificationHistory
    verbose_name_plural = "notification history (source system and ours)"
    fields = [
        "notification_id",
        "sent_at",
        "channel",
        "notification_type",
        "opened",
        "clicked",
        "action_taken",
        "delivery_status",
    ]
    ordering = ["-sent_at"]


class RecommendedActionInline(ReadOnlyInline):
    model = models.RecommendedAction
    fields = ["scenario", "recommended_action", "urgency_level", "follow_up_required", "assigned_team"]


@admin.register(models.Customer)
class CustomerAdmin(DatasetAdmin):
    list_display = (
        "customer_id",
        "name",
        "age",
        "location",
        "preferred_channel",
        "source_segment",
        "opted_in",
        "satisfaction_score",
    )
    list_filter = ("preferred_channel", "opted_in", "income_bracket", "source_segment")
    search_fields = ("customer_id", "name", "location")
    readonly_fields = ("source_hash", "updated_at", "full_lists")
    more_full_lists: tuple[tuple[str, str, str], ...] = ()  # (app label, model, label) links other apps add
    inlines = [
        AccountActivityInline,
        InteractionInline,
        NotificationHistoryInline,
        RecommendedActionInline,
    ]

    @admin.display(description="full lists")
    def full_lists(self, customer: models.Customer) -> str:
        """The inlines show the newest rows only; these open the complete, filterable lists."""
        if customer.pk is None:
            return "-"
        links = [
            ("customers", "accountactivity", "account activity"),
            ("customers", "interaction", "interactions"),
            ("customers", "notificationhistory", "notification history"),
            ("customers", "recommendedaction", "recommended actions"),
            *self.more_full_lists,
        ]
        return format_html_join(
            " · ",
            '<a href="{}?customer__id__exact={}">{}</a>',
            ((reverse(f"admin:{app}_{model}_changelist"), customer.pk, label) for app, model, label in links),
        )


@admin.register(models.AccountActivity)
class AccountActivityAdmin(CustomerRowsAdmin):
    list_display = (
        "customer",
        "last_login",
        "account_status",
        "engagement_score",
        "subscription_type",
        "churn_risk_score",
    )
    list_filter = ("subscription_type", "account_status")
    search_fields = ("customer__customer_id", "customer__name")
    date_hierarchy = "last_login"


@admin.register(models.Interaction)
class InteractionAdmin(CustomerRowsAdmin):
    list_display = ("customer", "occurred_at", "channel", "interaction_type", "sentiment", "resolution_status")
    list_filter = ("interaction_type", "sentiment", "resolution_status", "channel")
    search_fields = ("customer__customer_id", "customer__name", "summary", "agent_id")
    date_hierarchy = "occurred_at"


@admin.register(models.NotificationHistory)
class NotificationHistoryAdmin(CustomerRowsAdmin):
    list_display = (
        "notification_id",
        "customer",
        "channel",
        "sent_at",
        "notification_type",
        "opened",
        "clicked",
        "delivery_status",
        "notification_priority",
    )
    list_filter = ("channel", "delivery_status", "notification_priority", "opened", "clicked")
    search_fields = ("notification_id", "customer__customer_id", "customer__name", "notification_type")
    date_hierarchy = "sent_at"


@admin.register(models.RecommendedAction)
class RecommendedActionAdmin(CustomerRowsAdmin):
    list_display = (
        "customer",
        "scenario",
        "recommended_action",
        "urgency_level",
        "follow_up_required",
        "assigned_team",
    )
    list_filter = ("urgency_level", "follow_up_required", "assigned_team")
    search_fields = ("customer__customer_id", "customer__name", "scenario", "recommended_action")
