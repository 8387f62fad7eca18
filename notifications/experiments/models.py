"""The holdout experiment's settings: one row supervisors edit in the admin (every change audited)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models

from notifications.common.models import SingletonModel
from notifications.experiments.holdout import DEFAULT_SHARE, MAX_SHARE


class HoldoutExperiment(SingletonModel):
    """Which experiment is running, what share is held out, and whether it is paused.

    A run snapshots this row per batch of customers: a change applies from the
    next batch. Changing the key starts a new experiment (everyone is reshuffled
    and the report starts again); changing the share keeps everyone already held
    out held out (a larger share only adds customers).
    """

    key = models.CharField(
        max_length=40,
        default="holdout-1",
        validators=[RegexValidator(r"^[a-z0-9][a-z0-9-]*$", "Lower-case letters, digits and hyphens.")],
        help_text="Names the experiment; a new key reshuffles who is held out and starts a new report.",
    )
    share = models.DecimalField(
        max_digits=4,
        decimal_places=3,
        default=Decimal(str(DEFAULT_SHARE)),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal(str(MAX_SHARE)))],
        help_text="Share of proactive contacts held out, 0 to 0.5 (0.1 = 10%).",
    )
    paused = models.BooleanField(default=False, help_text="Paused: nobody new is held out; everyone is contacted.")
    window_days = models.PositiveSmallIntegerField(
        default=60,
        validators=[MinValueValidator(7), MaxValueValidator(365)],
        help_text="Days after each decision over which outcomes are read from later exports.",
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = verbose_name_plural = "holdout experiment"

    def __str__(self) -> str:
        state = "paused" if self.paused else f"{float(self.share) * 100:g}% held out"
        return f"Holdout experiment {self.key} ({state})"
