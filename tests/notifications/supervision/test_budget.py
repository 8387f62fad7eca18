"""The monthly AI budget: spend this month, the stop, the offline stand-in, and what supervisors see."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from notifications.analysis.models import AICall, AnalysisJob, ProviderSettings
from notifications.analysis.selectors.budget import bedrock_budget_exhausted, bedrock_spend_this_month
from notifications.analysis.services.analyse import analyse_customer
from notifications.analysis.services.budget import BudgetExhaustedAnalyst, guard_analyst
from tests.factories import CustomerAnalysisFactory, NotificationFactory
from tests.fakes.profiles import make_profile

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 11, 24, 12, 0, tzinfo=dt.UTC)


def spend(amount: str, *, provider: str = "bedrock", at: dt.datetime = NOW, job=None) -> AICall:
    call = AICall.objects.create(
        provider=provider,
        model_id="m",
        operation="draft",
        cost_gbp=Decimal(amount),
        input_tokens=1000,
        output_tokens=200,
        cache_read_tokens=50,
        job=job,
    )
    AICall.objects.filter(pk=call.pk).update(created_at=at)  # auto_now_add: set the time afterwards
    return call


def test_under_budget_is_not_exhausted(settings):
    settings.AI_MONTHLY_BUDGET_GBP = 10.0
    spend("9.99")
    assert bedrock_budget_exhausted(NOW) == (False, "")


def test_budget_reached_this_month(settings):
    settings.AI_MONTHLY_BUDGET_GBP = 10.0
    spend("6")
    spend("4")
    spend("50", provider="offline")  # offline "calls" cost nothing and never count
    spend("50", at=dt.datetime(2026, 10, 31, 23, 30, tzinfo=dt.UTC))  # last month (UK time 23:30 on 31 Oct)
    assert bedrock_spend_this_month(NOW) == Decimal("10")
    assert bedrock_budget_exhausted(NOW) == (True, "Monthly AI budget of £10.00 reached")


def test_month_boundary_is_uk_time(settings):
    settings.AI_MONTHLY_BUDGET_GBP = 1.0
    october = dt.datetime(2026, 10, 15, 12, 0, tzinfo=dt.UTC)
    # 23:30 UTC on 30 September is 00:30 BST on 1 October: October's spend.
    spend("2", at=dt.datetime(2026, 9, 30, 23, 30, tzinfo=dt.UTC))
    assert bedrock_budget_exhausted(october)[0]


def test_admin_setting_overrides_the_default(settings):
    settings.AI_MONTHLY_BUDGET_GBP = 1000.0
    spend("30")
    assert not bedrock_budget_exhausted(NOW)[0]
    ProviderSettings(monthly_budget_gbp=Decimal("25")).save()
    assert bedrock_budget_exhausted(NOW) == (True, "Monthly AI budget of £25.00 reached")


def test_no_budget_means_no_limit(settings):
    settings.AI_MONTHLY_BUDGET_GBP = None
    spend("9999")
    assert bedrock_budget_exhausted(NOW) == (False, "")


def test_guard_returns_bedrock_while_the_budget_lasts(settings):
    settings.AI_MONTHLY_BUDGET_GBP = 10.0
    sentinel = object()
    assert guard_analyst(lambda: sentinel) is sentinel


def test_when_spent_the_offline_analyst_answers_as_a_fallback_with_the_reason(settings):
    settings.AI_MONTHLY_BUDGET_GBP = 5.0
    spend("5", at=timezone.now())

    def no_bedrock():
        raise AssertionError("Bedrock must not be built once the budget is spent")

    analyst = guard_analyst(no_bedrock)
    assert isinstance(analyst, BudgetExhaustedAnalyst)
    result = analyse_customer(make_profile(), analyst)
    assert result.fallback
    assert "Monthly AI budget of £5.00 reached" in result.fallback_reason
    assert result.draft is not None  # the offline rules still give the agent a draft
    assert all(u.provider == "offline" for u in result.usage)  # nothing paid


def test_supervisors_see_why_in_the_admin(settings, as_supervisor):
    settings.AI_MONTHLY_BUDGET_GBP = 1.0
    spend("1", at=timezone.now())
    for name in ("admin:analysis_analysisjob_changelist", "control:usage"):
        page = as_supervisor.get(reverse(name)).content.decode()
        assert "Monthly AI budget of £1.00 reached" in page, name


def test_usage_per_job_and_per_day(settings, as_supervisor):
    settings.AI_MONTHLY_BUDGET_GBP = 100.0
    job = AnalysisJob.objects.create(provider="bedrock", status="succeeded")
    now = timezone.now()
    spend("0.30", job=job, at=now)
    spend("0.20", job=job, at=now)
    CustomerAnalysisFactory(job=job, is_fallback=True, fallback_reason="throttled")
    for _ in range(4):
        NotificationFactory(job=job)
    from notifications.supervision.selectors.usage import usage_by_day, usage_by_job

    row = usage_by_job(job_id=job.pk)[0]
    assert (row.calls, row.input_tokens, row.output_tokens, row.cache_read_tokens) == (2, 2000, 400, 100)
    assert (row.cost_gbp, row.fallbacks, row.notifications) == (Decimal("0.5"), 1, 4)
    assert row.gbp_per_1000_notifications == Decimal("125.0000")  # £0.50 for 4 drafts
    today = usage_by_day(now=now)[0]
    assert today.key == timezone.localdate(now) and today.calls == 2 and today.notifications == 4
    page = as_supervisor.get(reverse("control:usage")).content.decode()
    assert "£125.0000" in page and "£0.5000" in page
