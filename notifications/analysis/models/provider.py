"""The admin-editable AI provider settings (one row)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models

from notifications.common.models import SingletonModel


class ProviderSettings(SingletonModel):
    """The one row of admin-editable AI settings; empty fields fall back to the environment's settings."""

    class Provider(models.TextChoices):
        OFFLINE = "offline", "Offline rules (no AI, no cost)"
        BEDROCK = "bedrock", "AWS Bedrock"

    provider = models.CharField(
        max_length=16, blank=True, choices=Provider.choices, help_text="Blank: the AI_PROVIDER setting."
    )
    bulk_model_id = models.CharField(max_length=120, blank=True, help_text="Blank: the BEDROCK_BULK_MODEL_ID setting.")
    monthly_budget_gbp = models.DecimalField(
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
        help_text="Blank: the AI_MONTHLY_BUDGET_GBP setting. At this month's spend, Bedrock stops and the "
        "offline analyst answers.",
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = verbose_name_plural = "provider settings"

    def __str__(self) -> str:
        return "Provider settings"

    def clean(self) -> None:
        # Late: the bedrock package imports the provider selector, which imports this model.
        from notifications.analysis.analysts.bedrock.pricing import prices_usd

        super().clean()
        prices = settings.BEDROCK_PRICES_USD_PER_MTOK
        # Any id, profile id or ARN whose model has a price ("eu." and "global." profiles included), so
        # the budget counts its calls.
        if self.bulk_model_id and prices and prices_usd(self.bulk_model_id) is None:
            raise ValidationError(
                {"bulk_model_id": f"No price for this model in BEDROCK_PRICES_USD_PER_MTOK: {', '.join(prices)}"}
            )
