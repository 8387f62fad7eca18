"""The results page in a real browser: htmx loads the holdout's uplift section with its charts; the CSP holds."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from notifications.analysis.models import AnalysisJob
from tests.factories import NotificationHistoryFactory, make_role_user
from tests.notifications.experiments.helpers import decided

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_the_results_page_shows_the_uplift_section_with_its_chart(live_server, page, artifacts, sign_in):
    make_role_user("sam", "Supervisors")
    job = AnalysisJob.objects.create(provider="offline", status="succeeded")
    for i in range(60):
        decided(job, "treated", churned=i < 3)
    for i in range(20):
        decided(job, "control", churned=i < 6)
    NotificationHistoryFactory(sent_at=dt.datetime(2026, 12, 1, tzinfo=dt.UTC))

    sign_in(page, "sam")
    page.goto(f"{live_server.url}/results/")
    section = page.locator("#uplift")
    expect(
        section.get_by_role("heading", name="Did contacting change anything? Holdout experiment holdout-1")
    ).to_be_visible()
    expect(section).to_contain_text("80 customers measured; 0 still inside the window; 20 held out in all.")
    expect(section.locator("figure svg")).to_have_count(4)
    # Everyone, then the one priority, situation and channel: one estimate each.
    expect(section.locator("figure svg").first.locator("circle")).to_have_count(4)
    section.screenshot(path=str(artifacts / "results-uplift.png"))
    assert page.js_errors == []
