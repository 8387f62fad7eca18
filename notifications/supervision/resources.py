"""Export resources for the control-room admin (selected rows → CSV or XLSX).

Every text cell goes through the dataset exporter's `neutralise` (customers/resources.py),
so a draft or summary starting with = + - @ tab or CR opens as text in a spreadsheet.
"""

from __future__ import annotations

from django.db import models
from import_export import fields, resources

from customers.resources import neutralise
from notifications.staff.models import AuditEvent


class SafeModelResource(resources.ModelResource):
    """A ModelResource whose exported string cells cannot be evaluated as formulae."""

    def export_field(self, field: fields.Field, instance: models.Model, **kwargs: object) -> object:
        value = super().export_field(field, instance, **kwargs)
        return neutralise(value) if isinstance(value, str) else value


def safe_resource(model: type[models.Model], field_names: tuple[str, ...]) -> type[SafeModelResource]:
    """A formula-safe export resource for `model` with these columns (related fields as a__b)."""
    meta = type("Meta", (), {"model": model, "fields": field_names, "export_order": field_names})
    return type(f"{model.__name__}ExportResource", (SafeModelResource,), {"Meta": meta, "__module__": __name__})


class AuditEventResource(SafeModelResource):
    action = fields.Field(attribute="get_action_display", column_name="action")

    class Meta:
        model = AuditEvent
        fields = (
            "id",
            "created_at",
            "actor_name",
            "action",
            "object_type",
            "object_id",
            "object_repr",
            "customer_ref",
            "summary",
            "diff",
            "detail",
        )
        export_order = fields
