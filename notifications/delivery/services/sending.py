"""Sending a queue item: the one function the delivery issue extends with real channels.

`send_notification` locks the row (SELECT … FOR UPDATE), re-checks every rule
against the locked state, and marks the item sent in the same transaction, so
a double-click or a second tab cannot send twice: the second call finds the
row already sent and is refused. It records the message on the item (the
exact subject and body, the channel, who and when) and creates the item's one
`Delivery`, which a Celery task hands to the channel after commit
(notifications/delivery/services/delivery.py). Quiet hours do not refuse a send: the
agent is told, and the delivery is held until the window opens.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from notifications.contact_rules.models import ContactPolicy
from notifications.contact_rules.selectors import current_marketing_consent
from notifications.contact_rules.services.policies import check_send_allowed
from notifications.delivery.services.delivery import queue_delivery
from notifications.profiles.selectors import load_profile
from notifications.queue.models import Notification
from notifications.queue.selectors.approval import approval_missing
from notifications.queue.services.claims import QueueActionError, display_name, holds_claim
from notifications.staff import services as audit


class SendRefused(QueueActionError):
    """The send was refused; `reasons` lists every rule that said no, in the agent's words."""

    status_code = 422

    def __init__(self, reasons: list[str]):
        super().__init__(" ".join(reasons))
        self.reasons = reasons


@dataclass
class SendCheck:
    """The outcome of the pre-send checks, shown on the confirmation and enforced by the send."""

    reasons: list[str] = field(default_factory=list)  # refusals
    notices: list[str] = field(default_factory=list)  # not refusals: what will happen (e.g. held for quiet hours)
    policy_results: list[dict] = field(default_factory=list)  # [{policy, passed, reason}] when available
    held_until: dt.datetime | None = None

    @property
    def ok(self) -> bool:
        return not self.reasons


def policy_label(rule: str) -> str:
    """The policy's name as supervisors see it in admin ("frequency_cap" → "Frequency cap")."""
    try:
        return str(ContactPolicy.Rule(rule).label)
    except ValueError:
        return rule.replace("_", " ").capitalize()


def check_send(
    n: Notification, *, user, expected_version: int | None = None, now: dt.datetime | None = None
) -> SendCheck:
    """Every rule a send must pass, with a clear message for each one that fails."""
    now = now or timezone.now()
    check = SendCheck()
    if n.status == Notification.Status.SENT:
        when = timezone.localtime(n.sent_at)
        check.reasons.append(f"Already sent on {when:%d %b at %H:%M} by {display_name(n.sent_by)}.")
        return check
    if not n.is_open:
        check.reasons.append(f"This draft is {n.get_status_display().lower()} and cannot be sent.")
        return check
    if not holds_claim(n, user, now):
        check.reasons.append("Claim this customer before sending (your claim may have expired after 30 minutes).")
    if expected_version is not None and n.version != expected_version:
        check.reasons.append(
            f"The draft changed since you opened the confirmation ({display_name(n.edited_by)} saved version "
            f"{n.version}). Review it and confirm again."
        )
    if not n.body.strip():
        check.reasons.append("The message body is empty.")
    if n.channel == "Email" and not n.subject.strip():
        check.reasons.append("An email needs a subject.")
    if missing := approval_missing(n):  # the approval policy (control room): High priority / marketing
        check.reasons.append(missing)
    profile = load_profile(n.customer_id)  # read once for the consent and policy checks below
    if n.kind == "marketing":
        # PECR consent is law, not a tunable policy: checked here even if the consent policy is switched off.
        # The analysts' rule on fresh data plus the consent ledger (notifications/contact_rules/selectors.py).
        consent = current_marketing_consent(n.customer_id, n.channel, profile=profile)
        if not consent.marketing:
            check.reasons.append(f"Marketing message refused: {consent.reason}. Only a service message may be sent.")
    verdict = check_send_allowed(n, now=now, profile=profile)
    check.policy_results = [
        {
            "policy": str(r.policy),
            "passed": bool(r.passed),
            "reason": str(r.reason),
            "effect": str(r.effect),
        }
        for r in verdict.results
    ]
    failed = [r for r in check.policy_results if not r["passed"] and r["policy"] != "consent"]
    blocking = [r for r in failed if r["effect"] == "block"]
    marketing_only = [r for r in failed if r["effect"] == "marketing"]
    held = bool(verdict.held_until and verdict.held_until > now)
    if not verdict.allowed:
        check.reasons.extend(f"Contact policy “{policy_label(r['policy'])}”: {r['reason']}" for r in blocking)
        if not blocking and not check.reasons and not held:
            check.reasons.append("The contact policies do not allow contacting this customer now.")
    if n.kind == "marketing" and not verdict.marketing_allowed:
        check.reasons.extend(
            f"Marketing not allowed by “{policy_label(r['policy'])}”: {r['reason']}" for r in marketing_only
        )
    if held:
        # Quiet hours delay, they do not refuse: the delivery is held and goes when the window opens.
        check.held_until = verdict.held_until
        check.notices.append(
            f"Quiet hours: this {n.channel} message will be held and sent at "
            f"{timezone.localtime(verdict.held_until):%H:%M on %d %b}."
        )
    return check


@transaction.atomic
def send_notification(
    notification: Notification, *, user, expected_version: int, now: dt.datetime | None = None
) -> Notification:
    """Check and send one item exactly once; raises SendRefused with every failed rule."""
    now = now or timezone.now()
    locked = (
        Notification.objects.select_for_update(of=("self",))
        .select_related("customer", "sent_by", "edited_by")
        .get(pk=notification.pk)
    )
    check = check_send(locked, user=user, expected_version=expected_version, now=now)
    if not check.ok:
        raise SendRefused(check.reasons)
    locked.status = Notification.Status.SENT
    locked.sent_at = now
    locked.sent_by = user
    locked.claimed_by = None
    locked.claimed_at = None
    locked.save(update_fields=["status", "sent_at", "sent_by", "claimed_by", "claimed_at", "updated_at"])
    audit.record_sent(user, locked)  # the control room's audit trail: the exact text and its diff
    # The channel: one Delivery per item (exactly once), handed to the Celery task after commit, where every
    # rule is checked again at the moment of sending (quiet hours hold it until the window opens).

    queue_delivery(locked, user=user, now=now)
    return locked
