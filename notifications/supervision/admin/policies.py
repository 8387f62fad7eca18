"""Contact policies as data: validated parameters, and every change kept in the audit trail."""

from __future__ import annotations

import json

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.html import format_html

from notifications.common.text_diff import text_diff
from notifications.contact_rules.models import PARAMETER_SCHEMAS, ContactPolicy
from notifications.staff.models import AuditEvent
from notifications.staff.services import record_staff_action
from notifications.supervision.admin.base import audit_trail_rows, audit_trail_url


def _pretty(value: object) -> str:
    return json.dumps(value, indent=2, sort_keys=True, default=str)


class ContactPolicyForm(forms.ModelForm):
    """Checks the parameters against the rule's schema (the same one the policy engine applies).

    Caps must be whole numbers ≥ 0, windows 1–365 days, quiet hours real HH:MM
    times, and unknown keys are refused, so a typo cannot silently do nothing.
    """

    class Meta:
        model = ContactPolicy
        fields = ["rule", "enabled", "parameters", "description"]
        widgets = {"parameters": forms.Textarea(attrs={"rows": 10, "cols": 60})}

    def clean(self) -> dict:
        # The schema check itself is ContactPolicy.clean() (run by the form after this), so the
        # admin and the policy engine read one definition; here only what it cannot say clearly.
        cleaned = super().clean()
        params = cleaned.get("parameters")
        if params is not None and not isinstance(params, dict):
            raise ValidationError({"parameters": 'Parameters must be a JSON object, e.g. {"days": 14}.'})
        return cleaned


@admin.register(ContactPolicy)
class ContactPolicyAdmin(admin.ModelAdmin):
    form = ContactPolicyForm
    list_display = ["rule", "enabled", "parameters_summary", "updated_at", "history_link"]
    list_filter = ["enabled"]
    search_fields = ["rule", "description"]
    ordering = ["rule"]
    readonly_fields = ["effective_parameters", "change_history"]

    def get_readonly_fields(self, request: HttpRequest, obj: ContactPolicy | None = None) -> list[str]:
        fields = list(super().get_readonly_fields(request, obj))
        return [*fields, "rule"] if obj is not None else fields  # a row is one rule: change it, don't rename it

    @admin.display(description="parameters")
    def parameters_summary(self, obj: ContactPolicy) -> str:
        return ", ".join(f"{k}={v}" for k, v in (obj.parameters or {}).items()) or "(defaults)"

    @admin.display(description="effective parameters (with defaults)")
    def effective_parameters(self, obj: ContactPolicy) -> str:
        if obj.pk is None or obj.rule not in PARAMETER_SCHEMAS:
            return "-"
        try:
            return format_html("<pre>{}</pre>", _pretty(obj.params().model_dump(mode="json")))
        except ValidationError as exc:
            return f"Invalid: {exc}"

    @admin.display(description="history")
    def history_link(self, obj: ContactPolicy) -> str:
        return format_html('<a href="{}">changes</a>', audit_trail_url(obj))

    @admin.display(description="change history")
    def change_history(self, obj: ContactPolicy) -> str:
        if obj.pk is None:
            return "-"
        rows = audit_trail_rows(obj, limit=30)
        return format_html("<table>{}</table>", rows) if rows else "No changes recorded yet."

    def save_model(self, request: HttpRequest, obj: ContactPolicy, form: forms.ModelForm, change: bool) -> None:
        before = ContactPolicy.objects.filter(pk=obj.pk).values("enabled", "parameters", "description").first()
        super().save_model(request, obj, form, change)
        after = {"enabled": obj.enabled, "parameters": obj.parameters, "description": obj.description}
        if before == after:
            return
        before = before or {}
        changed = sorted(k for k in after if before.get(k) != after[k])
        record_staff_action(
            request.user,
            AuditEvent.Action.POLICY_CHANGED,
            obj,
            {"before": before, "after": after, "changed": changed},
            summary=f"{obj.get_rule_display()}: {'created' if not change else 'changed ' + ', '.join(changed)}",
            diff=text_diff(_pretty(before), _pretty(after), label="policy"),
        )
