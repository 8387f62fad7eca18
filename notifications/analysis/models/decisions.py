"""What each analysis run decided about contacting a customer, and why."""

from __future__ import annotations

from django.db import models


class ContactDecision(models.Model):
    """Whether a customer may be contacted in a job, and every policy's verdict and reason.

    With a holdout experiment running, each customer the run would contact is
    also given an arm (notifications/experiments/holdout.py): held out
    (control: never drafted or sent), contacted (treated), or a needed service
    contact that is never held out (excluded from the comparison).
    """

    class Arm(models.TextChoices):
        TREATED = "treated", "Contacted (treated)"
        CONTROL = "control", "Held out (control group)"
        EXCLUDED = "excluded", "Needed service contact: never held out"

    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="contact_decisions")
    job = models.ForeignKey(
        "analysis.AnalysisJob", null=True, blank=True, on_delete=models.SET_NULL, related_name="decisions"
    )
    allowed = models.BooleanField()
    marketing_allowed = models.BooleanField(default=False)
    held_until = models.DateTimeField(null=True, blank=True, help_text="Quiet hours: drafted now, sent later.")
    results = models.JSONField(default=list, help_text='[{"policy": …, "passed": bool, "reason": …}]')
    decided_at = models.DateTimeField(auto_now_add=True)
    experiment = models.CharField(max_length=40, blank=True, help_text="The holdout experiment's key, if one ran.")
    arm = models.CharField(max_length=10, blank=True, choices=Arm.choices)
    holdout_note = models.CharField(
        max_length=200, blank=True, help_text="Why the customer was held out, or why they never could be."
    )

    class Meta:
        ordering = ["-decided_at"]
        indexes = [
            models.Index(fields=["customer", "-decided_at"]),
            models.Index(fields=["experiment", "arm", "customer", "decided_at"]),
        ]
        constraints = [models.UniqueConstraint(fields=["job", "customer"], name="decision_once_per_job")]

    def __str__(self) -> str:
        return f"{self.customer_id}: {'allowed' if self.allowed else 'blocked'}"
