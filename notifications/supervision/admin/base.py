"""Shared admin building blocks."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html_join
from import_export.admin import ExportActionMixin
from import_export.formats import base_formats

from customers.admin_base import SelectedRowsExportMixin
from notifications.staff.models import AuditEvent
from notifications.supervision.admin.labels import code_label


def local_datetime(value: dt.datetime) -> str:
    """A time as the admin shows its own columns: UK local time, 24-hour ("1 Dec 2026, 09:30")."""
    return date_format(timezone.localtime(value), "DATETIME_FORMAT")


def audit_trail_url(obj: models.Model) -> str:
    """The audit trail filtered to one object (AuditEventAdmin allows these two lookups)."""
    url = reverse("admin:staff_auditevent_changelist")
    return f"{url}?object_type={obj._meta.label_lower}&object_id={obj.pk}"


def audit_trail_rows(obj: models.Model, limit: int) -> str:
    """The object's newest `limit` audit events as table rows (when, who, what, diff); empty if none."""
    events = AuditEvent.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))[:limit]
    return format_html_join(
        "",
        "<tr><td>{}</td><td>{}</td><td>{}</td><td><pre>{}</pre></td></tr>",
        ((local_datetime(e.created_at), e.actor_name or "system", e.summary, e.diff) for e in events),
    )


# The facts in a lifecycle event's metadata a reviewer reads first, in words (the rest is in the export).
_EVENT_FACTS = (
    ("acknowledged_warnings", "Style warnings acknowledged"),
    ("why", "Needs approval for"),
    ("note", "Note"),
    ("error", "Error"),
    ("reasons", "Refused"),
    ("until", "Held until"),
    ("outcome", "Outcome"),
    ("follow_up", "Follow-up"),
)


def _event_facts(metadata: dict) -> str:
    facts = []
    if metadata.get("version"):
        facts.append(f"version {metadata['version']}")
    for key, label in _EVENT_FACTS:
        value = metadata.get(key)
        if value and key == "until":
            value = local_datetime(dt.datetime.fromisoformat(value))
        if value:
            facts.append(f"{label}: {' '.join(value) if isinstance(value, list) else value}")
    return "; ".join(facts)


def lifecycle_url(notification: models.Model) -> str:
    return f"{reverse('admin:queue_notificationevent_changelist')}?notification__id__exact={notification.pk}"


def lifecycle_rows(notification: models.Model, limit: int) -> str:
    """What happened to the message, newest first (when, what, who or which system, the facts): the
    lifecycle trail beside the audit trail, as docs/architecture.md promises on a draft's page."""
    events = notification.events.select_related("user").order_by("-occurred_at", "-id")[:limit]
    return format_html_join(
        "",
        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
        (
            (
                local_datetime(e.occurred_at),
                e.get_kind_display(),
                (e.user.get_full_name() or e.user.get_username()) if e.user else code_label(e.source),
                _event_facts(e.metadata or {}),
            )
            for e in events
        ),
    )


class SafeExportMixin(SelectedRowsExportMixin, ExportActionMixin):
    """ "Export selected" as CSV or XLSX through a formula-safe resource (notifications/supervision/resources.py)."""

    export_formats = [base_formats.CSV, base_formats.XLSX]
    show_change_form_export = False  # the change form of a read-only record has no submit row to hang it on
