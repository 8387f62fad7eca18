"""Sending a queue item: the agent's Send, exactly once.

`send_notification` locks the row (SELECT … FOR UPDATE), runs the send rules
(notifications/delivery/send_rules.py) against the locked state, and marks the
item sent in the same transaction, so a double-click or a second tab cannot
send twice: the second call finds the row already sent and is refused. It
records the message on the item (the exact subject and body, the channel, who
and when) and creates the item's one `Delivery`, which a Celery task hands to
the channel after commit (notifications/delivery/services/delivery.py), where
the rules are checked again. Quiet hours do not refuse a send: the delivery is
held until the window opens.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from notifications.delivery.send_rules import SendRules, Stage, evaluate
from notifications.delivery.services.delivery import queue_delivery
from notifications.queue.lifecycle import move
from notifications.queue.models import Notification
from notifications.queue.services.claims import QueueActionError
from notifications.staff import services as audit


class SendRefused(QueueActionError):
    """The send was refused; `reasons` lists every rule that said no, in the agent's words."""

    status_code = 422

    def __init__(self, rules: SendRules):
        super().__init__(" ".join(rules.reasons))
        self.reasons = rules.reasons
        self.codes = rules.codes


def send_notification(
    notification: Notification,
    *,
    user,
    expected_version: int,
    acknowledged_style: bool = False,
    now: dt.datetime | None = None,
) -> Notification:
    """Check and send one item exactly once; raises SendRefused with every failed rule.

    `acknowledged_style`: the agent read the style warnings and sends anyway (recorded on the trail).
    """
    now = now or timezone.now()
    with transaction.atomic(durable=True):
        locked = (
            Notification.objects.select_for_update(of=("self",))
            .select_related("customer", "sent_by", "edited_by")
            .get(pk=notification.pk)
        )
        rules = evaluate(locked, stage=Stage.SEND, user=user, expected_version=expected_version, now=now)
        if not acknowledged_style:
            rules.refuse_unacknowledged()
        if not rules.ok:
            raise SendRefused(rules)
        move(locked, Notification.Status.SENT, sent_at=now, sent_by=user, claimed_by=None, claimed_at=None)
        acknowledged = [c.message for c in rules.warnings]
        audit.record_sent(user, locked, acknowledged)  # the staff audit trail: the exact text, its diff, the ack
        # One Delivery per item (exactly once), handed to the Celery task after commit, where the rules are
        # checked again at the moment of sending (quiet hours hold it until the window opens).
        queue_delivery(locked, user=user, now=now, acknowledged=acknowledged)
    return locked
