"""Admin for the five datasets, with CSV upload (dry-run preview, then confirm) and export."""

from django.contrib import admin
from import_export.admin import ImportExportModelAdmin
from import_export.formats import base_formats

from customers import models
from customers.importing.reader import utf8_problem_message
from customers.resources import RESOURCES


class DatasetAdmin(ImportExportModelAdmin):
    # The supplier contract is CSV; other formats would bypass the CSV checks.
    import_formats = [base_formats.CSV]
    export_formats = [base_formats.CSV, base_formats.XLSX]
    readonly_fields = ("source_hash",)
    list_per_page = 50
    show_full_result_count = False  # COUNT(*) on a million-row table on every page

    def add_data_read_fail_error_to_form(self, form, e):  # noqa: ANN001, ANN201 - library signature
        if isinstance(e, UnicodeDecodeError):
            form.add_error("import_file", f"The file is {utf8_problem_message(e.object, e.start)}.")
        else:
            super().add_data_read_fail_error_to_form(form, e)

    def get_resource_classes(self, request):  # noqa: ANN001, ANN201 - Django signature
        return [RESOURCES[self.model]]


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
    readonly_fields = ("source_hash", "updated_at")


@admin.register(models.AccountActivity)
class AccountActivityAdmin(DatasetAdmin):
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
    list_select_related = ("customer",)
    raw_id_fields = ("customer",)
    date_hierarchy = "last_login"


@admin.register(models.Interaction)
class InteractionAdmin(DatasetAdmin):
    list_display = ("customer", "occurred_at", "channel", "interaction_type", "sentiment", "resolution_status")
    list_filter = ("interaction_type", "sentiment", "resolution_status", "channel")
    search_fields = ("customer__customer_id", "customer__name", "summary", "agent_id")
    list_select_related = ("customer",)
    raw_id_fields = ("customer",)
    date_hierarchy = "occurred_at"


@admin.register(models.NotificationHistory)
class NotificationHistoryAdmin(DatasetAdmin):
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
    list_select_related = ("customer",)
    raw_id_fields = ("customer",)
    date_hierarchy = "sent_at"


@admin.register(models.RecommendedAction)
class RecommendedActionAdmin(DatasetAdmin):
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
    list_select_related = ("customer",)
    raw_id_fields = ("customer",)
