"""The Bedrock analyst: Converse with one forced tool per output, validated like the offline one.

AI only where the rules are unsure: the offline scorer segments every customer
first, and only a customer whose confidence is at or below the threshold goes
to Bedrock (segmentation, then, for a Value Seeker, priority and draft, as
BEDROCK_OPERATIONS allows); everyone else is analysed by the offline rules
alone. Segmentation and priority run on the bulk model, drafts on the draft
model.

Each answer is read from the `toolUse` block (never parsed from prose) and
checked: schema and ranges (pydantic), grounding of segment reasons, trigger
factors and drafts, consent, promotional wording in service drafts, channel
limits. An invalid answer is sent back once with the errors (as a `toolResult`
with status "error"); if the second answer is invalid too, `InvalidAnswer` is
raised and the service lets the offline analyst answer that step (marked as a
fallback). A grounded segment that the offline scorer finds almost no evidence
for is not trusted either: the rules' segment stands and the customer is
flagged for review (`SegmentDisputed`). American spellings in drafts are
corrected in place and reported as warnings.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import threading
from collections.abc import Callable
from typing import Any

from django.conf import settings
from pydantic import BaseModel, ValidationError

from notifications.analysis.analysts.base import CallJournal, InvalidAnswer, reference_date
from notifications.analysis.analysts.bedrock import prompts
from notifications.analysis.analysts.bedrock.catalogue import (
    FORCED_TOOL_OVERHEAD_TOKENS,
    cache_min_tokens,
    estimate_tokens,
)
from notifications.analysis.analysts.bedrock.client import RequestRejected, converse, make_client
from notifications.analysis.analysts.bedrock.tools import TOOLS, tool_config, tool_name
from notifications.analysis.analysts.offline import OfflineAnalyst
from notifications.analysis.selectors.provider import effective_bulk_model_id
from notifications.content.british_english import to_british
from notifications.content.checks import check_draft, own_words
from notifications.content.grounding import invented_facts, invented_in_factor, profile_facts
from notifications.content.segment_grounding import reason_problems, support_share
from notifications.profiles.schemas import CallUsage, CustomerProfile, DraftMessage, PriorityAnalysis, Segmentation

# Draft problems worth a corrective retry; anything else is left as a warning for the agent.
BLOCKING_DRAFT_ISSUES = frozenset(
    {"invented_fact", "wrong_name", "consent", "promotional", "ai_claim", "pressure", "length", "opt_out", "empty"}
)
OPERATIONS = ("segment", "prioritise", "draft")
# The priority analysis's texts an agent reads on the card: facts in them must be the customer's. (Not
# follow_up_timing: "after 2 working days" is our procedure, not a claim about the customer.)
AGENT_TEXTS = ("contact_reason", "potential_impact", "customer_insights", "conversation_starters",
               "resolution_steps", "communication_style", "topics_to_avoid", "no_contact_reason")  # fmt: skip


def _as_list(value: str | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else value


class SegmentDisputed(InvalidAnswer):
    """A grounded answer the offline scorer's evidence strongly contradicts: kept out, flagged for review."""


@functools.cache
def prefix_tokens(operation: str) -> int:
    """Estimated tokens before the cache point: the tool-use prompt, the tool definition, the instructions."""
    tools = json.dumps(tool_config(operation)["tools"], ensure_ascii=False)
    return FORCED_TOOL_OVERHEAD_TOKENS + estimate_tokens(tools) + estimate_tokens(prompts.SYSTEM[operation])


