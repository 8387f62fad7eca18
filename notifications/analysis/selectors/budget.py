"""The monthly AI budget: how much Bedrock has cost this month, and whether to stop calling it.

The budget is `ProviderSettings.monthly_budget_gbp` when an admin has set it,
otherwise the AI_MONTHLY_BUDGET_GBP setting (None there means no limit). The
month is the UK calendar month, as the invoice is read.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db.models import Sum
from django.utils import timezone

from notifications.analysis.models import AICall, ProviderSettings

BEDROCK = "bedrock"


def month_start(now: dt.datetime | None = None) -> dt.datetime:
    local = timezone.localtime(now or timezone.now())
    return local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def monthly_budget_gbp() -> Decimal | None:

    configured = ProviderSettings.load().monthly_budget_gbp
    if configured is not None:
        return configured
    default = settings.AI_MONTHLY_BUDGET_GBP
    return None if default is None else Decimal(str(default))


def bedrock_spend_this_month(now: dt.datetime | None = None) -> Decimal:
    total = AICall.objects.filter(provider=BEDROCK, created_at__gte=month_start(now)).aggregate(s=Sum("cost_gbp"))["s"]
    return total or Decimal("0")


def budget_reason(budget: Decimal) -> str:
    return f"Monthly AI budget of £{budget:,.2f} reached"


def bedrock_budget_exhausted(now: dt.datetime | None = None) -> tuple[bool, str]:
    """(True, why) once this month's Bedrock spend has reached the budget; (False, "") otherwise."""
    budget = monthly_budget_gbp()
    if budget is None:
        return False, ""
    if bedrock_spend_this_month(now) >= budget:
        return True, budget_reason(budget)
    return False, ""
