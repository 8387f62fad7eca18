"""The staff audit trail: what a person (or the system on their behalf) did, append-only."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from notifications.common.models import AppendOnlyModel


class AuditEvent(AppendOnlyModel):
    """One thing that happened, who did it and when. Never changed once written.

    The database refuses it too (triggers, notifications/common/append_only.py); only an erasure may delete.
    """

    class Action(models.TextChoices):
        EDITED = "edited", "Draft edited"
        REVERTED = "reverted", "Draft reverted to the original"
        CLAIMED = "claimed", "Claimed"
        RELEASED = "released", "Claim released"
        APPROVAL_REQUESTED = "approval_requested", "Approval requested"
        APPROVED = "approved", "Approved"
        SENT_BACK = "sent_back", "Sent back for changes"
        SENT = "sent", "Sent"
        DISMISSED = "dismissed", "Dismissed"
        SNOOZED = "snoozed", "Snoozed"
        REANALYSIS = "reanalysis", "Re-analysis started"
        JOB_CANCELLED = "job_cancelled", "Analysis run cancelled"
        CONSENT = "consent", "Consent changed"
        IMPORTED = "imported", "Data imported"
        POLICY_CHANGED = "policy_changed", "Contact policy changed"
        SETTINGS_CHANGED = "settings_changed", "Provider settings changed"
        EXPERIMENT_CHANGED = "experiment_changed", "Holdout experiment changed"
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
        return f"{timezone.localtime(self.created_at):%Y-%m-%d %H:%M} {self.actor_name or 'system'}: {self.summary}"