class BedrockAnalyst:
    name = "bedrock"

    def __init__(
        self,
        client,
        model_id: str,
        *,
        draft_model_id: str | None = None,
        operations: tuple[str, ...] | list[str] = OPERATIONS,
        confidence_threshold: float = 1.0,
        dispute_below_share: float = 0.15,
        caching: bool = True,
        max_tokens: int = 1200,
        temperature: float = 0.2,
        setting_names: dict[str, str] | None = None,
        today: dt.date | None = None,
    ) -> None:
        """`model_id` segments and prioritises; `draft_model_id` (default: the same) drafts.

        `confidence_threshold`: customers whose offline segment confidence is above it never reach
        Bedrock (1.0: everyone does). `setting_names` names where each operation's model came from,
        for the sentence a configuration error carries.
        """
        self.client = client
        self.models = {"segment": model_id, "prioritise": model_id, "draft": draft_model_id or model_id}
        self.setting_names = setting_names or dict.fromkeys(OPERATIONS, "BEDROCK_MODEL_ID")
        self.operations = frozenset(operations)
        self.confidence_threshold = confidence_threshold
        self.dispute_below_share = dispute_below_share
        self.caching = caching
        self.max_tokens = max_tokens
        self.temperature = temperature
        self._today = today
        self.offline = OfflineAnalyst(today=today)
        self._local = threading.local()  # usage and warnings per thread: one analyst serves many

    @classmethod
    def from_settings(cls) -> BedrockAnalyst:

        bulk = effective_bulk_model_id()  # the admin's Provider settings, else BEDROCK_BULK_MODEL_ID
        bulk_setting = (
            "BEDROCK_BULK_MODEL_ID" if bulk == settings.BEDROCK_BULK_MODEL_ID else "the bulk model in Provider settings"
        )
        draft_setting = bulk_setting if settings.BEDROCK_USE_BULK_MODEL else "BEDROCK_MODEL_ID"
        return cls(
            make_client(),
            bulk,
            draft_model_id=bulk if settings.BEDROCK_USE_BULK_MODEL else settings.BEDROCK_MODEL_ID,
            operations=settings.BEDROCK_OPERATIONS,
            confidence_threshold=settings.BEDROCK_CONFIDENCE_THRESHOLD,
            dispute_below_share=settings.BEDROCK_DISPUTE_BELOW_SHARE,
            caching=settings.BEDROCK_PROMPT_CACHING,
            max_tokens=settings.BEDROCK_MAX_TOKENS,
            temperature=settings.BEDROCK_TEMPERATURE,
            setting_names={"segment": bulk_setting, "prioritise": bulk_setting, "draft": draft_setting},
        )  # fmt: skip

    @property
    def model_id(self) -> str:
        """Every model this analyst calls, for the job's record (each call records its own)."""
        return " + ".join(dict.fromkeys(self.models.values()))

    def today_for(self, profile: CustomerProfile) -> dt.date:
        return reference_date(profile, self._today)

    # --- accounting, collected by the service after each step ------------------------------
    def _bucket(self, name: str) -> list:
        if not hasattr(self._local, name):
            setattr(self._local, name, [])
        return getattr(self._local, name)

    def take_usage(self) -> list[CallUsage]:
        usage, self._local.usage = self._bucket("usage"), []
        return usage

    def take_warnings(self) -> list[str]:
        warnings, self._local.warnings = self._bucket("warnings"), []
        return warnings

    # --- routing: AI only where the rules are unsure ---------------------------------------------
    def _offline_segment(self, profile: CustomerProfile) -> Segmentation:
        # The service asks segment, prioritise and draft for one profile in turn on one thread.
        last = getattr(self._local, "last", None)
        if last is not None and last[0] is profile:
            return last[1]
        result = self.offline.segment(profile)
        self._local.last = (profile, result)
        return result

    def needs_bedrock(self, profile: CustomerProfile) -> bool:
        """True when the offline scorer is not confident enough to decide this customer alone."""
        return self._offline_segment(profile).confidence <= self.confidence_threshold

    def will_call(self, operation: str, profile: CustomerProfile) -> bool:
        """Whether this step for this customer goes to Bedrock (the rate limiter asks before taking a slot)."""
        return operation in self.operations and self.needs_bedrock(profile)

    def use_journal(self, journal: CallJournal | None) -> None:
        """Write this thread's calls on `journal` (the usage ledger) before making them; None: stop."""
        self._local.journal = journal

    # --- the Analyst protocol ----------------------------------------------------------------
    def segment(self, profile: CustomerProfile) -> Segmentation:
        rules = self._offline_segment(profile)
        if not self.will_call("segment", profile):
            return rules
        facts = profile_facts(profile, self.today_for(profile))

        def problems(answer: Segmentation) -> list[str]:
            return reason_problems(answer, profile, facts, rules.reasons)

        result = self._ask("segment", profile, None, problems)
        share = support_share(rules.reasons, result.segment)
        if result.segment != rules.segment and share is not None and share < self.dispute_below_share:
            note = (
                f"Segment needs review: Bedrock chose {result.segment.value} (confidence {result.confidence:.0%}), "
                f"but only {share:.0%} of the offline evidence points there; the rules' {rules.segment.value} "
                f"({rules.confidence:.0%}) stands until a person checks."
            )
            self._bucket("warnings").append(note)
            raise SegmentDisputed("segment", note)
        return result

    def prioritise(self, profile: CustomerProfile) -> PriorityAnalysis:
        if not self.will_call("prioritise", profile):
            return self.offline.prioritise(profile)
        facts = profile_facts(profile, self.today_for(profile))

        def problems(result: PriorityAnalysis) -> list[str]:
            errors = [
                f"trigger factor {f.field!r}: {inv.kind} {inv.text!r} is not in the customer's record"
                for f in result.trigger_factors
                for inv in invented_in_factor(f, facts)
            ]
            errors += [
                f"{name}: {inv.kind} {inv.text!r} is not in the customer's record"
                for name in AGENT_TEXTS
                for text in _as_list(getattr(result, name))
                for inv in invented_facts(text, facts)
            ]
            if result.should_contact and not result.situation:
                errors.append("situation is required when should_contact is true")
            return errors

        return self._ask("prioritise", profile, None, problems)

    def draft(self, profile: CustomerProfile, analysis: PriorityAnalysis) -> DraftMessage:
        if not self.will_call("draft", profile):
            return self.offline.draft(profile, analysis)
        facts = profile_facts(profile, self.today_for(profile))
        channel = analysis.channel or profile.preferred_channel

        def problems(result: DraftMessage) -> list[str]:
            errors = []
            if result.channel != channel:
                errors.append(f"channel must be {channel!r}")
            if analysis.situation and result.situation != analysis.situation:
                errors.append(f"situation must be {analysis.situation!r}")
            issues = check_draft(profile, result.subject, result.body, result.channel, result.kind, facts=facts)
            errors += [f"{i.kind}: {i.message} {i.text!r}" for i in issues if i.kind in BLOCKING_DRAFT_ISSUES]
            return errors

        keep = own_words(profile)
        return self._ask("draft", profile, analysis, problems, fix=lambda data: self._british(data, keep))

    # --- the call, validation and the one corrective retry ----------------------------------------
    def _british(self, data: dict[str, Any], keep: set[str]) -> dict[str, Any]:
        for key in ("subject", "body"):
            if isinstance(data.get(key), str):
                data[key], changed = to_british(data[key], keep)
                for change in changed:
                    self._bucket("warnings").append(
                        f"Corrected American spelling {change.word!r} to {change.british!r}"
                    )
        return data

    def caches(self, operation: str) -> bool:
        """Ask for a cache point only where the model caches and the static prefix reaches its minimum."""
        minimum = cache_min_tokens(self.models[operation])
        return self.caching and minimum is not None and prefix_tokens(operation) >= minimum

    def _request(self, operation: str, messages: list[dict]) -> dict[str, Any]:
        system: list[dict[str, Any]] = [{"text": prompts.SYSTEM[operation]}]
        if self.caches(operation):
            system.append({"cachePoint": {"type": "default"}})  # static instructions only, never customer data
        return {
            "system": system,
            "messages": messages,
            "toolConfig": tool_config(operation),
            "inferenceConfig": {"maxTokens": self.max_tokens, "temperature": self.temperature},
        }

    def _ask(
        self,
        operation: str,
        profile: CustomerProfile,
        analysis: PriorityAnalysis | None,
        problems: Callable[[Any], list[str]],
        fix: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
    ) -> Any:
        _, model, _ = TOOLS[operation]
        messages = self._messages(operation, profile, analysis)
        record = self._bucket("usage").append
        journal = getattr(self._local, "journal", None)
        errors: list[str] = []
        for attempt in range(2):
            reply = self._call(operation, messages, record, journal)
            tool_use = reply.tool_use(tool_name(operation))
            result, errors = self._validate(tool_use, model, problems, fix)
            record(reply.usage if not errors else reply.usage.model_copy(update={"outcome": "invalid"}))
            if errors and journal is not None and reply.entry is not None:
                journal.mark_invalid(reply.entry)
            if not errors:
                return result
            if attempt == 0:
                messages += self._correction(reply, errors)
        raise InvalidAnswer(operation, "; ".join(errors)[:500])

    def _messages(
        self, operation: str, profile: CustomerProfile, analysis: PriorityAnalysis | None
    ) -> list[dict[str, Any]]:
        text = prompts.user_message(operation, profile, self.today_for(profile), analysis)
        return [{"role": "user", "content": [{"text": text}]}]

    def _call(
        self,
        operation: str,
        messages: list[dict[str, Any]],
        record: Callable[[CallUsage], None],
        journal: CallJournal | None = None,
    ):
        try:
            return converse(
                self.client, model_id=self.models[operation], operation=operation, record=record, journal=journal,
                setting=self.setting_names.get(operation, "BEDROCK_MODEL_ID"), **self._request(operation, messages),
            )  # fmt: skip
        except RequestRejected as exc:
            raise InvalidAnswer(operation, f"request rejected: {exc}") from exc

    def probe(
        self, operation: str, profile: CustomerProfile, analysis: PriorityAnalysis | None = None
    ) -> tuple[CallUsage, list[str]]:
        """One call with the real prompt and tool schema, no retry: its usage and what was wrong with the
        answer (check_bedrock). Configuration errors raise `AnalystMisconfigured` as in a job."""
        _, model, _ = TOOLS[operation]
        calls: list[CallUsage] = []
        reply = self._call(operation, self._messages(operation, profile, analysis), calls.append)
        _, errors = self._validate(reply.tool_use(tool_name(operation)), model, lambda result: [], None)
        return reply.usage, errors

    @staticmethod
    def _validate(
        tool_use: dict[str, Any] | None,
        model: type[BaseModel],
        problems: Callable[[Any], list[str]],
        fix: Callable[[dict[str, Any]], dict[str, Any]] | None,
    ) -> tuple[Any, list[str]]:
        if tool_use is None or not isinstance(tool_use.get("input"), dict):
            return None, ["the answer must be a call to the tool with a JSON object"]
        data = dict(tool_use["input"])
        if fix is not None:
            data = fix(data)
        try:
            result = model.model_validate(data)
        except ValidationError as exc:
            return None, [f"{'.'.join(map(str, e['loc'])) or 'answer'}: {e['msg']}" for e in exc.errors()[:10]]
        return result, problems(result)

    @staticmethod
    def _correction(reply, errors: list[str]) -> list[dict[str, Any]]:
        feedback = "Your answer was rejected. Fix these problems and call the tool again:\n- " + "\n- ".join(errors)
        # Converse refuses a turn that leaves any toolUse of the turn before without its toolResult
        # (ValidationException "Expected toolResult blocks…"), so every call is answered: a call to the
        # wrong tool, or a second call, as well as the one checked.
        calls = [block["toolUse"] for block in reply.content if "toolUse" in block]
        if not calls:  # no tool call to answer: plain turns
            return [
                {"role": "assistant", "content": reply.content or [{"text": "(no answer)"}]},
                {"role": "user", "content": [{"text": feedback}]},
            ]
        results = [
            {"toolResult": {"toolUseId": call["toolUseId"], "content": [{"text": feedback}], "status": "error"}}
            for call in calls
        ]
        return [{"role": "assistant", "content": reply.content}, {"role": "user", "content": results}]
