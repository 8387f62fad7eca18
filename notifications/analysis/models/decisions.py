"""What each analysis run decided about contacting a customer, and why."""

from __future__ import annotations

from django.db import models


class ContactDecision(models.Model):
    """Whether a customer may be contacted in a job, and every policy's verdict and reason."""

    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="contact_decisions")
    job = models.ForeignKey(
        "analysis.AnalysisJob", null=True, blank=True, on_delete=models.SET_NULL, related_name="decisions"
    )
    allowed = models.BooleanField()
    marketing_allowed = models.BooleanField(default=False)
    held_until = models.DateTimeField(null=True, blank=True, help_text="Quiet hours: drafted now, sent later.")
    results = models.JSONField(default=list, help_text='[{"policy": …, "passed": bool, "reason": …}]')
    decided_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-decided_at"]
        indexes = [models.Index(fields=["customer", "-decided_at"])]
        constraints = [models.UniqueConstraint(fields=["job", "customer"], name="decision_once_per_job")]

    def __str__(self) -> str:
        return f"{self.customer_id}: {'allowed' if self.allowed else 'blocked'}"
