"""Control-room records: the append-only audit trail, draft approvals, bulk imports, provider settings."""

from __future__ import annotations

from decimal import Decimal
from typing import Self

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models

from notifications.models.delivery import AppendOnlyModel


class AuditEvent(AppendOnlyModel):
    """One thing that happened, who did it and when. Never changed once written.

    The database refuses it too (triggers, control/append_only.py); only an erasure may delete.
    """

    class Action(models.TextChoices):
        EDITED = "edited", "Draft edited"
        REVERTED = "reverted", "Draft reverted to the original"
        CLAIMED = "claimed", "Claimed"
        RELEASED = "released", "Claim released"
        APPROVED = "approved", "Approved"
        SENT = "sent", "Sent"
        DISMISSED = "dismissed", "Dismissed"
        SNOOZED = "snoozed", "Snoozed"
        REANALYSIS = "reanalysis", "Re-analysis started"
        CONSENT = "consent", "Consent changed"
        IMPORTED = "imported", "Data imported"
        POLICY_CHANGED = "policy_changed", "Contact policy changed"
        SETTINGS_CHANGED = "settings_changed", "Provider settings changed"
        ERASED = "erased", "Customer erased"

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(max_length=150, blank=True, help_text="Kept if the user is later deleted.")
    action = models.CharField(max_length=20, choices=Action.choices, db_index=True)
    object_type = models.CharField(max_length=60, blank=True, help_text="app_label.model")
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(max_length=200, blank=True)
    customer_ref = models.CharField(max_length=32, blank=True, db_index=True, help_text="The Customer_ID, if any.")
    summary = models.CharField(max_length=300)
    diff = models.TextField(blank=True, help_text="A unified diff of the text that changed.")
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_name or 'system'}: {self.summary}"


class Approval(models.Model):
    """A supervisor's approval of one draft at one version; an edit after it makes it stale."""

    notification = models.OneToOneField("notifications.Notification", on_delete=models.CASCADE, related_name="approval")
    version = models.PositiveIntegerField(help_text="The draft version that was approved.")
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    approved_at = models.DateTimeField()

    class Meta:
        ordering = ["-approved_at"]

    def __str__(self) -> str:
        return f"Notification {self.notification_id} v{self.version}"


class ImportRun(models.Model):
    """One "import all five" upload, run as a Celery job; the page polls this row for progress."""

    class Status(models.TextChoices):
        QUEUED = "queued"
        RUNNING = "running"
        SUCCEEDED = "succeeded"
        FAILED = "failed"

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    directory = models.CharField(max_length=300, help_text="Where the uploaded files are kept (var/imports/<id>/).")
    files = models.JSONField(default=dict, help_text="dataset -> uploaded file name")
    progress = models.JSONField(default=dict, help_text="dataset -> rows read so far")
    summaries = models.JSONField(default=list, help_text="per-file counts when finished")
    error_count = models.PositiveIntegerField(default=0)
    errors = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Import {self.pk} ({self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.SUCCEEDED, self.Status.FAILED)

    @property
    def rows_read(self) -> int:
        return sum(int(v) for v in (self.progress or {}).values())


class SingletonModel(models.Model):
    """A table of one row (pk 1): settings an admin edits in place."""

    class Meta:
        abstract = True

    def save(self, *args: object, **kwargs: object) -> None:
        self.pk = 1  # a singleton: there is only ever one row
        super().save(*args, **kwargs)

    @classmethod
    def load(cls) -> Self:
        """The row, or unsaved defaults when nobody has saved it yet (no write on read)."""
        return cls.objects.filter(pk=1).first() or cls(pk=1)


class ProviderSettings(SingletonModel):
    """The one row of admin-editable AI settings; empty fields fall back to the environment's settings."""

    class Provider(models.TextChoices):
        OFFLINE = "offline", "Offline rules (no AI, no cost)"
        BEDROCK = "bedrock", "AWS Bedrock"

    provider = models.CharField(
        max_length=16, blank=True, choices=Provider.choices, help_text="Blank: the AI_PROVIDER setting."
    )
    bulk_model_id = models.CharField(max_length=120, blank=True, help_text="Blank: the BEDROCK_BULK_MODEL_ID setting.")
    monthly_budget_gbp = models.DecimalField(
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
        help_text="Blank: the AI_MONTHLY_BUDGET_GBP setting. At this month's spend, Bedrock stops and the "
        "offline analyst answers.",
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = verbose_name_plural = "provider settings"

    def __str__(self) -> str:
        return "Provider settings"

    def clean(self) -> None:
        from notifications.analysts.bedrock.pricing import prices_usd

        super().clean()
        prices = settings.BEDROCK_PRICES_USD_PER_MTOK
        # Any id, profile id or ARN whose model has a price ("eu." and "global." profiles included), so
        # the budget counts its calls.
        if self.bulk_model_id and prices and prices_usd(self.bulk_model_id) is None:
            raise ValidationError(
                {"bulk_model_id": f"No price for this model in BEDROCK_PRICES_USD_PER_MTOK: {', '.join(prices)}"}
            )


class ApprovalPolicy(SingletonModel):
    """Which drafts need a supervisor's approval before an agent may send them (one row, editable data)."""

    high_priority = models.BooleanField(default=False, help_text="High priority drafts need approval.")
    marketing = models.BooleanField(default=False, help_text="Marketing drafts need approval.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "approval policy"

    def __str__(self) -> str:
        return "Approval policy"
