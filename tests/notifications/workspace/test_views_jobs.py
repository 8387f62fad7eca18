"""Run analysis (permission-gated) and its progress bar; the live header stats."""

import json

import pytest
from django.urls import reverse
from django.utils import timezone

from notifications.analysis.models import AnalysisJob
from tests.factories import CustomerFactory, NotificationFactory, make_role_user

HX = {"HX-Request": "true"}
RUN = reverse("notifications:run_analysis")


@pytest.fixture
def supervisor(db):
    return make_role_user("sam", "Supervisors")


def test_agent_cannot_run_analysis(client, agent):
    client.force_login(agent)
    assert client.post(RUN, headers=HX).status_code == 403
    assert not AnalysisJob.objects.exists()
    assert "Run analysis" not in client.get(reverse("notifications:queue")).content.decode()


def test_anonymous_run_goes_to_login(client, db):
    assert client.post(RUN)["Location"].startswith(reverse("login"))


def test_supervisor_starts_a_job_and_sees_the_progress_bar(client, supervisor):
    CustomerFactory.create_batch(3)  # the job stays queued: no worker runs in view tests
    client.force_login(supervisor)
    assert "Run analysis" in client.get(reverse("notifications:queue")).content.decode()
    response = client.post(RUN, headers=HX)
    html = response.content.decode()
    job = AnalysisJob.objects.get()
    assert response.status_code == 200 and job.created_by == supervisor
    assert "<progress" in html and f'hx-get="/jobs/{job.pk}/progress/"' in html and 'hx-trigger="every 1s"' in html


def test_second_press_shows_the_running_job(client, supervisor):
    CustomerFactory.create_batch(3)
    client.force_login(supervisor)
    client.post(RUN, headers=HX)
    client.post(RUN, headers=HX)
    assert AnalysisJob.objects.count() == 1


def test_run_analysis_needs_post(client, supervisor):
    client.force_login(supervisor)
    assert client.get(RUN).status_code == 405


def test_progress_while_running_keeps_polling(client, agent):
    job = AnalysisJob.objects.create(provider="offline", status="running", total=200, done=50, skipped=10)
    client.force_login(agent)
    response = client.get(reverse("notifications:job_progress", args=[job.pk]), headers=HX)
    html = response.content.decode()
    assert response.status_code == 200 and 'value="30"' in html and "60 of 200 customers (30%)" in html
    assert "hx-trigger" in html


def test_progress_of_a_bedrock_run_shows_how_many_customers_needed_bedrock(client, agent):
    from notifications.analysis.models import AICall

    job = AnalysisJob.objects.create(provider="bedrock", status="running", total=400, done=200)
    for customer in CustomerFactory.create_batch(3):
        for operation in ("segment", "prioritise"):  # several calls for one customer count once
            AICall.objects.create(job=job, customer=customer, provider="bedrock", operation=operation)
    client.force_login(agent)
    html = client.get(reverse("notifications:job_progress", args=[job.pk]), headers=HX).content.decode()
    assert "200 of 400 customers (50%)" in html and "Bedrock for 3 of 200 analysed (1.5%)" in html
    offline = AnalysisJob.objects.create(provider="offline", status="succeeded", total=5, done=5)
    html = client.get(reverse("notifications:job_progress", args=[offline.pk]), headers=HX).content.decode()
    assert "Bedrock for" not in html


def test_progress_when_finished_stops_polling_and_refreshes_the_queue(client, agent):
    job = AnalysisJob.objects.create(
        provider="offline", status="succeeded", total=200, done=190, skipped=10, drafts=42, finished_at=timezone.now()
    )
    client.force_login(agent)
    response = client.get(reverse("notifications:job_progress", args=[job.pk]), headers=HX)
    assert response.status_code == 286
    triggers = json.loads(response["HX-Trigger"])
    assert set(triggers) == {"jobFinished", "queueChanged"}
    html = response.content.decode()
    assert "Last run finished" in html and "42 drafts" in html and "every 1s" not in html


def test_page_load_during_a_run_shows_the_progress_bar(client, agent):
    AnalysisJob.objects.create(provider="offline", status="running", total=10)
    client.force_login(agent)
    html = client.get(reverse("notifications:queue")).content.decode()
    assert "Analysis running" in html and "<progress" in html


def test_stats_partial_counts(client, agent):
    now = timezone.now()
    NotificationFactory.create_batch(2, priority="High", risk_score=9)
    NotificationFactory(priority="Low", risk_score=3)
    NotificationFactory(status="sent", sent_at=now, sent_by=agent)
    NotificationFactory(status="sent", sent_at=now - timezone.timedelta(days=2), sent_by=agent)
    AnalysisJob.objects.create(provider="offline", status="succeeded", finished_at=now, cost_gbp="1.25")
    client.force_login(agent)
    response = client.get(reverse("notifications:stats"), headers=HX)
    stats = response.context["stats"]
    assert (stats.waiting, stats.high, stats.medium, stats.low) == (3, 2, 0, 1)
    assert stats.average_risk == 7.0 and stats.sent_today == 1 and stats.my_sent_today == 1
    html = response.content.decode()
    assert "<html" not in html and "queueChanged from:body" in html and "every 30s" in html
    assert "offline · £1.25" in html


def test_a_run_started_elsewhere_appears_with_the_stats_refresh(client, agent):
    client.force_login(agent)
    idle = client.get(reverse("notifications:stats"), headers=HX).content.decode()
    assert "job-panel" not in idle
    job = AnalysisJob.objects.create(provider="offline", status="running", total=10, done=4)
    html = client.get(reverse("notifications:stats"), headers=HX).content.decode()
    assert 'id="job-panel"' in html and 'hx-swap-oob="true"' in html and f"/jobs/{job.pk}/progress/" in html


def test_progress_of_a_deleted_job_stops_polling(client, agent):
    client.force_login(agent)
    response = client.get(reverse("notifications:job_progress", args=[999]), headers=HX)
    assert response.status_code == 286 and "every 1s" not in response.content.decode()
