"""The one small interface every analyst implements."""

from __future__ import annotations

from typing import Protocol

from notifications.profiles.schemas import CustomerProfile, DraftMessage, PriorityAnalysis, Segmentation


class AnalystUnavailable(Exception):
    """A transient failure (throttling, 5xx, timeout): retry later with backoff.

    The job layer retries on this; after its last retry the offline analyst
    answers and the result is marked as a fallback.
    """


class InvalidAnswer(Exception):
    """The analyst answered, but the answer failed validation (schema, ranges, grounding)
    even after one corrective retry. The service lets the offline analyst answer that
    step and marks the result as a fallback with this message as the reason."""

    def __init__(self, operation: str, message: str) -> None:
        super().__init__(f"{operation}: {message}")
        self.operation = operation
        self.message = message


class AnalystMisconfigured(Exception):
    """The service refused the set-up itself (a retired or unknown model, no access, bad credentials).

    Every further call would fail the same way, so nothing retries it: the job stops and shows `str(exc)`,
    one sentence naming the model, the region, the service's message and what to change.
    """

    def __init__(self, sentence: str, *, model_id: str = "", region: str = "", code: str = "", message: str = ""):
        super().__init__(sentence)
        self.model_id = model_id
        self.region = region
        self.code = code
        self.message = message


class Analyst(Protocol):
    name: str  # "offline" | "bedrock"

    def segment(self, profile: CustomerProfile) -> Segmentation: ...

    def prioritise(self, profile: CustomerProfile) -> PriorityAnalysis: ...

    def draft(self, profile: CustomerProfile, analysis: PriorityAnalysis) -> DraftMessage: ...
