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


class SafeExportMixin(SelectedRowsExportMixin, ExportActionMixin):
    """ "Export selected" as CSV or XLSX through a formula-safe resource (notifications/supervision/resources.py)."""

    export_formats = [base_formats.CSV, base_formats.XLSX]
    show_change_form_export = False  # the change form of a read-only record has no submit row to hang it on
