"""Writing the audit trail: one call per thing that happened.

Field changes on queue items are made with conditional UPDATEs (see
notifications/queue/services/claims.py), which bypass model signals and so any
history library; the trail is therefore written explicitly by the services
that act, through `record_staff_action`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

from notifications.common.text_diff import draft_diff
from notifications.staff.models import AuditEvent

Action = AuditEvent.Action


def actor_label(user) -> str:  # noqa: ANN001 - any user or None
    if user is None or not getattr(user, "is_authenticated", False):
        return ""
    return user.get_full_name() or user.get_username()


def _customer_ref(obj: models.Model) -> str:
    """The customer's own ID (Customer_ID), which is what supervisors search by."""
    if obj._meta.label_lower == "customers.customer":
        return str(obj.customer_id)
    if any(f.name == "customer" for f in obj._meta.concrete_fields) and obj.customer_id is not None:
        return str(obj.customer.customer_id)
    return ""


def record_staff_action(
    actor,  # noqa: ANN001 - a user or None (the system)
    action: str,
    obj: models.Model | None = None,
    detail: Mapping[str, object] | None = None,
    *,
    summary: str = "",
    diff: str = "",
    customer_ref: str = "",
) -> AuditEvent:
    """Append one event. `obj` names what it happened to; `detail` is kept as JSON."""
    label = Action(action).label
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        actor_name=actor_label(actor),
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None and obj.pk is not None else "",
        object_repr=str(obj)[:200] if obj is not None else "",
        customer_ref=customer_ref or (_customer_ref(obj) if obj is not None else ""),
        summary=(summary or label)[:300],
        diff=diff,
        detail=json.loads(json.dumps(dict(detail or {}), cls=DjangoJSONEncoder)),  # Decimals, dates → JSON
    )


def record_notification_event(
    actor,
    action: str,
    notification: models.Model,
    *,
    summary: str = "",
    diff: str = "",
    **detail: object,  # noqa: ANN001
) -> AuditEvent:
    """An event on a queue item, with the facts a reviewer asks for first."""
    base = {
        "version": getattr(notification, "version", None),
        "status": getattr(notification, "status", ""),
        "channel": getattr(notification, "channel", ""),
        "kind": getattr(notification, "kind", ""),
    }
    return record_staff_action(actor, action, notification, {**base, **detail}, summary=summary, diff=diff)


# --- one-line hooks for the workspace's services (notifications/queue/services/claims.py, sending.py) -----------


def _who(user) -> str:  # noqa: ANN001
    return actor_label(user) or "someone"


def record_claim(user, notification) -> AuditEvent:  # noqa: ANN001
    return record_notification_event(user, Action.CLAIMED, notification, summary=f"Claimed by {_who(user)}")


def record_release(user, notification, holder=None) -> AuditEvent:  # noqa: ANN001
    """`holder`: who had the claim (a supervisor releasing a colleague's claim says so)."""
    if holder is not None and getattr(holder, "pk", None) != getattr(user, "pk", None):
        summary = f"{_who(user)} released {_who(holder)}'s claim"
    else:
        summary = f"Claim released by {_who(user)}"
    return record_notification_event(
        user, Action.RELEASED, notification, summary=summary, holder=actor_label(holder) if holder else ""
    )


def record_edit(user, notification, before_subject: str, before_body: str) -> AuditEvent | None:  # noqa: ANN001
    """An agent's save, with a diff against the text before it (a revert is told apart)."""
    diff = draft_diff(before_subject, before_body, notification.subject, notification.body)
    if not diff:
        return None  # nothing changed: no event
    reverted = (notification.subject, notification.body) == (
        notification.original_subject,
        notification.original_body,
    )
    action = Action.REVERTED if reverted else Action.EDITED
    summary = f"{'Reverted to the original draft' if reverted else 'Draft edited'} (version {notification.version})"
    return record_notification_event(user, action, notification, summary=summary, diff=diff)


def record_dismiss(user, notification) -> AuditEvent:  # noqa: ANN001
    reason = notification.get_dismiss_reason_display() if notification.dismiss_reason else ""
    return record_notification_event(
        user,
        Action.DISMISSED,
        notification,
        summary=f"Dismissed: {reason}".rstrip(": "),
        reason=notification.dismiss_reason,
        note=notification.dismiss_note,
    )


def record_snooze(user, notification) -> AuditEvent:  # noqa: ANN001
    until = notification.snoozed_until
    return record_notification_event(
        user,
        Action.SNOOZED,
        notification,
        summary=f"Snoozed until {until:%d %b %Y %H:%M}" if until else "Snoozed",
        reason=notification.dismiss_reason,
        note=notification.dismiss_note,
    )


def record_sent(user, notification, acknowledged: list[str] | None = None) -> AuditEvent:  # noqa: ANN001
    """The exact message that went, and how it differs from the AI's original.

    `acknowledged`: the style warnings the agent read and sent anyway. They go in the summary, which is
    what a supervisor reads on the draft's page, not only in the detail.
    """
    summary = f"Sent by {_who(user)} on {notification.channel}" + (" (edited)" if notification.is_edited else "")
    if acknowledged:
        summary += f"; style warnings acknowledged: {' '.join(acknowledged)}"
    return record_notification_event(
        user,
        Action.SENT,
        notification,
        summary=summary,
        diff=draft_diff(
            notification.original_subject, notification.original_body, notification.subject, notification.body
        ),
        subject=notification.subject,
        body=notification.body,
        edited=notification.is_edited,
        acknowledged_warnings=acknowledged or [],
    )


def record_consent(change) -> AuditEvent:  # noqa: ANN001 - a notifications.ConsentChange
    """A change of marketing consent, from any source (a link, a STOP reply, an agent, an import)."""
    verb = "given" if change.marketing_consent else "withdrawn"
    channel = change.channel or "every channel"
    return record_staff_action(
        change.recorded_by,
        Action.CONSENT,
        change.customer,
        {
            "marketing_consent": change.marketing_consent,
            "channel": change.channel,
            "source": change.source,
            "consent_change": change.pk,
            "notification": change.notification_id,
        },
        summary=f"Marketing consent {verb} for {channel} ({change.get_source_display()})",
    )
