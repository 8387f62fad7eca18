from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q


class AnalysisJob(models.Model):
    """One run of the pipeline: the single source of truth the UI and commands read."""

    class Kind(models.TextChoices):
        FULL = "full", "Segmentation and prioritisation"
        SELECTED = "selected", "Selected customers"

    class Status(models.TextChoices):
        QUEUED = "queued"
        RUNNING = "running"
        SUCCEEDED = "succeeded"
        FAILED = "failed"
        CANCELLED = "cancelled"

    ACTIVE_STATUSES = (Status.QUEUED, Status.RUNNING)

    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.FULL)
    provider = models.CharField(max_length=16)
    model_id = models.CharField(max_length=120, blank=True)
    force = models.BooleanField(default=False, help_text="Re-analyse customers whose data has not changed.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0, help_text="Unchanged since their last analysis.")
    fallbacks = models.PositiveIntegerField(default=0)
    value_seekers = models.PositiveIntegerField(default=0)
    contactable = models.PositiveIntegerField(default=0)
    drafts = models.PositiveIntegerField(default=0)
    segment_counts = models.JSONField(default=dict, blank=True)
    input_tokens = models.PositiveBigIntegerField(default=0)
    output_tokens = models.PositiveBigIntegerField(default=0)
    cache_read_tokens = models.PositiveBigIntegerField(default=0)
    cost_gbp = models.DecimalField(max_digits=12, decimal_places=6, default=Decimal("0"))
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "kind"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(done__lte=F("total")) & Q(failed__lte=F("total")) & Q(skipped__lte=F("total")),
                name="job_counts_within_total",
            ),
        ]

    def __str__(self) -> str:
        return f"Job {self.pk} ({self.provider}, {self.status})"

    @property
    def processed(self) -> int:
        return self.done + self.failed + self.skipped

    @property
    def percent(self) -> int:
        return int(100 * self.processed / self.total) if self.total else (100 if self.is_finished else 0)

    @property
    def is_finished(self) -> bool:
        return self.status not in self.ACTIVE_STATUSES
