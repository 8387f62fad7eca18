"""The pipeline's side of the analyst contract (notifications.analysis.services.analyse).

Kept apart so the pipeline reads as a pipeline: which analyst a provider
means (the monthly budget may swap Bedrock for the offline rules), and the
shared Bedrock rate limits around every call.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

from notifications.analysis.services import analyse as analysis
from notifications.analysis.services.budget import guard_analyst
from notifications.analysis.services.ratelimit import RateLimiter, bedrock_limiter, bedrock_token_limiter


class ThrottledAnalyst:
    """Wraps a paid analyst so each call it makes first takes a slot from the shared RPM (and TPM) limits."""

    def __init__(self, inner: Any, limiter: RateLimiter, tokens: RateLimiter | None = None):
        self._inner = inner
        self._limiter = limiter
        self._tokens = tokens
        self.name = getattr(inner, "name", "bedrock")

    def _slot(self, operation: str, profile) -> None:
        # A customer the offline rules decide alone (AI only where they are unsure) makes no call.
        will_call = getattr(self._inner, "will_call", None)
        if will_call is not None and not will_call(operation, profile):
            return
        if self._tokens is not None:
            self._tokens.wait_below()
        self._limiter.acquire()

    def segment(self, profile):
        self._slot("segment", profile)
        return self._inner.segment(profile)

    def prioritise(self, profile):
        self._slot("prioritise", profile)
        return self._inner.prioritise(profile)

    def draft(self, profile, analysis):
        self._slot("draft", profile)
        return self._inner.draft(profile, analysis)

    def take_usage(self) -> list:
        """The inner analyst's usage, counted against the tokens-per-minute budget on the way out."""
        take = getattr(self._inner, "take_usage", None)
        usage = list(take()) if take is not None else []
        if self._tokens is not None:
            self._tokens.add(sum(u.input_tokens + u.output_tokens for u in usage))
        return usage

    def __getattr__(self, name: str) -> Any:  # anything else (usage records, model id) is the inner analyst's
        return getattr(self._inner, name)


def resolve(provider: str) -> Any:

    if (provider or settings.AI_PROVIDER) == "offline":
        return analysis.get_analyst(provider)
    # The monthly AI budget spent: the offline rules answer, and the Bedrock client is never built.
    analyst = guard_analyst(lambda: analysis.get_analyst(provider))
    if is_offline(analyst):
        return analyst
    return ThrottledAnalyst(analyst, bedrock_limiter(), bedrock_token_limiter())


def is_offline(analyst: Any) -> bool:
    return getattr(analyst, "name", "") == "offline"
