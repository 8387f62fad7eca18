"""Words for the codes stored in free-text columns (provider, source, object type), as supervisors read them.

Fields with a fixed set of values carry their labels as model choices (Channel, situation, status); these
columns hold codes written by the system that have no choices, so the admin translates them here.
"""

from __future__ import annotations

from django.apps import apps
from django.contrib import admin
from django.utils.text import capfirst

CODE_LABELS = {
    "offline": "Offline rules",
    "bedrock": "AWS Bedrock",
    "sns": "AWS SNS",
    "outbox": "Demo outbox",
    "ok": "OK",
}


def code_label(code: str) -> str:
    """ "provider_webhook" → "Provider webhook"; the known codes by name ("offline" → "Offline rules")."""
    if not code:
        return "-"
    return CODE_LABELS.get(code) or capfirst(code.replace("_", " "))


def object_type_label(label_lower: str) -> str:
    """ "queue.notification" → "Notification" (the model's own name); an unknown label as a code."""
    try:
        return capfirst(apps.get_model(label_lower)._meta.verbose_name)
    except (LookupError, ValueError):
        return code_label(label_lower)


def code_column(field: str):  # noqa: ANN201 - a list_display callable
    """A list column showing `field`'s code by its label, sortable by the code."""

    @admin.display(description=field.replace("_", " "), ordering=field)
    def column(obj: object) -> str:
        return code_label(getattr(obj, field))

    column.__name__ = field  # the cell's CSS class: "field-provider", as for the plain field
    return column


class CodeFilter(admin.AllValuesFieldListFilter):
    """Django's "by value" filter, with each code shown by its label."""

    label = staticmethod(code_label)

    def choices(self, changelist):  # noqa: ANN001, ANN201 - Django's signature
        codes = {str(code) for code in self.lookup_choices}
        for choice in super().choices(changelist):
            if choice["display"] in codes:
                choice = {**choice, "display": self.label(choice["display"])}
            yield choice


class ObjectTypeFilter(CodeFilter):
    label = staticmethod(object_type_label)
