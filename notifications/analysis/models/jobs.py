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
    # Every move a job can make (notifications/common/transitions.py applies them). A job runs once its
    # first chunk is claimed; from queued it can also end at once: nothing to analyse (succeeded), the
    # task queue unreachable or a configuration error (failed), or a supervisor's cancel.
    TRANSITIONS = {
        Status.QUEUED: {Status.RUNNING, Status.SUCCEEDED, Status.FAILED, Status.CANCELLED},
        Status.RUNNING: {Status.SUCCEEDED, Status.FAILED, Status.CANCELLED},
        Status.SUCCEEDED: set(),
        Status.FAILED: set(),
        Status.CANCELLED: set(),
    }

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
            # One active job per kind, enforced by the database: two agents pressing
            # "Run analysis" at once cannot start two paid runs (start_job catches the clash).
            models.UniqueConstraint(
                fields=["kind"], condition=Q(status__in=["queued", "running"]), name="one_active_job_per_kind"
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

    @property
    def bedrock_percent(self) -> float | None:
        """The % of analysed customers that needed Bedrock (the rules decided the rest); None for an
        offline job, or when the job was not read with `notifications.jobs.selectors.with_bedrock_reach`."""
        customers = getattr(self, "bedrock_customers", None)
        if customers is None or self.provider == "offline":
            return None
        return round(100 * customers / self.done, 1) if self.done else 0.0


class AnalysisChunk(models.Model):
    """A slice of a job's customers: the unit of one Celery task.

    `committed` counts the chunk's customers whose results (and counter
    increments) are already committed, in order. A redelivered task resumes
    from there, and a commit only applies when `committed` still equals its
    starting offset, so counters move exactly once per customer even if two
    deliveries of one chunk run at the same time.

    A delivery works the chunk only while it holds the lease (notifications/jobs/leases.py):
    `lease_token` names the holder's claim, `worker` the process, and the holder's heartbeat
    keeps `lease_expires_at` in the future. An unfinished chunk whose lease lapsed lost its
    worker: recovery re-queues it and stamps `lost_at`.
    """

    class Status(models.TextChoices):
        PENDING = "pending"
        RUNNING = "running"
        DONE = "done"
        FAILED = "failed"
        CANCELLED = "cancelled"

    FINISHED_STATUSES = (Status.DONE, Status.FAILED, Status.CANCELLED)
    # Every move a chunk can make. pending → pending: recovery re-queues a chunk released for a retry that
    # never came; running → running: a worker takes over a lapsed lease; running → pending: a retry.
    TRANSITIONS = {
        Status.PENDING: {Status.PENDING, Status.RUNNING, Status.FAILED, Status.CANCELLED},
        Status.RUNNING: {Status.RUNNING, Status.PENDING, Status.DONE, Status.FAILED, Status.CANCELLED},
        Status.DONE: set(),
        Status.FAILED: set(),
        Status.CANCELLED: set(),
    }

    job = models.ForeignKey(AnalysisJob, on_delete=models.CASCADE, related_name="chunks")
    index = models.PositiveIntegerField()
    customer_pks = models.JSONField(default=list)
    size = models.PositiveIntegerField(default=0)
    committed = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0, help_text="Deliveries that started work.")
    error = models.TextField(blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    lease_token = models.CharField(max_length=32, blank=True)
    lease_expires_at = models.DateTimeField(
        null=True, blank=True, help_text="Re-queued by recovery if nothing renews it by then."
    )
    worker = models.CharField(max_length=120, blank=True, help_text="host:pid of the last process to claim it.")
    lost_at = models.DateTimeField(null=True, blank=True, help_text="Last taken back from a worker that was lost.")
    recoveries = models.PositiveSmallIntegerField(default=0, help_text="Times taken back from a lost worker.")

    class Meta:
        ordering = ["job", "index"]
        indexes = [models.Index(fields=["lease_expires_at"], name="chunk_lease_expiry")]
        constraints = [
            models.UniqueConstraint(fields=["job", "index"], name="chunk_index_unique"),
            models.CheckConstraint(condition=Q(committed__lte=F("size")), name="chunk_committed_within_size"),
        ]

    def __str__(self) -> str:
        return f"Job {self.job_id} chunk {self.index} ({self.status})"
