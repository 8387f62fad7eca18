"""Shared admin building blocks."""

from __future__ import annotations

from django.contrib import admin
from django.db import models
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html_join
from import_export.admin import ExportActionMixin
from import_export.formats import base_formats

from control.models import AuditEvent


def audit_trail_url(obj: models.Model) -> str:
    """The audit trail filtered to one object (AuditEventAdmin allows these two lookups)."""
    url = reverse("admin:control_auditevent_changelist")
    return f"{url}?object_type={obj._meta.label_lower}&object_id={obj.pk}"


def audit_trail_rows(obj: models.Model, limit: int) -> str:
    """The object's newest `limit` audit events as table rows (when, who, what, diff); empty if none."""
    events = AuditEvent.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))[:limit]
    return format_html_join(
        "",
        "<tr><td>{}</td><td>{}</td><td>{}</td><td><pre>{}</pre></td></tr>",
        ((f"{e.created_at:%d %b %Y %H:%M}", e.actor_name or "system", e.summary, e.diff) for e in events),
    )


class NoWritesMixin:
    """For a model admin or an inline: nothing is added, changed or deleted by hand."""

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:  # noqa: ANN001 - inlines pass obj
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:  # noqa: ANN001
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:  # noqa: ANN001
        return False


class ReadOnlyAdmin(NoWritesMixin, admin.ModelAdmin):
    """Records written by the system: viewable and searchable, never edited by hand."""


class SelectedRowsExportMixin:
    """ "Export selected" validates only the selected rows.

    django-import-export's default loads every pk of the table into the form's choices to
    validate the selection (#2056): seconds and megabytes per export on a million-row table.
    """

    def get_valid_export_item_pks(self, request: HttpRequest):  # noqa: ANN201 - library signature
        selected = request.POST.getlist("export_items")
        return self.get_export_queryset(request).filter(pk__in=selected).values_list("pk", flat=True)


class SafeExportMixin(SelectedRowsExportMixin, ExportActionMixin):
    """ "Export selected" as CSV or XLSX through a formula-safe resource (control/resources.py)."""

    export_formats = [base_formats.CSV, base_formats.XLSX]
    show_change_form_export = False  # the change form of a read-only record has no submit row to hang it on


class CappedInlineFormSet(BaseInlineFormSet):
    """Shows the newest `cap` rows only: a customer can have thousands of history rows."""

    cap = 20

    def get_queryset(self):  # noqa: ANN201 - Django signature
        if not hasattr(self, "_capped_queryset"):
            self._capped_queryset = super().get_queryset()[: self.cap]
        return self._capped_queryset


class ReadOnlyInline(NoWritesMixin, admin.TabularInline):
    """A capped, read-only list of a customer's related rows, linking to the full record."""

    extra = 0
    max_num = 0
    can_delete = False
    show_change_link = True
    formset = CappedInlineFormSet

    def get_readonly_fields(self, request: HttpRequest, obj=None) -> list[str]:  # noqa: ANN001
        return list(self.fields or [])
