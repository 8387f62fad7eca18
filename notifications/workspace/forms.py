"""Forms for the agent workspace: queue filters, the draft editor, dismiss and snooze."""

from __future__ import annotations

from urllib.parse import urlencode

from django import forms

from customers.models import Channel
from notifications.profiles.schemas import MessageKind, Priority, Urgency
from notifications.queue.models import Delivery, Notification
from notifications.queue.selectors.queue import QueueFilters
from notifications.queue.services.claims import SNOOZE_CHOICES

STATUS_CHOICES = [
    ("waiting", "Waiting"),
    ("mine", "Claimed by me"),
    ("calls", "Calls to record"),
    ("snoozed", "Snoozed"),
    ("sent", "Sent"),
    ("dismissed", "Dismissed"),
]


def _any(label: str, values) -> list[tuple[str, str]]:
    return [("", label), *values]


class QueueFilterForm(forms.Form):
    """Parsed from the query string; anything invalid falls back to "any" rather than an error page."""

    q = forms.CharField(required=False, max_length=100, label="Search name or customer ID")
    priority = forms.ChoiceField(required=False, choices=_any("Any priority", [(p.value, p.value) for p in Priority]))
    urgency = forms.ChoiceField(required=False, choices=_any("Any urgency", [(u.value, u.value) for u in Urgency]))
    channel = forms.ChoiceField(required=False, choices=_any("Any channel", Channel.choices))
    kind = forms.ChoiceField(
        required=False, choices=_any("Service or marketing", [(k.value, k.value.title()) for k in MessageKind])
    )
    status = forms.ChoiceField(required=False, choices=STATUS_CHOICES)
    fallback = forms.BooleanField(required=False, label="Fallback only")

    def __init__(self, data=None, *args, **kwargs):
        super().__init__(data, *args, **kwargs)
        self.fields["q"].widget.attrs.update(
            {"type": "search", "placeholder": "Name or customer ID", "autocomplete": "off"}
        )

    def to_filters(self) -> QueueFilters:
        if self.is_valid():
            data = self.cleaned_data
        else:  # keep the valid parts of a hand-edited URL
            data = {name: self.cleaned_data.get(name) for name in self.fields if name not in self.errors}
        try:
            page = max(1, int(self.data.get("page", 1)))
        except (TypeError, ValueError):
            page = 1
        return QueueFilters(
            priority=data.get("priority") or "",
            urgency=data.get("urgency") or "",
            channel=data.get("channel") or "",
            kind=data.get("kind") or "",
            fallback=bool(data.get("fallback")),
            status=data.get("status") or "waiting",
            q=(data.get("q") or "").strip(),
            page=page,
        )


def filters_querystring(filters: QueueFilters, **overrides) -> str:
    """The URL query for these filters (defaults left out, so URLs stay short and shareable)."""
    values = {
        "q": filters.q,
        "priority": filters.priority,
        "urgency": filters.urgency,
        "channel": filters.channel,
        "kind": filters.kind,
        "status": "" if filters.status == "waiting" else filters.status,
        "fallback": "on" if filters.fallback else "",
        "page": str(filters.page),
    }
    values.update({k: str(v) for k, v in overrides.items()})
    if values["page"] == "1":
        values["page"] = ""
    return urlencode({k: v for k, v in values.items() if v})


class DraftForm(forms.Form):
    subject = forms.CharField(required=False, max_length=200)
    body = forms.CharField(required=False, strip=False, widget=forms.Textarea)
    version = forms.IntegerField(min_value=1)


class VersionForm(forms.Form):
    version = forms.IntegerField(min_value=1)
    acknowledged_style = forms.BooleanField(required=False)  # "I have read the style warnings"


class DismissForm(forms.Form):
    reason = forms.ChoiceField(choices=Notification.AGENT_DISMISS_REASONS, widget=forms.RadioSelect)
    note = forms.CharField(required=False, max_length=500, widget=forms.TextInput)


class SnoozeForm(DismissForm):
    duration = forms.ChoiceField(choices=[(key, key) for key in SNOOZE_CHOICES])


class DecisionForm(forms.Form):
    """A supervisor's decision on a draft, with the text as they left it and a note for the agent."""

    decision = forms.ChoiceField(choices=[("approve", "Approve"), ("send_back", "Send back")])
    version = forms.IntegerField(min_value=1)
    subject = forms.CharField(required=False, max_length=200)
    body = forms.CharField(required=False, strip=False)
    note = forms.CharField(required=False, max_length=1000)


class CallOutcomeForm(forms.Form):
    outcome = forms.ChoiceField(choices=Delivery.CallOutcome.choices)
    note = forms.CharField(required=False, max_length=2000)
    follow_up = forms.DateField(required=False)
