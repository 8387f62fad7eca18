"""The uplift section of the results page: loaded by htmx, numbers, verdict and forest plots, escaped."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from notifications.analysis.models import AnalysisJob
from tests.factories import NotificationHistoryFactory, make_role_user
from tests.notifications.experiments.helpers import decided

pytestmark = pytest.mark.django_db
UTC = dt.UTC


@pytest.fixture
def experiment_data():
    job = AnalysisJob.objects.create(provider="offline", status="succeeded")
    for i in range(40):
        decided(job, "treated", churned=i < 4)  # 10%
    for i in range(12):
        decided(job, "control", churned=i < 6)  # 50%
    decided(job, "control", churned=False, situation="<script>alert(1)</script>")
    decided(job, "treated", churned=False, at=dt.datetime(2026, 11, 20, tzinfo=UTC))  # window not over
    NotificationHistoryFactory(sent_at=dt.datetime(2026, 12, 1, 8, 0, tzinfo=UTC))  # the data reaches 1 December


@pytest.fixture
def supervisor_client(client):
    client.force_login(make_role_user("sam", "Supervisors"))
    return client


def test_the_results_page_loads_the_section_with_htmx_and_links_to_it(supervisor_client):
    html = supervisor_client.get(reverse("results:page")).content.decode()
    url = reverse("results:uplift")
    assert f'hx-get="{url}" hx-trigger="load"' in html
    assert f'<a href="{url}">open it on its own page</a>' in html


def test_the_section_shows_sizes_rates_the_verdict_and_one_forest_plot_per_outcome(supervisor_client, experiment_data):
    response = supervisor_client.get(reverse("results:uplift"), headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert "53 customers measured; 1 still inside the window; 13 held out in all." in html
    assert '10.0% <span class="muted">n=40</span>' in html
    assert '46.2% <span class="muted">n=13</span>' in html  # 6 of 13
    assert "The churn rate was 36.2 points lower for contacted customers than for the control group" in html
    assert html.count("<svg") == 4
    assert "Tariff value (40/12)" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>alert(1)" not in html
    assert "10% of proactive contacts are held out at random" in html


def test_opened_directly_it_is_a_page_of_its_own(supervisor_client, experiment_data):
    html = supervisor_client.get(reverse("results:uplift")).content.decode()
    assert "<html" in html and "Did contacting change anything? Holdout experiment holdout-1" in html


def test_with_no_experiment_data_it_says_so(supervisor_client):
    html = supervisor_client.get(reverse("results:uplift"), headers={"HX-Request": "true"}).content.decode()
    assert "0 customers measured; 0 still inside the window; 0 held out in all." in html
    assert "No control-group customers to compare against yet." in html


def test_the_section_needs_a_login_and_a_workspace_role(client):
    assert client.get(reverse("results:uplift")).status_code == 302
    from django.contrib.auth.models import User

    client.force_login(User.objects.create_user("nobody", password="x"))
    assert client.get(reverse("results:uplift")).status_code == 403
