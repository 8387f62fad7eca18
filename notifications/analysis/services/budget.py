"""The budget guard: when this month's Bedrock budget is spent, the offline analyst answers instead.

`guard_analyst` wraps whatever `get_analyst` would return for Bedrock. While
the budget lasts it is the Bedrock analyst itself; once spent it is an
analyst whose every step defers to the offline rules through the same
`InvalidAnswer` path the analysis service already treats as a fallback, so
each result is stored with `is_fallback` and the budget as its reason, for
supervisors and agents to see.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from notifications.analysis.analysts.base import InvalidAnswer
from notifications.analysis.analysts.offline import OfflineAnalyst
from notifications.analysis.selectors.budget import bedrock_budget_exhausted


class BudgetExhaustedAnalyst:
    """Stands in for Bedrock once the budget is spent: each step is answered offline, as a fallback."""

    name = "offline"  # no paid calls: the pipeline runs it in-process, like the offline analyst
    model_id = OfflineAnalyst.model_id

    def __init__(self, reason: str) -> None:
        self.reason = reason
        self.offline = OfflineAnalyst()

    def _refuse(self, operation: str) -> Any:
        raise InvalidAnswer(operation, self.reason)

    def segment(self, profile: Any) -> Any:
        return self._refuse("segment")

    def prioritise(self, profile: Any) -> Any:
        return self._refuse("prioritise")

    def draft(self, profile: Any, analysis: Any) -> Any:
        return self._refuse("draft")


def guard_analyst(build_bedrock: Callable[[], Any]) -> Any:
    """The Bedrock analyst, or the budget stand-in when the month's budget is spent."""
    exhausted, reason = bedrock_budget_exhausted()
    if exhausted:
        return BudgetExhaustedAnalyst(reason)
    return build_bedrock()
