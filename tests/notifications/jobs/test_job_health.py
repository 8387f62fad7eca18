"""A job that is not moving says so: on the job panel, in `run_analysis --wait`, and a supervisor can cancel it."""

from __future__ import annotations

import datetime as dt
import io
import json
from zoneinfo import ZoneInfo

import pytest
from celery.canvas import group
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from notifications.analysis.models import AnalysisChunk, AnalysisJob
from notifications.jobs.selectors import job_health
from notifications.staff.models import AuditEvent
from tests.factories import make_role_user

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
HX = {"HX-Request": "true"}


def at(hh: int, mm: int, ss: int = 0) -> dt.datetime:
    return dt.datetime(2026, 6, 1, hh, mm, ss, tzinfo=LONDON)  # British Summer Time: 05:58 here is 04:58 UTC


def make_job(*chunks: dict, status: str = "running", created: dt.datetime | None = None) -> AnalysisJob:
    job = AnalysisJob.objects.create(provider="offline", status=status, total=10 * len(chunks))
    AnalysisJob.objects.filter(pk=job.pk).update(created_at=created or at(5, 58), started_at=created or at(5, 58))
    for index, fields in enumerate(chunks):
        AnalysisChunk.objects.create(job=job, index=index, size=10, **fields)
    job.refresh_from_db()
    return job


def test_a_job_queued_with_no_worker_is_waiting_since_it_was_started():
    job = make_job({}, {}, status="queued")

    assert job_health(job, now=at(5, 58, 5)).state == "running"  # a few seconds: workers pick up in under one
    health = job_health(job, now=at(6, 3))
    assert (health.state, health.message) == ("waiting", "Waiting for a worker since 05:58")
    assert health.title == "Analysis waiting for a worker"


def test_a_running_job_whose_chunks_all_finished_or_wait_is_waiting_since_the_last_one_finished():
    job = make_job({"status": "done", "committed": 10, "finished_at": at(6, 1)}, {})

    assert job_health(job, now=at(6, 10)).message == "Waiting for a worker since 06:01"


def test_a_worker_that_stopped_renewing_its_lease_shows_as_stalled(settings):
    settings.ANALYSIS_LEASE_SECONDS = 180
    job = make_job(
        {"status": "running", "lease_expires_at": at(6, 3), "worker": "worker-a:101"},
        {"status": "running", "lease_expires_at": at(6, 4), "worker": "worker-a:102"},
        {"status": "running", "lease_expires_at": at(6, 30), "worker": "worker-b:201"},
    )

    health = job_health(job, now=at(6, 5))

    assert health.state == "stalled" and health.title == "Analysis stalled"
    assert (
        health.message == "2 chunks lost their worker (no heartbeat since 06:00); re-queued at the next recovery check"
    )


def test_chunks_taken_back_from_a_lost_worker_show_as_recovering_until_they_finish():
    job = make_job(
        {"status": "pending", "lost_at": at(6, 4), "recoveries": 1},
        {"status": "pending", "lost_at": at(6, 4), "recoveries": 1},
        {"status": "done", "lost_at": at(6, 2), "finished_at": at(6, 3)},
    )

    health = job_health(job, now=at(6, 6))
    assert health.message == "Recovering 2 chunks from a lost worker; waiting for a worker since 06:04"

    AnalysisChunk.objects.filter(job=job, status="pending").update(
        status="running", lease_expires_at=at(6, 9), worker="worker-b:201"
    )
    assert job_health(job, now=at(6, 7)).message == "Recovering 2 chunks from a lost worker"

    AnalysisChunk.objects.filter(job=job).update(status="done", finished_at=at(6, 8))
    assert job_health(job, now=at(6, 8)).state == "running"


def test_chunks_waiting_out_a_retry_backoff_say_so():
    job = make_job({"status": "pending", "attempts": 1, "lease_expires_at": at(6, 12)}, {"status": "done"})

    assert job_health(job, now=at(6, 5)).message == "Retrying 1 chunk after a temporary failure"


def test_a_finished_job_has_nothing_to_report():
    job = make_job({"status": "running", "lease_expires_at": at(6, 3)}, status="cancelled")
    assert (job_health(job, now=at(7, 0)).state, job_health(job).message) == ("finished", "")


