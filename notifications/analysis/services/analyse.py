"""Analyse one customer: segment; for Value Seekers prioritise and draft; apply the trust checks.

This is the one entry point the job layer calls. `AnalystUnavailable`
(throttling, 5xx, timeouts) propagates so the job can retry with backoff; after
its last retry it calls `fallback_result`. An answer that fails validation even
after the analyst's own corrective retry (`InvalidAnswer`) is replaced, for that
step only, by the offline analyst's, and the result is marked as a fallback.

Hard gates applied here whatever the analyst said:
- no marketing draft without marketing consent (consent.py): the analysis is
  switched to the customer's service need, or to no contact;
- every draft is checked (grounding, British English, length, opt-out,
  promotional wording in service messages); what remains is left in `warnings`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from django.conf import settings

from notifications.analysis.analysts.base import Analyst, AnalystUnavailable, InvalidAnswer
from notifications.analysis.analysts.bedrock import BedrockAnalyst
from notifications.analysis.analysts.offline import OfflineAnalyst
from notifications.analysis.analysts.offline.signals import choose_situation, derive
from notifications.content.checks import check_message
from notifications.content.grounding import Facts, invented_in_factor, profile_facts
from notifications.profiles.consent import marketing_consent
from notifications.profiles.schemas import (
    SITUATION_KIND,
    CallUsage,
    CustomerAnalysisResult,
    CustomerProfile,
    DraftMessage,
    MessageKind,
    PriorityAnalysis,
    Segment,
)

PROVIDERS = ("offline", "bedrock")
HoldOut = Callable[[PriorityAnalysis], bool]


def get_analyst(provider: str | None = None) -> Analyst:
    """The analyst for `provider` (default: settings.AI_PROVIDER)."""
    provider = provider or settings.AI_PROVIDER
    if provider == "offline":
        return OfflineAnalyst()
    if provider == "bedrock":
        return _bedrock_analyst()
    raise ValueError(f"Unknown AI provider {provider!r}; expected one of {PROVIDERS}")


@functools.cache
def _bedrock_analyst() -> Analyst:
    # One client per process: boto3 clients are thread-safe and slow to build.

    return BedrockAnalyst.from_settings()


def fallback_result(
    profile: CustomerProfile, reason: str, *, contactable: bool = True, hold_out: HoldOut | None = None
) -> CustomerAnalysisResult:
    """The offline analyst's result, marked as standing in for the configured one."""
    result = analyse_customer(profile, OfflineAnalyst(), contactable=contactable, hold_out=hold_out)
    return result.model_copy(update={"fallback": True, "fallback_reason": reason})


def analyse_customer(
    profile: CustomerProfile,
    analyst: Analyst | None = None,
    *,
    contactable: bool = True,
    hold_out: HoldOut | None = None,
) -> CustomerAnalysisResult:
    """`contactable=False` (the contact policies rule the customer out): segmentation only, so no paid
    priority or draft call is made for someone we may not contact.

    `hold_out(priority)` True (the holdout control group): the priority is kept, but no draft is
    written (or paid for): the customer is not contacted, and is measured against those who are."""
    analyst = analyst or get_analyst()
    # The stand-in for failed steps: the analyst's own offline twin (same "today"), or a fresh one.
    offline = analyst if type(analyst) is OfflineAnalyst else getattr(analyst, "offline", None) or OfflineAnalyst()
    run = _Run(analyst, offline)
    try:
        segmentation = run.step("segment", lambda a: a.segment(profile))
        priority = draft = None
        held_out = False
        if contactable and segmentation.segment == Segment.VALUE_SEEKERS:
            priority = run.step("prioritise", lambda a: a.prioritise(profile))
            priority = _enforce_consent(profile, priority, offline, run.warnings)
            facts = profile_facts(profile, offline.today)  # once per customer: the checks below share it
            _check_factors(priority, facts, run.warnings)
            held_out = priority.should_contact and hold_out is not None and hold_out(priority)
            if priority.should_contact and not held_out:
                draft = run.step("draft", lambda a: a.draft(profile, priority))
                draft = _check_draft(profile, priority, draft, offline, facts, run.warnings)
    except AnalystUnavailable as exc:
        exc.usage = run.usage  # calls already made (and paid for) before the failure
        raise
    return CustomerAnalysisResult(
        customer_id=profile.customer_id,
        provider=analyst.name,
        segmentation=segmentation,
        priority=priority,
        draft=draft,
        held_out=held_out,
        warnings=run.warnings,
        fallback=bool(run.fallbacks),
        fallback_reason="; ".join(run.fallbacks),
        usage=run.usage,
    )


class _Run:
    """One customer's run: the steps, their usage, and any per-step fallbacks."""

    def __init__(self, analyst: Analyst, offline: OfflineAnalyst) -> None:
        self.analyst = analyst
        self.offline = offline
        self.usage: list[CallUsage] = []
        self.warnings: list[str] = []
        self.fallbacks: list[str] = []

    def step(self, operation: str, call):
        try:
            return call(self.analyst)
        except InvalidAnswer as exc:
            self.fallbacks.append(str(exc))
            return call(self.offline)
        finally:
            # Analysts that talk to a service account for their calls and corrections per thread.
            if (take := getattr(self.analyst, "take_usage", None)) is not None:
                self.usage.extend(take())
            if (take := getattr(self.analyst, "take_warnings", None)) is not None:
                self.warnings.extend(take())


def _enforce_consent(
    profile: CustomerProfile, priority: PriorityAnalysis, offline: OfflineAnalyst, warnings: list[str]
) -> PriorityAnalysis:
    """A marketing situation without consent becomes the service need, or no contact."""
    if not priority.should_contact or SITUATION_KIND.get(priority.situation) != MessageKind.MARKETING:
        return priority
    consent = marketing_consent(profile)
    if consent.marketing:
        return priority
    situation, reason = choose_situation(profile, derive(profile, offline.today))
    if situation is not None and SITUATION_KIND[situation] == MessageKind.SERVICE:
        warnings.append(f"Marketing situation {priority.situation!r} replaced by {situation.value!r}: no consent.")
        return priority.model_copy(update={"situation": situation.value})
    warnings.append(f"Not contacted: {consent.reason}.")
    return priority.model_copy(update={"should_contact": False, "no_contact_reason": reason, "situation": ""})


def _check_factors(priority: PriorityAnalysis, facts: Facts, warnings: list[str]) -> None:
    for factor in priority.trigger_factors:
        for invented in invented_in_factor(factor, facts):
            warnings.append(f"Trigger factor {factor.field!r}: {invented.kind} {invented.text!r} is not in the data.")


def _check_draft(
    profile: CustomerProfile,
    priority: PriorityAnalysis,
    draft: DraftMessage,
    offline: OfflineAnalyst,
    facts: Facts,
    warnings: list[str],
) -> DraftMessage | None:
    issues = check_message(profile, draft, today=offline.today, facts=facts)
    if any(issue.kind == "consent" for issue in issues):
        # Never hand an agent a marketing draft for someone who has not agreed to it.
        if SITUATION_KIND.get(priority.situation) == MessageKind.SERVICE:
            draft = offline.draft(profile, priority)
            warnings.append("Marketing draft without consent replaced by the service draft.")
            issues = check_message(profile, draft, today=offline.today, facts=facts)
        if any(issue.kind == "consent" for issue in issues):
            warnings.append("Marketing draft without consent dropped.")
            return None
    warnings.extend(f"{issue.kind}: {issue.message}" + (f" ({issue.text})" if issue.text else "") for issue in issues)
    return draft
