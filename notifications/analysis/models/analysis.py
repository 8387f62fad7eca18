from django.db import models
from django.db.models import Q

from notifications.profiles.schemas import Priority, Segment, Urgency


class CustomerAnalysis(models.Model):
    """One analyst verdict for one customer in one job.

    Unique per (job, customer): a redelivered chunk finds its earlier result
    instead of analysing (and paying for) the customer twice.
    """

    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="analyses")
    job = models.ForeignKey(
        "analysis.AnalysisJob", null=True, blank=True, on_delete=models.SET_NULL, related_name="analyses"
    )
    provider = models.CharField(max_length=16)
    model_id = models.CharField(max_length=120, blank=True)
    profile_hash = models.CharField(max_length=64, help_text="Digest of the data the analyst read.")
    segment = models.CharField(max_length=20, choices=[(s.value, s.value) for s in Segment])
    segment_confidence = models.FloatField()
    segment_reasons = models.JSONField(default=list)
    # Priority analysis: Value Seekers only, so nullable.
    risk_score = models.PositiveSmallIntegerField(null=True, blank=True)
    priority = models.CharField(max_length=8, blank=True, choices=[(p.value, p.value) for p in Priority])
    urgency = models.CharField(max_length=20, blank=True, choices=[(u.value, u.value) for u in Urgency])
    detail = models.JSONField(
        default=dict, blank=True, help_text="The full PriorityAnalysis (trigger factors, insights, steps…)."
    )
    draft = models.JSONField(
        default=dict,
        blank=True,
        help_text="The DraftMessage, kept so a redelivered chunk can queue it without re-asking.",
    )
    should_contact = models.BooleanField(default=False)
    held_out = models.BooleanField(
        default=False, help_text="In the holdout control group: the analyst's priority is kept, no draft is written."
    )
    no_contact_reason = models.TextField(blank=True)
    warnings = models.JSONField(default=list, blank=True)
    is_fallback = models.BooleanField(default=False)
    fallback_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "customer analyses"
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["customer", "-created_at"]),
            models.Index(fields=["segment"]),
        ]
        constraints = [
            models.UniqueConstraint(fields=["job", "customer"], name="analysis_once_per_job"),
            models.CheckConstraint(
                condition=Q(risk_score__isnull=True) | Q(risk_score__gte=1, risk_score__lte=10),
                name="analysis_risk_range",
            ),
            models.CheckConstraint(
                condition=Q(segment_confidence__gte=0, segment_confidence__lte=1), name="analysis_confidence_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id}: {self.segment}"
