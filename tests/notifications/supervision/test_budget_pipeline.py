"""The budget stop inside a real job: Bedrock is never built, results are fallbacks with the reason."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from notifications.analysis.models import AICall, CustomerAnalysis
from notifications.analysis.services import analyse as analysis
from notifications.jobs.services import start_job
from tests.notifications.jobs.test_worker_support import make_customer, run_inline

pytestmark = pytest.mark.django_db


def test_a_bedrock_job_over_budget_is_answered_offline_and_says_why(settings, monkeypatch, as_supervisor):
    settings.AI_MONTHLY_BUDGET_GBP = 2.0
    AICall.objects.create(provider="bedrock", operation="draft", cost_gbp=Decimal("2.00"))

    class NoCalls:
        name = "bedrock"

        def __getattr__(self, operation):
            pytest.fail(f"no Bedrock call ({operation}) once the budget is spent")

    monkeypatch.setattr(analysis, "_bedrock_analyst", NoCalls)
    customers = [make_customer() for _ in range(3)]
    job = run_inline(start_job(provider="bedrock", customer_pks=[c.pk for c in customers]))
    assert job.status == "succeeded" and job.done == 3
    assert job.fallbacks == 3
    reasons = set(CustomerAnalysis.objects.filter(job=job).values_list("fallback_reason", flat=True))
    assert all("Monthly AI budget of £2.00 reached" in r for r in reasons)
    assert AICall.objects.count() == 1  # nothing new paid
    page = as_supervisor.get(reverse("admin:analysis_analysisjob_change", args=[job.pk])).content.decode()
    assert "Monthly AI budget of £2.00 reached" in page
    assert job.cost_gbp == 0 and timezone.now()


def test_the_admin_provider_setting_is_the_jobs_default(settings):
    from notifications.analysis.models import ProviderSettings

    settings.AI_PROVIDER = "offline"
    ProviderSettings(provider="bedrock").save()
    assert start_job(customer_pks=[]).provider == "bedrock"
