"""The Bedrock analyst: Converse with one forced tool per output, validated like the offline one.

Each answer is read from the `toolUse` block (never parsed from prose) and
checked: schema and ranges (pydantic), grounding of trigger factors and drafts,
consent, promotional wording in service drafts, channel limits. An invalid
answer is sent back once with the errors (as a `toolResult` with status
"error"); if the second answer is invalid too, `InvalidAnswer` is raised and the
service lets the offline analyst answer that step (marked as a fallback).
American spellings in drafts are corrected in place and reported as warnings.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.utils import timezone
from pydantic import BaseModel, ValidationError

from notifications.analysis.analysts.base import CallJournal, InvalidAnswer
from notifications.analysis.analysts.bedrock import prompts
from notifications.analysis.analysts.bedrock.client import RequestRejected, converse, make_client, supports_caching
from notifications.analysis.analysts.bedrock.tools import TOOLS, tool_config, tool_name
from notifications.analysis.analysts.offline import OfflineAnalyst
from notifications.analysis.selectors.provider import effective_bulk_model_id
from notifications.content.british_english import to_british
from notifications.content.checks import check_draft
from notifications.content.grounding import invented_in_factor, profile_facts
from notifications.profiles.schemas import CallUsage, CustomerProfile, DraftMessage, PriorityAnalysis, Segmentation

# Draft problems worth a corrective retry; anything else is left as a warning for the agent.
BLOCKING_DRAFT_ISSUES = frozenset(
    {"invented_fact", "wrong_name", "consent", "promotional", "ai_claim", "pressure", "length", "opt_out", "empty"}
)
OPERATIONS = ("segment", "prioritise", "draft")


class BedrockAnalyst:
    name = "bedrock"

    def __init__(
        self,
        client,
        model_id: str,
        *,
        operations: tuple[str, ...] | list[str] = OPERATIONS,
        max_tokens: int = 1200,
        temperature: float = 0.2,
        today: dt.date | None = None,
    ) -> None:
        self.client = client
        self.model_id = model_id
        self.operations = frozenset(operations)
        self.max_tokens = max_tokens
        self.temperature = temperature
        self._today = today
        self.offline = OfflineAnalyst(today=today)
        self._local = threading.local()  # usage and warnings per thread: one analyst serves many

    @classmethod
    def from_settings(cls, *, bulk: bool | None = None) -> BedrockAnalyst:

        bulk = settings.BEDROCK_USE_BULK_MODEL if bulk is None else bulk
        return cls(
            make_client(),
            effective_bulk_model_id() if bulk else settings.BEDROCK_MODEL_ID,  # admin's Provider settings
            operations=settings.BEDROCK_OPERATIONS,
            max_tokens=settings.BEDROCK_MAX_TOKENS,
            temperature=settings.BEDROCK_TEMPERATURE,
        )

    @property
    def today(self) -> dt.date:
        return self._today or timezone.localdate()

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

    def use_journal(self, journal: CallJournal | None) -> None:
        """Write this thread's calls on `journal` (the usage ledger) before making them; None: stop."""
        self._local.journal = journal

    # --- the Analyst protocol ----------------------------------------------------------------
    def segment(self, profile: CustomerProfile) -> Segmentation:
        if "segment" not in self.operations:
            return self.offline.segment(profile)
        return self._ask("segment", profile, None, lambda result: [])

    def prioritise(self, profile: CustomerProfile) -> PriorityAnalysis:
        if "prioritise" not in self.operations:
            return self.offline.prioritise(profile)
        facts = profile_facts(profile, self.today)

        def problems(result: PriorityAnalysis) -> list[str]:
            errors = [
                f"trigger factor {f.field!r}: {inv.kind} {inv.text!r} is not in the customer's record"
                for f in result.trigger_factors
                for inv in invented_in_factor(f, facts)
            ]
            if result.should_contact and not result.situation:
                errors.append("situation is required when should_contact is true")
            return errors

        return self._ask("prioritise", profile, None, problems)

    def draft(self, profile: CustomerProfile, analysis: PriorityAnalysis) -> DraftMessage:
        if "draft" not in self.operations:
            return self.offline.draft(profile, analysis)
        facts = profile_facts(profile, self.today)
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

        return self._ask("draft", profile, analysis, problems, fix=self._british)

    # --- the call, validation and the one corrective retry ----------------------------------------
    def _british(self, data: dict[str, Any]) -> dict[str, Any]:
        for key in ("subject", "body"):
            if isinstance(data.get(key), str):
                data[key], changed = to_british(data[key])
                for change in changed:
                    self._bucket("warnings").append(
                        f"Corrected American spelling {change.word!r} to {change.british!r}"
                    )
        return data

    def _request(self, operation: str, messages: list[dict]) -> dict[str, Any]:
        system: list[dict[str, Any]] = [{"text": prompts.SYSTEM[operation]}]
        if supports_caching(self.model_id):
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
        name, model, _ = TOOLS[operation]
        text = prompts.user_message(operation, profile, self.today, analysis)
        messages: list[dict[str, Any]] = [{"role": "user", "content": [{"text": text}]}]
        record = self._bucket("usage").append
        journal = getattr(self._local, "journal", None)
        errors: list[str] = []
        for attempt in range(2):
            try:
                reply = converse(
                    self.client, model_id=self.model_id, operation=operation, record=record, journal=journal,
                    **self._request(operation, messages),
                )  # fmt: skip
            except RequestRejected as exc:
                raise InvalidAnswer(operation, f"request rejected: {exc}") from exc
            tool_use = reply.tool_use(tool_name(operation))
            result, errors = self._validate(tool_use, model, problems, fix)
            record(reply.usage if not errors else reply.usage.model_copy(update={"outcome": "invalid"}))
            if errors and journal is not None and reply.entry is not None:
                journal.mark_invalid(reply.entry)
            if not errors:
                return result
            if attempt == 0:
                messages += self._correction(reply, tool_use, errors)
        raise InvalidAnswer(operation, "; ".join(errors)[:500])

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
    def _correction(reply, tool_use: dict[str, Any] | None, errors: list[str]) -> list[dict[str, Any]]:
        feedback = "Your answer was rejected. Fix these problems and call the tool again:\n- " + "\n- ".join(errors)
        if tool_use is None:  # no tool call to answer: plain turns
            return [
                {"role": "assistant", "content": reply.content or [{"text": "(no answer)"}]},
                {"role": "user", "content": [{"text": feedback}]},
            ]
        result = {"toolUseId": tool_use["toolUseId"], "content": [{"text": feedback}], "status": "error"}
        return [
            {"role": "assistant", "content": reply.content},
            {"role": "user", "content": [{"toolResult": result}]},
        ]
