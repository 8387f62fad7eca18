"""Delivery: what happened to a queue item after the agent pressed Send.

- `Delivery` is the exactly-once key: one row per notification (a OneToOne), so
  a double click, two tabs, a retried task or a redelivered broker message all
  find the same row instead of creating a second send.
- `NotificationEvent` and `ConsentChange` are append-only: the trail and the
  consent ledger are evidence (PECR, Ofgem outcomes), so rows are never edited
  or deleted through the ORM (save/delete on an existing row raises).
- `CustomerContact` holds the addresses the datasets do not have (email, phone,
  push endpoint) and the "bad address" marks a bounce sets, so retries stop.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from customers.models import Channel


class AppendOnlyError(Exception):
    """Raised on an attempt to change or delete a row of an append-only table."""


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError(f"{self.model.__name__} rows are append-only: they cannot be updated")

    def delete(self):
        raise AppendOnlyError(f"{self.model.__name__} rows are append-only: they cannot be deleted")


class AppendOnlyModel(models.Model):
    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError(f"{type(self).__name__} rows are append-only: they cannot be updated")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(f"{type(self).__name__} rows are append-only: they cannot be deleted")


class CustomerContact(models.Model):
    """Where to reach a customer, and whether that address is known to be bad."""

    customer = models.OneToOneField("customers.Customer", on_delete=models.CASCADE, related_name="contact")
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=20, blank=True, help_text="E.164, e.g. +447700900123")
    push_endpoint_arn = models.CharField(max_length=300, blank=True, help_text="SNS platform endpoint ARN")
    is_placeholder = models.BooleanField(
        default=False, help_text="Derived demo address (example.invalid / Ofcom drama range), not a real one."
    )
    email_bad = models.BooleanField(default=False)
    phone_bad = models.BooleanField(default=False)
    push_bad = models.BooleanField(default=False)
    bad_reason = models.CharField(max_length=300, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"contact for customer {self.customer_id}"


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

    notification = models.OneToOneField("notifications.Notification", on_delete=models.CASCADE, related_name="delivery")
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


class NotificationEvent(AppendOnlyModel):
    class Kind(models.TextChoices):
        DRAFTED = "drafted"
        EDITED = "edited"
        WITHDRAWN = "withdrawn"
        APPROVED = "approved"
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

    notification = models.ForeignKey("notifications.Notification", on_delete=models.CASCADE, related_name="events")
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


class ConsentChange(AppendOnlyModel):
    class Source(models.TextChoices):
        UNSUBSCRIBE_LINK = "unsubscribe_link", "Unsubscribe link"
        ONE_CLICK = "one_click", "List-Unsubscribe one-click (RFC 8058)"
        INTERACTION_IMPORT = "interaction_import", "Interaction import"
        AGENT = "agent", "Agent"
        INBOUND_SMS = "inbound_sms", "SMS reply (STOP)"

    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="consent_changes")
    marketing_consent = models.BooleanField(help_text="True: given; False: withdrawn.")
    channel = models.CharField(max_length=16, blank=True, help_text="Blank: every channel.")
    source = models.CharField(max_length=20, choices=Source.choices)
    evidence = models.JSONField(default=dict, blank=True)
    notification = models.ForeignKey(
        "notifications.Notification", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    occurred_at = models.DateTimeField()

    class Meta:
        ordering = ["customer", "-occurred_at", "-pk"]
        indexes = [models.Index(fields=["customer", "-occurred_at"])]

    def __str__(self) -> str:
        verb = "given" if self.marketing_consent else "withdrawn"
        return f"marketing consent {verb} · customer {self.customer_id}"


class ProviderReceipt(models.Model):
    """Every webhook message id seen once: a replay of the same MessageId is ignored."""

    message_id = models.CharField(max_length=200, unique=True)
    received_at = models.DateTimeField(auto_now_add=True)
    payload = models.JSONField(default=dict)
    outcome = models.CharField(max_length=200, blank=True)

    def __str__(self) -> str:
        return self.message_id
