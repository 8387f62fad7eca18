"""The delivery layer's records, read-only: deliveries, the notification event trail, the consent ledger.

They are written by the delivery services and are append-only where they are
evidence; registered here (guarded, as that layer lands separately) so
supervisors can search them beside the audit trail.
"""

from __future__ import annotations

from django.contrib import admin

from control.resources import safe_resource
from notifications import models

from .base import ReadOnlyAdmin, SafeExportMixin


def _register(name: str, **options: object) -> None:
    model = getattr(models, name, None)
    if model is None or admin.site.is_registered(model):
        return
    export_fields = options.pop("export_fields", ())
    attrs = dict(options)
    if export_fields:
        attrs["resource_classes"] = [safe_resource(model, export_fields)]
    admin.site.register(model, type(f"{name}Admin", (SafeExportMixin, ReadOnlyAdmin), attrs))


_register(
    "NotificationEvent",
    list_display=["occurred_at", "notification", "kind", "source", "machine_suspected", "user"],
    list_filter=["kind", "source", "machine_suspected"],
    search_fields=["notification__customer__customer_id", "notification__customer__name", "=notification__id"],
    date_hierarchy="occurred_at",
    ordering=["-occurred_at"],
    list_select_related=["notification__customer", "user"],
    raw_id_fields=["notification", "user"],
    export_fields=(
        "id",
        "occurred_at",
        "notification",
        "notification__customer__customer_id",
        "kind",
        "source",
        "machine_suspected",
        "user__username",
        "metadata",
    ),
)
_register(
    "ConsentChange",
    list_display=["occurred_at", "customer", "marketing_consent", "channel", "source", "recorded_by"],
    list_filter=["marketing_consent", "source", "channel"],
    search_fields=["customer__customer_id", "customer__name"],
    date_hierarchy="occurred_at",
    ordering=["-occurred_at"],
    list_select_related=["customer", "recorded_by"],
    raw_id_fields=["customer", "notification", "recorded_by"],
    export_fields=(
        "id",
        "occurred_at",
        "customer__customer_id",
        "marketing_consent",
        "channel",
        "source",
        "evidence",
        "recorded_by__username",
    ),
)
_register(
    "Delivery",
    list_display=["notification", "channel", "status", "attempts", "provider", "permanent", "sent_at", "delivered_at"],
    list_filter=["status", "channel", "provider", "permanent"],
    search_fields=["notification__customer__customer_id", "provider_message_id", "recipient"],
    date_hierarchy="created_at",
    ordering=["-created_at"],
    list_select_related=["notification__customer"],
    raw_id_fields=["notification"],
    export_fields=(
        "id",
        "notification",
        "channel",
        "status",
        "attempts",
        "provider",
        "provider_message_id",
        "last_error",
        "permanent",
        "created_at",
        "sent_at",
        "delivered_at",
    ),
)
_register(
    "CustomerContact",
    list_display=["customer", "email", "phone", "is_placeholder", "email_bad", "phone_bad", "push_bad"],
    list_filter=["is_placeholder", "email_bad", "phone_bad", "push_bad"],
    search_fields=["customer__customer_id", "customer__name", "email", "phone"],
    list_select_related=["customer"],
    raw_id_fields=["customer"],
)
_register(
    "ProviderReceipt",
    list_display=["received_at", "message_id", "outcome"],
    search_fields=["message_id"],
    date_hierarchy="received_at",
    ordering=["-received_at"],
)
