from decimal import Decimal

from django.db import models
from django.db.models import Q


class AICall(models.Model):
    """One paid analyst call: the usage ledger (notifications/analysis/services/ledger.py).

    A Bedrock call of a job is written PENDING, with an estimate of its cost, before its
    request is sent, and identified by (job, customer, operation, attempt). Its answer
    settles it with the tokens Bedrock reported; a call whose worker died in flight is
    LOST and keeps the estimate (Bedrock billed it). `response` holds an answer only
    until the customer's analysis is stored, so a redelivered chunk replays it.
    """

    class Outcome(models.TextChoices):
        PENDING = "pending", "In flight"
        OK = "ok"
        INVALID = "invalid"
        THROTTLED = "throttled"
        ERROR = "error"
        TIMEOUT = "timeout", "Timed out"
        LOST = "lost", "Lost with its worker"

    job = models.ForeignKey(
        "analysis.AnalysisJob", null=True, blank=True, on_delete=models.SET_NULL, related_name="ai_calls"
    )
    customer = models.ForeignKey(
        "customers.Customer", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    provider = models.CharField(max_length=16)
    model_id = models.CharField(max_length=120, blank=True)
    operation = models.CharField(max_length=16)
    attempt = models.PositiveSmallIntegerField(default=1, help_text="Calls so far for this job, customer and step.")
    input_tokens = models.PositiveIntegerField(default=0)
    output_tokens = models.PositiveIntegerField(default=0)
    cache_read_tokens = models.PositiveIntegerField(default=0)
    cache_write_tokens = models.PositiveIntegerField(default=0)
    latency_ms = models.PositiveIntegerField(default=0)
    outcome = models.CharField(max_length=12, choices=Outcome.choices, default=Outcome.OK)
    cost_gbp = models.DecimalField(max_digits=10, decimal_places=6, default=Decimal("0"))
    estimated = models.BooleanField(
        default=False, help_text="Tokens and cost are our upper-bound estimate: Bedrock's own figures never arrived."
    )
    response = models.JSONField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = "AI call"
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["job", "operation"]),
            models.Index(fields=["outcome", "created_at"], name="aicall_outcome_created"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["job", "customer", "operation", "attempt"],
                condition=Q(job__isnull=False, customer__isnull=False),
                name="aicall_one_row_per_request",
            )
        ]

    def __str__(self) -> str:
        return f"{self.provider}/{self.operation} £{self.cost_gbp}"
