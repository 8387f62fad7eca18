from decimal import Decimal

from django.db import models


class AICall(models.Model):
    """One analyst call, for cost accounting (recorded from CallUsage)."""

    job = models.ForeignKey(
        "analysis.AnalysisJob", null=True, blank=True, on_delete=models.SET_NULL, related_name="ai_calls"
    )
    customer = models.ForeignKey(
        "customers.Customer", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    provider = models.CharField(max_length=16)
    model_id = models.CharField(max_length=120, blank=True)
    operation = models.CharField(max_length=16)
    input_tokens = models.PositiveIntegerField(default=0)
    output_tokens = models.PositiveIntegerField(default=0)
    cache_read_tokens = models.PositiveIntegerField(default=0)
    cache_write_tokens = models.PositiveIntegerField(default=0)
    latency_ms = models.PositiveIntegerField(default=0)
    outcome = models.CharField(max_length=12, default="ok")
    cost_gbp = models.DecimalField(max_digits=10, decimal_places=6, default=Decimal("0"))
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = "AI call"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["job", "operation"])]

    def __str__(self) -> str:
        return f"{self.provider}/{self.operation} £{self.cost_gbp}"
