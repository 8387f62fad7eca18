"""The offline analyst: deterministic, transparent rules (the default, `AI_PROVIDER=offline`)."""

from notifications.analysis.analysts.offline.analyst import OfflineAnalyst

__all__ = ["OfflineAnalyst"]
