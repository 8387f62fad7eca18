"""The holdout experiment in the admin: supervisors set the share and pause it; every change is audited."""

from __future__ import annotations

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from notifications.analysis.models import ContactDecision
from notifications.experiments.models import HoldoutExperiment
from notifications.staff.models import AuditEvent
from notifications.supervision.admin.base import audit_trail_rows
from notifications.supervision.admin.control_room import SingletonAdmin

_FIELD_NAMES = {"key": "key", "share": "share", "paused": "paused", "window_days": "window"}


@admin.register(HoldoutExperiment)
class HoldoutExperimentAdmin(SingletonAdmin):
    fields = ["key", "share", "paused", "window_days", "held_out", "results", "updated_at", "updated_by",
              "change_history"]  # fmt: skip
    readonly_fields = ["held_out", "results", "updated_at", "updated_by", "change_history"]
    list_display = ["__str__", "share", "paused", "window_days", "updated_at", "updated_by"]
    audit_action = AuditEvent.Action.EXPERIMENT_CHANGED
    audited_fields = ("key", "share", "paused", "window_days")

    @admin.display(description="held-out customers")
    def held_out(self, obj: HoldoutExperiment) -> str:
        count = ContactDecision.objects.filter(experiment=obj.key, arm=ContactDecision.Arm.CONTROL).count()
        url = reverse("admin:analysis_contactdecision_changelist")
        return format_html(
            '<a href="{}?experiment={}&amp;arm=control">{} decision{} held out in {}</a>',
            url, obj.key, count, "" if count == 1 else "s", obj.key,
        )  # fmt: skip

    @admin.display(description="uplift")
    def results(self, obj: HoldoutExperiment) -> str:
        return format_html('<a href="{}#uplift">the results page</a>', reverse("results:page"))

    @admin.display(description="change history")
    def change_history(self, obj: HoldoutExperiment) -> str:
        rows = audit_trail_rows(obj, limit=30) if obj.pk else ""
        return format_html("<table>{}</table>", rows) if rows else "No changes recorded yet."

    def audit_summary(self, obj: HoldoutExperiment, after: dict, changed: list[str]) -> str:
        shown = {**after, "share": f"{float(after['share']) * 100:g}%"}
        return f"Holdout experiment: {', '.join(f'{_FIELD_NAMES[k]}={shown[k]}' for k in changed)}"
