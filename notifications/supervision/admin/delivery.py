"""The delivery layer's records, read-only: deliveries, the notification event trail, the consent ledger.

They are written by the delivery services and are append-only where they are
evidence; registered here so supervisors can search them beside the audit trail.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import admin, messages
from django.db.models import Model, Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from customers.admin_base import ReadOnlyAdmin
from customers.models import CustomerContact
from notifications.contact_rules.models import ConsentChange
from notifications.delivery.models import ProviderReceipt
from notifications.delivery.services.delivery import STUCK_AFTER, DeliveryActionError, retry_delivery
from notifications.queue.models import Delivery, NotificationEvent
from notifications.supervision.admin.base import SafeExportMixin
from notifications.supervision.admin.labels import CodeFilter, code_column
from notifications.supervision.resources import safe_resource


def _register(model: type[Model], **options: object) -> None:
    name = model.__name__
    export_fields = options.pop("export_fields", ())
    attrs = dict(options)
    if export_fields:
        attrs["resource_classes"] = [safe_resource(model, export_fields)]
    admin.site.register(model, type(f"{name}Admin", (SafeExportMixin, ReadOnlyAdmin), attrs))


_register(
    NotificationEvent,
    list_display=["occurred_at", "notification", "kind", code_column("source"), "machine_suspected", "user"],
    list_filter=["kind", ("source", CodeFilter), "machine_suspected"],
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
    ConsentChange,
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


class NeedsAttentionFilter(admin.SimpleListFilter):
    """The rows an operator acts on: failures an agent may retry, and sends that look stuck."""

    title = "needs attention"
    parameter_name = "attention"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [
            ("retryable", "Failed, retryable"),
            ("outcome_unknown", "Failed, outcome unknown (worker stopped)"),
            ("permanent", "Failed, permanent"),
            ("stuck", "Stuck (queued or sending too long)"),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Delivery]) -> QuerySet[Delivery]:

        Status = Delivery.Status  # noqa: N806 - a class
        value = self.value()
        if value == "retryable":
            return queryset.filter(status=Status.FAILED, permanent=False)
        if value == "outcome_unknown":
            return queryset.filter(status=Status.FAILED, last_error__startswith=Delivery.OUTCOME_UNKNOWN)
        if value == "permanent":
            return queryset.filter(status=Status.FAILED, permanent=True)
        if value == "stuck":
            # Before the sweep gets to them: a lost task message (queued) or a worker gone mid-send.
            now = timezone.now()
            return queryset.filter(
                Q(status=Status.QUEUED, updated_at__lt=now - STUCK_AFTER)
                | Q(status=Status.SENDING, updated_at__lt=now - settings.DELIVERY_SENDING_STALE_AFTER)
            )
        return queryset


@admin.register(Delivery)
class DeliveryAdmin(SafeExportMixin, ReadOnlyAdmin):
    # Who, how and what happened, in a 1366 px window beside the filters; the rest is on the delivery's page.
    list_display = [
        "customer",
        "channel",
        "status",
        "attempts",
        "permanent",
        "short_error",
        "sent_at",
        "delivered_at",
        code_column("provider"),
    ]
    list_filter = [NeedsAttentionFilter, "status", "channel", ("provider", CodeFilter), "permanent"]
    search_fields = ["notification__customer__customer_id", "provider_message_id", "recipient"]
    date_hierarchy = "created_at"
    ordering = ["-created_at"]
    list_select_related = ["notification__customer"]
    raw_id_fields = ["notification"]
    actions = ["retry_selected"]
    resource_classes = [
        safe_resource(
            Delivery,
            (
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
    ]

    @admin.display(description="customer", ordering="notification__customer__name")
    def customer(self, obj: Delivery) -> str:
        return str(obj.notification.customer)

    @admin.display(description="last error")
    def short_error(self, obj: Delivery) -> str:
        return obj.last_error if len(obj.last_error) <= 120 else obj.last_error[:119] + "…"

    @admin.action(description="Retry selected failed deliveries", permissions=["retry"])
    def retry_selected(self, request: HttpRequest, queryset: QuerySet[Delivery]) -> None:

        retried, permanent, not_failed = 0, 0, 0
        for delivery in queryset.order_by("pk"):
            if delivery.status != Delivery.Status.FAILED:
                not_failed += 1
                continue
            if delivery.permanent:
                permanent += 1
                continue
            try:
                retry_delivery(delivery, user=request.user)
            except DeliveryActionError:
                not_failed += 1  # changed under us (another supervisor or agent retried it first)
                continue
            retried += 1
        if retried:
            self.message_user(request, f"Retrying {retried} failed delivery(ies).", messages.SUCCESS)
        skipped = []
        if permanent:
            skipped.append(f"{permanent} permanent failure(s), which are never retried")
        if not_failed:
            skipped.append(f"{not_failed} not failed")
        if skipped:
            self.message_user(request, f"Skipped {' and '.join(skipped)}.", messages.WARNING)

    def has_retry_permission(self, request: HttpRequest) -> bool:
        # The same right as the card's Retry button: working the queue.
        return request.user.has_perm("queue.work_queue")


_register(
    CustomerContact,
    list_display=["customer", "email", "phone", "is_placeholder", "email_bad", "phone_bad", "push_bad"],
    list_filter=["is_placeholder", "email_bad", "phone_bad", "push_bad"],
    search_fields=["customer__customer_id", "customer__name", "email", "phone"],
    list_select_related=["customer"],
    raw_id_fields=["customer"],
)
_register(
    ProviderReceipt,
    list_display=["received_at", "message_id", "outcome"],
    search_fields=["message_id"],
    date_hierarchy="received_at",
    ordering=["-received_at"],
)
