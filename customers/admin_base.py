"""Admin building blocks every app's admin uses (here, in the bottom app, so any app may import them)."""

from __future__ import annotations

from django.contrib import admin
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest


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
