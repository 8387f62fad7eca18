"""£ cost of a Bedrock call from the price table in settings."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings

# Cross-region inference profiles ("eu.anthropic…", "global.anthropic…") wrap a foundation model.
PROFILE_PREFIX = re.compile(r"^(?:us|eu|apac|us-gov|jp|au|ca|global)\.")
_PLACES = Decimal("0.000001")


def short_model_id(model_id: str) -> str:
    """The id without an ARN: "arn:aws:bedrock:…:inference-profile/eu.anthropic…" → "eu.anthropic…"."""
    return model_id.rsplit("/", 1)[-1]


def base_model_id(model_id: str) -> str:
    """The foundation model id, without an ARN or a cross-region inference-profile prefix."""
    return PROFILE_PREFIX.sub("", short_model_id(model_id))


def prices_usd(model_id: str) -> dict[str, float] | None:
    """The exact id's prices (a "global." profile is cheaper than a regional one), else the model's."""
    table = settings.BEDROCK_PRICES_USD_PER_MTOK
    return table.get(short_model_id(model_id)) or table.get(base_model_id(model_id))


def cost_gbp(
    model_id: str, input_tokens: int, output_tokens: int, cache_read_tokens: int = 0, cache_write_tokens: int = 0
) -> Decimal:
    """£ for one call; an unknown model costs 0 here (and is flagged by `prices_usd` returning None)."""
    prices = prices_usd(model_id)
    if prices is None:
        return Decimal("0")
    per_token_in = Decimal(str(prices["input"])) / 1_000_000
    per_token_out = Decimal(str(prices["output"])) / 1_000_000
    usd = (
        input_tokens * per_token_in
        + output_tokens * per_token_out
        + cache_read_tokens * per_token_in * Decimal(str(settings.BEDROCK_CACHE_READ_MULTIPLIER))
        + cache_write_tokens * per_token_in * Decimal(str(settings.BEDROCK_CACHE_WRITE_MULTIPLIER))
    )
    return (usd * Decimal(str(settings.USD_TO_GBP))).quantize(_PLACES, rounding=ROUND_HALF_UP)
