"""What the analyst needs to know about Bedrock's models beyond their prices.

Prompt caching: a `cachePoint` caches everything before it (tool definitions,
then the system prompt) only when that prefix reaches the model's minimum; below
it the request succeeds and nothing is cached, so the analyst only asks when
its estimate of the prefix clears the minimum. Minimums per checkpoint from the
Bedrock prompt-caching documentation and the model cards (checked 2026-12-01).
"""

from __future__ import annotations

import math

from notifications.analysis.analysts.bedrock.pricing import PROFILE_PREFIX, base_model_id, short_model_id

# Longest prefix first: "claude-sonnet-4-5" before "claude-sonnet-4".
CACHE_MIN_TOKENS: tuple[tuple[str, int], ...] = (
    ("anthropic.claude-haiku-4-5", 4096),
    ("anthropic.claude-opus-4-5", 4096),
    ("anthropic.claude-sonnet-4-5", 1024),
    ("anthropic.claude-sonnet-4", 1024),
    ("anthropic.claude-opus-4", 1024),
    ("anthropic.claude-3-7-sonnet", 1024),
    ("anthropic.claude-3-5-haiku", 2048),
    ("amazon.nova", 1000),
)
# Anthropic adds a tool-use system prompt when tools are given: 313 tokens with a forced tool on the
# Claude 4 generation (Anthropic's tool-use pricing notes). It is part of the cacheable prefix.
FORCED_TOOL_OVERHEAD_TOKENS = 313
# A generous estimate of tokens for the prefix check (English and JSON run ~3-4 characters a token):
# a cache point on a prefix that turns out too short costs nothing (Bedrock just does not cache), while
# a missed one costs every call the full input price.
CHARS_PER_TOKEN = 3.0

# What to suggest when a configured id is refused (the settings' defaults, in the region's geography).
SUGGESTED_BULK_MODEL = "anthropic.claude-haiku-4-5-20251001-v1:0"
SUGGESTED_DRAFT_MODEL = "anthropic.claude-sonnet-4-5-20250929-v1:0"


def cache_min_tokens(model_id: str) -> int | None:
    """The model's minimum cacheable prefix, or None when Bedrock offers it no prompt caching."""
    base = base_model_id(model_id)
    return next((minimum for prefix, minimum in CACHE_MIN_TOKENS if base.startswith(prefix)), None)


def estimate_tokens(text: str) -> int:
    return math.ceil(len(text) / CHARS_PER_TOKEN)


def is_inference_profile(model_id: str) -> bool:
    short = short_model_id(model_id)
    return bool(PROFILE_PREFIX.match(short)) or "inference-profile/" in model_id


def geography(region: str) -> str:
    """The cross-region inference prefix for a region: eu-west-2 → "eu"."""
    for prefix, geo in (("eu-", "eu"), ("us-gov-", "us-gov"), ("us-", "us"), ("ap-", "apac")):
        if region.startswith(prefix):
            return geo
    return "global"


def profile_for(model_id: str, region: str) -> str:
    """The inference profile of `model_id` in the region's geography: the id to use instead of a bare one."""
    return f"{geography(region)}.{base_model_id(model_id)}"


def suggestion(setting: str, region: str) -> str:
    """A current model for the setting named ("BEDROCK_BULK_MODEL_ID", "the bulk model in Provider settings"…)."""
    return profile_for(SUGGESTED_BULK_MODEL if "bulk" in setting.lower() else SUGGESTED_DRAFT_MODEL, region)
