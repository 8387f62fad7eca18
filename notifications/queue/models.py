"""A message from draft to outcome: the queue item, its delivery, its lifecycle trail and its approval.

- `Notification` is the queue item: the draft for one customer, claimed, edited, sent or dismissed.
- `Delivery` is the exactly-once key of a send: one row per notification (a OneToOne), so a double
  click, two tabs, a retried task or a redelivered broker message all find the same row.
- `NotificationEvent` is the message's lifecycle trail (drafted … delivered, opened, unsubscribed),
  append-only: it is evidence (PECR, Ofgem outcomes), so rows are never edited or deleted.
- `Approval` / `ApprovalPolicy`: a supervisor's approval of one draft version, and which drafts need one.

They live together because every layer above (contact rules, delivery, jobs, the workspace) reads
them as one record; the apps above own what is done with them.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from customers.models import Channel
from notifications.common.models import AppendOnlyModel, SingletonModel
from notifications.profiles.schemas import SITUATION_LABELS, MessageKind, Priority, Urgency

PRIORITY_RANK = {Priority.HIGH: 0, Priority.MEDIUM: 1, Priority.LOW: 2}


class Notification(models.Model):
    """A queue item: the draft message for one customer, from analysis to sent.

    The analyst's original subject and body are kept unchanged beside the
    agent's working copy. `version` increments on every edit so a stale save is
    refused instead of overwriting a colleague's work (optimistic locking).
    """

    class Status(models.TextChoices):
        WAITING = "waiting", "Waiting"
        HELD = "held", "Held (quiet hours)"
        SNOOZED = "snoozed", "Snoozed"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        DISMISSED = "dismissed", "Dismissed"

    OPEN_STATUSES = (Status.WAITING, Status.HELD, Status.SNOOZED)
    WORKABLE_STATUSES = (Status.WAITING, Status.HELD)  # the queue: held ones are prepared now and go later
    # Every move a queue item can make (notifications/common/transitions.py applies them). FAILED: the
    # delivery failed, bounced or was refused at send time; a retry or a late delivery receipt sends it back.
    TRANSITIONS = {
        Status.WAITING: {Status.HELD, Status.SNOOZED, Status.SENT, Status.DISMISSED},
        Status.HELD: {Status.WAITING, Status.SNOOZED, Status.SENT, Status.DISMISSED},
        Status.SNOOZED: {Status.WAITING, Status.SNOOZED, Status.SENT, Status.DISMISSED},  # re-snooze: a new time
        Status.SENT: {Status.FAILED},
        Status.FAILED: {Status.SENT},
        Status.DISMISSED: set(),
    }

    class DismissReason(models.TextChoices):
        ALREADY_CONTACTED = "already_contacted", "Already contacted"
        NOT_APPROPRIATE = "not_appropriate", "Not appropriate"
        VULNERABLE = "vulnerable", "Customer vulnerable"
        OTHER = "other", "Other"
        SUPERSEDED = "superseded", "Withdrawn by a newer analysis"  # set by the pipeline, never by an agent

    AGENT_DISMISS_REASONS = [(value, label) for value, label in DismissReason.choices if value != "superseded"]

    class ApprovalState(models.TextChoices):
        """Where the draft stands with a supervisor (only drafts the ApprovalPolicy names go through this)."""

        NONE = "", "Not requested"
        REQUESTED = "requested", "Approval requested"
        APPROVED = "approved", "Approved"
        RETURNED = "returned", "Sent back"

    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="notifications")
    analysis = models.ForeignKey(
        "analysis.CustomerAnalysis", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    job = models.ForeignKey(
        "analysis.AnalysisJob", null=True, blank=True, on_delete=models.SET_NULL, related_name="notifications"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.WAITING)

    # Denormalised from the analysis so the queue sorts and filters on one table.
    priority = models.CharField(max_length=8, choices=[(p.value, p.value) for p in Priority])
    priority_rank = models.PositiveSmallIntegerField(help_text="0 High, 1 Medium, 2 Low: sorts the queue.")
    risk_score = models.PositiveSmallIntegerField()
    urgency = models.CharField(max_length=20, choices=[(u.value, u.value) for u in Urgency])
    churn_risk = models.DecimalField(max_digits=5, decimal_places=2, default=0)
    is_fallback = models.BooleanField(default=False)

    channel = models.CharField(max_length=16, choices=Channel.choices)
    kind = models.CharField(max_length=10, choices=[(k.value, k.value.title()) for k in MessageKind])
    situation = models.CharField(
        max_length=40, blank=True, choices=[(s.value, label) for s, label in SITUATION_LABELS.items()]
    )
    original_subject = models.CharField(max_length=200, blank=True)
    original_body = models.TextField()
    subject = models.CharField(max_length=200, blank=True)
    body = models.TextField()
    version = models.PositiveIntegerField(default=1)
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    edited_at = models.DateTimeField(null=True, blank=True)

    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="claims"
    )
    claimed_at = models.DateTimeField(null=True, blank=True)
    held_until = models.DateTimeField(null=True, blank=True)
    snoozed_until = models.DateTimeField(null=True, blank=True)

    sent_at = models.DateTimeField(null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    dismiss_reason = models.CharField(max_length=20, blank=True, choices=DismissReason.choices)
    dismiss_note = models.TextField(blank=True)
    dismissed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    dismissed_at = models.DateTimeField(null=True, blank=True)
    # The customer data this draft was written from, or that an agent last confirmed it against.
    data_hash = models.CharField(max_length=64, blank=True, help_text="Digest of the customer's data (not as-of).")
    data_snapshot = models.JSONField(default=dict, blank=True, help_text="The key facts, to show what changed.")
    # The approval conversation, denormalised here so the queue row and the supervisors' pending count
    # read one table; the `Approval` row below is what the send gate checks, and the lifecycle and staff
    # trails keep every step.
    approval_state = models.CharField(max_length=10, choices=ApprovalState.choices, blank=True, default="")
    approval_note = models.TextField(blank=True, help_text="The supervisor's note when a draft is sent back.")
    approval_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approval_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["priority_rank", "-risk_score", "-churn_risk", "id"]
        permissions = [
            ("work_queue", "Can work the queue: claim, edit and send drafts"),
            ("run_analysis", "Can start an analysis run"),
            ("release_claim", "Can release or reassign other agents' claims"),
            ("approve_notification", "Can approve drafts for sending"),
        ]
        indexes = [
            models.Index(fields=["status", "priority_rank", "-risk_score", "-churn_risk"], name="queue_order"),
            models.Index(fields=["status", "sent_at"]),
            models.Index(fields=["claimed_by", "status"]),
            models.Index(fields=["approval_state", "status", "approval_at"], name="queue_approvals"),
            # One per queue filter, each led by the status like `queue_order`: the count and the page of a
            # filtered view read the index alone (at 25k drafts a filter otherwise walks the table: 20 ms for
            # the count, 18 for the page). Not partial: SQLite cannot match a partial index's condition
            # against the bound parameters Django sends for `status IN (…)`.
            *(
                models.Index(
                    fields=["status", *columns, "priority_rank", "-risk_score", "-churn_risk"], name=f"queue_by_{name}"
                )
                for name, columns in (
                    ("channel", ["channel"]),
                    ("urgency", ["urgency"]),
                    ("kind", ["kind"]),
                    ("fallback", ["is_fallback", "kind"]),  # "fallback only", alone or with a kind
                )
            ),
        ]
        constraints = [
            # At most one open draft per customer: a re-run updates it in place.
            models.UniqueConstraint(
                fields=["customer"],
                condition=Q(status__in=["waiting", "held", "snoozed"]),
                name="one_open_notification_per_customer",
            ),
            models.CheckConstraint(condition=Q(risk_score__gte=1, risk_score__lte=10), name="notification_risk_range"),
            models.CheckConstraint(condition=Q(priority_rank__lte=2), name="notification_rank_range"),
            models.CheckConstraint(condition=Q(kind__in=["service", "marketing"]), name="notification_kind_valid"),
            models.CheckConstraint(
                condition=~Q(status="sent") | Q(sent_at__isnull=False), name="notification_sent_has_time"
            ),
        ]

    def __str__(self) -> str:
        # Without the customer's name: this is printed per row in lists, where it would cost a query each.
        kind, status = self.get_kind_display().lower(), self.get_status_display().lower()
        return f"Notification {self.pk}: {self.get_channel_display()} {kind}, {status}"

    @property
    def is_edited(self) -> bool:
        return (self.subject, self.body) != (self.original_subject, self.original_body)

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES


class NotificationEvent(AppendOnlyModel):
    class Kind(models.TextChoices):
        DRAFTED = "drafted"
        EDITED = "edited"
        WITHDRAWN = "withdrawn"
        SEND_REQUESTED = "send_requested", "Send requested"  # an agent pressed Send (or Retry)
        APPROVED = "approved", "Approved by a supervisor"
        SENT = "sent"
        HELD = "held"
        SUPPRESSED = "suppressed"
        DELIVERED = "delivered"
        FAILED = "failed"
        BOUNCED = "bounced"
        OPENED = "opened"
        CLICKED = "clicked"
        ACTIONED = "actioned"
        UNSUBSCRIBED = "unsubscribed"
        CALLED = "called"
        APPROVAL_ASKED = "approval_asked", "Approval requested"  # an agent asked a supervisor to approve it
        SENT_BACK = "sent_back", "Sent back by a supervisor"  # with a note saying what to change

    notification = models.ForeignKey("queue.Notification", on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=14, choices=Kind.choices)
    occurred_at = models.DateTimeField()
    source = models.CharField(max_length=40, help_text="agent, worker, provider_webhook, tracking_pixel, …")
    machine_suspected = models.BooleanField(
        default=False, help_text="Likely a scanner or image proxy: not counted as engagement."
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    metadata = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["notification", "occurred_at", "pk"]
        indexes = [models.Index(fields=["notification", "kind"]), models.Index(fields=["kind", "occurred_at"])]

    def __str__(self) -> str:
        return f"{self.kind} · notification {self.notification_id}"


class Approval(models.Model):
    """A supervisor's approval of one draft at one version; an edit after it makes it stale."""

    notification = models.OneToOneField("queue.Notification", on_delete=models.CASCADE, related_name="approval")
    version = models.PositiveIntegerField(help_text="The draft version that was approved.")
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    approved_at = models.DateTimeField()

    class Meta:
        ordering = ["-approved_at"]

    def __str__(self) -> str:
        return f"Notification {self.notification_id} v{self.version}"


