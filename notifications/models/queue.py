from django.conf import settings
from django.db import models
from django.db.models import Q

from customers.models import Channel
from notifications.analysts.schemas import MessageKind, Priority, Urgency

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

    class DismissReason(models.TextChoices):
        ALREADY_CONTACTED = "already_contacted", "Already contacted"
        NOT_APPROPRIATE = "not_appropriate", "Not appropriate"
        VULNERABLE = "vulnerable", "Customer vulnerable"
        OTHER = "other", "Other"
        SUPERSEDED = "superseded", "Withdrawn by a newer analysis"  # set by the pipeline, never by an agent

    AGENT_DISMISS_REASONS = [(value, label) for value, label in DismissReason.choices if value != "superseded"]

    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="notifications")
    analysis = models.ForeignKey(
        "notifications.CustomerAnalysis", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    job = models.ForeignKey(
        "notifications.AnalysisJob", null=True, blank=True, on_delete=models.SET_NULL, related_name="notifications"
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
    situation = models.CharField(max_length=40, blank=True)
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
        return f"{self.customer_id} {self.channel} {self.kind} ({self.status})"

    @property
    def is_edited(self) -> bool:
        return (self.subject, self.body) != (self.original_subject, self.original_body)

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES
