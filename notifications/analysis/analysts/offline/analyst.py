"""The offline analyst behind the `Analyst` protocol."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from notifications.analysis.analysts.offline import drafting, priority, segmentation
from notifications.analysis.analysts.offline.rules import RULES_VERSION
from notifications.profiles.schemas import CustomerProfile, DraftMessage, PriorityAnalysis, Segmentation


class OfflineAnalyst:
    """Rules and templates only: no network, no cost, same answer every time for the same data and day."""

    name = "offline"
    model_id = RULES_VERSION

    def __init__(self, today: dt.date | None = None) -> None:
        self._today = today  # fixed in tests; otherwise today's UK date at each call

    @property
    def today(self) -> dt.date:
        return self._today or timezone.localdate()

    def segment(self, profile: CustomerProfile) -> Segmentation:
        return segmentation.segment(profile, self.today)

    def prioritise(self, profile: CustomerProfile) -> PriorityAnalysis:
        return priority.prioritise(profile, self.today)

    def draft(self, profile: CustomerProfile, analysis: PriorityAnalysis) -> DraftMessage:
        return drafting.draft(profile, analysis, self.today)
