"""Whether a draft needs a supervisor's approval before it is sent, and whether it has it."""

from __future__ import annotations

from notifications.queue.models import Approval, ApprovalPolicy, Notification
from notifications.queue.selectors.queue import with_reason


def approval_needed(notification, policy: ApprovalPolicy | None = None) -> str:  # noqa: ANN001
    """Why this draft needs approval ("" if it does not)."""
    policy = policy or ApprovalPolicy.load()
    reasons = []
    if policy.high_priority and notification.priority == "High":
        reasons.append("High priority")
    if policy.marketing and notification.kind == "marketing":
        reasons.append("marketing")
    return " and ".join(reasons)


def approval_state(notification) -> tuple[str, int | None]:  # noqa: ANN001
    """Why the draft needs approval ("" if it does not), and the version a supervisor approved (None: none)."""
    needed = approval_needed(notification)
    if not needed:
        return "", None
    approved = Approval.objects.filter(notification_id=notification.pk).values_list("version", flat=True).first()
    return needed, approved


def pending_approvals(limit: int = 20) -> list:
    """Open drafts waiting for a supervisor, oldest request first, with what the list shows (one query)."""
    rows = (
        Notification.objects.filter(
            approval_state=Notification.ApprovalState.REQUESTED, status__in=Notification.OPEN_STATUSES
        )
        .select_related("customer", "approval_by", "claimed_by", "edited_by")
        .order_by("approval_at", "pk")
    )
    return list(with_reason(rows)[:limit])
