from django.db import models


class ContactPolicy(models.Model):
    """A rule deciding who may be contacted, stored as data so supervisors can tune it."""

    class Rule(models.TextChoices):
        CONSENT = "consent", "Marketing consent (opted in, no later Unsubscribe)"
        ACCOUNT_STATUS = "account_status", "Account status"
        FREQUENCY_CAP = "frequency_cap", "Frequency cap"
        COOL_DOWN = "cool_down", "Cool-down after ignored notifications"
        QUIET_HOURS = "quiet_hours", "Quiet hours for SMS and push"

    rule = models.CharField(max_length=20, choices=Rule.choices, unique=True)
    enabled = models.BooleanField(default=True)
    parameters = models.JSONField(default=dict, blank=True)
    description = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "contact policies"
        ordering = ["rule"]

    def __str__(self) -> str:
        return self.get_rule_display()


class ContactDecision(models.Model):
    """Whether a customer may be contacted in a job, and every policy's verdict and reason."""

    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="contact_decisions")
    job = models.ForeignKey(
        "notifications.AnalysisJob", null=True, blank=True, on_delete=models.SET_NULL, related_name="decisions"
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