class ApprovalPolicy(SingletonModel):
    """Which drafts need a supervisor's approval before an agent may send them (one row, editable data)."""

    high_priority = models.BooleanField(default=False, help_text="High priority drafts need approval.")
    marketing = models.BooleanField(default=False, help_text="Marketing drafts need approval.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "approval policy"

    def __str__(self) -> str:
        return "Approval policy"


class Delivery(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        HELD = "held", "Held (quiet hours)"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent to provider"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Failed"
        BOUNCED = "bounced", "Bounced"
        SUPPRESSED = "suppressed", "Refused at send"
        CALL_TASK = "call_task", "Call to make"
        CALLED = "called", "Call recorded"

    # Every move a delivery can make (notifications/common/transitions.py applies them).
    TRANSITIONS = {
        Status.QUEUED: {Status.SENDING, Status.HELD, Status.SUPPRESSED, Status.FAILED},
        Status.HELD: {Status.QUEUED},
        Status.SENDING: {Status.SENT, Status.DELIVERED, Status.FAILED, Status.QUEUED},  # QUEUED: a transient error
        Status.SENT: {Status.DELIVERED, Status.FAILED, Status.BOUNCED},
        Status.DELIVERED: {Status.BOUNCED},  # an email accepted by the recipient's server can still bounce
        # QUEUED: an agent's retry. DELIVERED: only an "outcome unknown" failure, when the receipt arrives late.
        Status.FAILED: {Status.QUEUED, Status.DELIVERED},
        Status.BOUNCED: set(),
        Status.SUPPRESSED: set(),
        Status.CALL_TASK: {Status.CALLED},
        Status.CALLED: set(),
    }
    # A delivery in these states may be handed to the backend by the task.
    SENDABLE = (Status.QUEUED,)
    FINAL = (Status.SENT, Status.DELIVERED, Status.BOUNCED, Status.SUPPRESSED, Status.CALLED)
    # How last_error starts when a worker died mid-send: the provider may well have delivered it.
    OUTCOME_UNKNOWN = "Outcome unknown"

    class CallOutcome(models.TextChoices):
        REACHED = "reached", "Reached"
        VOICEMAIL = "voicemail", "Voicemail"
        NO_ANSWER = "no_answer", "No answer"
        REFUSED = "refused", "Refused"

    notification = models.OneToOneField("queue.Notification", on_delete=models.CASCADE, related_name="delivery")
    channel = models.CharField(max_length=16, choices=Channel.choices)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    provider = models.CharField(max_length=40, blank=True)
    provider_message_id = models.CharField(max_length=200, blank=True, db_index=True)
    recipient = models.CharField(max_length=300, blank=True)
    last_error = models.TextField(blank=True)
    permanent = models.BooleanField(default=False, help_text="A permanent failure (bad address) is never retried.")
    held_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    sent_at = models.DateTimeField(null=True, blank=True, help_text="Handed to the provider.")
    delivered_at = models.DateTimeField(null=True, blank=True)
    # Phone: a call task the agent completes.
    call_outcome = models.CharField(max_length=10, choices=CallOutcome.choices, blank=True)
    call_note = models.TextField(blank=True)
    called_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    call_follow_up = models.DateField(null=True, blank=True, help_text="When to call again, if the agent set a date.")

    class Meta:
        verbose_name_plural = "deliveries"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "held_until"], name="delivery_status_held")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="held") | Q(held_until__isnull=False), name="delivery_held_has_time"
            ),
        ]

    def __str__(self) -> str:
        return f"delivery of notification {self.notification_id} ({self.status})"

    @property
    def retryable(self) -> bool:
        return self.status == self.Status.FAILED and not self.permanent
