"""The AI provider and bulk model in force: the admin's Provider settings row, else the environment."""

from __future__ import annotations

from django.conf import settings

from notifications.analysis.models import ProviderSettings


def effective_provider() -> str:
    return ProviderSettings.load().provider or settings.AI_PROVIDER


def effective_bulk_model_id() -> str:
    """Read when a worker builds its Bedrock client (once per process): a change applies to workers started after."""
    return ProviderSettings.load().bulk_model_id or settings.BEDROCK_BULK_MODEL_ID
