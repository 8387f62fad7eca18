"""The offline analyst: deterministic, transparent rules (the default, `AI_PROVIDER=offline`)."""

from .analyst import OfflineAnalyst

__all__ = ["OfflineAnalyst"]