# --- the job panel ---------------------------------------------------------------------------------


def _stalled_job() -> AnalysisJob:
    now = timezone.now()
    return make_job(
        {"status": "done", "committed": 10, "finished_at": now - dt.timedelta(minutes=6)},
        {"status": "running", "lease_expires_at": now - dt.timedelta(seconds=30), "worker": "worker-a:101"},
        {},
        created=now - dt.timedelta(minutes=10),
    )


def test_the_panel_shows_a_stalled_run_and_offers_supervisors_a_cancel(client):
    job = _stalled_job()
    supervisor = make_role_user("sue", "Supervisors")
    client.force_login(supervisor)

    html = client.get(reverse("notifications:job_progress", args=[job.pk]), headers=HX).content.decode()

    assert "Analysis stalled" in html and "Analysis running" not in html
    assert "1 chunk lost its worker (no heartbeat since" in html
    assert f'hx-post="/jobs/{job.pk}/cancel/"' in html and "Cancel run" in html
    assert 'hx-trigger="every 1s"' in html  # still polling: recovery may bring it back


def test_agents_see_the_stall_but_cannot_cancel(client, agent):
    job = _stalled_job()
    client.force_login(agent)

    html = client.get(reverse("notifications:job_progress", args=[job.pk]), headers=HX).content.decode()
    assert "1 chunk lost its worker" in html and "Cancel run" not in html
    assert client.post(reverse("notifications:cancel_job", args=[job.pk]), headers=HX).status_code == 403
    assert AnalysisJob.objects.get(pk=job.pk).status == "running"


def test_a_supervisor_cancels_a_stalled_run(client, monkeypatch):
    monkeypatch.setattr(group, "apply_async", lambda *a, **k: pytest.fail("cancelling sends no task"))
    job = _stalled_job()
    supervisor = make_role_user("sue", "Supervisors")
    client.force_login(supervisor)

    response = client.post(reverse("notifications:cancel_job", args=[job.pk]), headers=HX)

    html = response.content.decode()
    assert response.status_code == 200 and "Last run cancelled" in html and "Run analysis" in html
    job.refresh_from_db()
    assert job.status == "cancelled" and job.finished_at is not None
    # The lost chunk and the one never started are closed; the finished one stays done.
    assert list(job.chunks.order_by("index").values_list("status", flat=True)) == ["done", "cancelled", "cancelled"]
    event = AuditEvent.objects.get(action="job_cancelled")
    assert (event.actor, event.object_id, event.summary) == (supervisor, str(job.pk), "Analysis run cancelled")
    assert event.detail == {"processed": 0, "total": 30, "cost_gbp": "0.000000"}
    # A new run can start at once.
    assert not AnalysisJob.objects.filter(status__in=AnalysisJob.ACTIVE_STATUSES).exists()


# --- run_analysis --wait ----------------------------------------------------------------------------


def test_run_analysis_wait_says_the_job_is_waiting_for_a_worker(monkeypatch):
    monkeypatch.setattr(group, "apply_async", lambda *a, **k: None)  # sent to a broker nobody reads
    job = make_job({}, status="queued", created=timezone.now() - dt.timedelta(minutes=4))
    since = timezone.localtime(job.created_at).strftime("%H:%M")
    out, err = io.StringIO(), io.StringIO()

    with pytest.raises(CommandError, match=f"Job {job.pk} still queued after 1s"):
        call_command("run_analysis", "--wait", "--timeout", "1", stdout=out, stderr=err)

    assert f"Job {job.pk}: Waiting for a worker since {since}. Start one with `scripts/prod_start.sh worker`" in (
        err.getvalue()
    )
    assert err.getvalue().count("Waiting for a worker") == 1  # said once, not every half second


def test_the_json_summary_carries_the_health(monkeypatch):
    job = _stalled_job()
    out = io.StringIO()
    call_command("run_analysis", "--json", stdout=out)  # the active job is handed back, not a new one
    summary = json.loads(out.getvalue())
    assert summary["id"] == job.pk and summary["health"]["state"] == "stalled"
    assert summary["health"]["message"].startswith("1 chunk lost its worker (no heartbeat since ")
