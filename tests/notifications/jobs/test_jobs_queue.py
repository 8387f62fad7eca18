"""The queue a job leaves behind, through a real worker: re-runs, incremental runs, quiet hours."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from notifications.analysis.models import AnalysisJob, ContactDecision, CustomerAnalysis
from notifications.contact_rules.models import ContactPolicy
from notifications.jobs.services import start_job
from notifications.queue.models import Notification
from tests.notifications.jobs.test_worker_support import make_customer, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

LONDON = ZoneInfo("Europe/London")


def _run(live_worker, **kwargs) -> AnalysisJob:
    job = start_job(**kwargs)

    def finished() -> bool:
        job.refresh_from_db()
        return job.is_finished

    wait_for(finished, 60, message=f"job {job.pk}")
    assert job.status == AnalysisJob.Status.SUCCEEDED, live_worker.log()
    assert job.done + job.failed + job.skipped == job.total
    return job


def test_a_rerun_refreshes_untouched_drafts_in_place_and_never_touches_an_agents_work(
    live_worker, settings, django_user_model
):
    settings.ANALYSIS_CHUNK_SIZE = 3
    customers = [make_customer() for _ in range(5)]
    first = _run(live_worker, provider="offline")
    drafts = {n.customer_id: n for n in Notification.objects.all()}
    assert len(drafts) == 5
    agent = django_user_model.objects.create_user("agent")
    untouched, edited, claimed, sent, dismissed = (drafts[c.pk] for c in customers)
    Notification.objects.filter(pk=edited.pk).update(body="Edited by an agent.", version=2, edited_by=agent)
    Notification.objects.filter(pk=claimed.pk).update(claimed_by=agent, claimed_at=timezone.now())
    Notification.objects.filter(pk=sent.pk).update(status="sent", sent_at=timezone.now(), sent_by=agent)
    Notification.objects.filter(pk=dismissed.pk).update(status="dismissed", dismissed_at=timezone.now())

    second = _run(live_worker, provider="offline", force=True)

    assert second.done == 5 and second.skipped == 0
    refreshed = Notification.objects.get(pk=untouched.pk)
    assert refreshed.job_id == second.pk and refreshed.version == 1  # same row, new analysis
    assert refreshed.analysis.job_id == second.pk
    kept = Notification.objects.get(pk=edited.pk)
    assert (kept.job_id, kept.body, kept.version) == (first.pk, "Edited by an agent.", 2)
    assert Notification.objects.get(pk=claimed.pk).job_id == first.pk
    assert Notification.objects.get(pk=sent.pk).status == "sent"
    assert Notification.objects.get(pk=sent.pk).job_id == first.pk
    # The dismissed customer gets a fresh draft (the old item is history). The one we just sent to does not:
    # the frequency cap counts our sent messages, and the decision says why.
    assert Notification.objects.filter(customer_id=dismissed.customer_id, status="waiting", job=second).count() == 1
    assert not Notification.objects.filter(customer_id=sent.customer_id, status__in=Notification.OPEN_STATUSES).exists()
    decision = ContactDecision.objects.get(job=second, customer_id=sent.customer_id)
    assert not decision.allowed
    assert "1 Email message in the last 7 days (cap 1 per channel)" in [r["reason"] for r in decision.results]
    assert Notification.objects.filter(status__in=Notification.OPEN_STATUSES).count() == 4
    assert second.drafts == 2  # untouched (refreshed) + dismissed (new); edited, claimed and sent kept as they are


def test_an_incremental_run_skips_unchanged_customers_and_reanalyses_only_changed_ones(live_worker, settings):
    settings.ANALYSIS_CHUNK_SIZE = 4
    customers = [make_customer() for _ in range(4)] + [make_customer(value_seeker=False) for _ in range(4)]
    first = _run(live_worker, provider="offline")
    assert first.done == 8

    second = _run(live_worker, provider="offline")
    assert (second.done, second.skipped) == (0, 8)
    assert second.segment_counts == {"Value Seekers": 4, "Traditionalists": 4}  # from the analyses kept
    assert not CustomerAnalysis.objects.filter(job=second).exists()

    changed = customers[5]
    changed.satisfaction_score = 3
    changed.save()
    third = _run(live_worker, provider="offline")
    assert (third.done, third.skipped) == (1, 7)
    assert list(CustomerAnalysis.objects.filter(job=third).values_list("customer_id", flat=True)) == [changed.pk]

    forced = _run(live_worker, provider="offline", force=True)
    assert (forced.done, forced.skipped) == (8, 0)


def test_sms_and_push_drafts_in_quiet_hours_are_held_until_the_window_ends(live_worker, settings):
    settings.ANALYSIS_CHUNK_SIZE = 10
    # Make "now" fall inside quiet hours by moving the window (policies are data), whatever the clock says.
    now = timezone.now().astimezone(LONDON)
    start, end = (now - dt.timedelta(hours=1)).time(), (now + dt.timedelta(hours=1)).time()
    ContactPolicy.objects.update_or_create(
        rule="quiet_hours",
        defaults={"parameters": {"start": f"{start:%H:%M}", "end": f"{end:%H:%M}", "channels": ["SMS", "App Push"]}},
    )
    sms, push, email = make_customer(channel="SMS"), make_customer(channel="App Push"), make_customer(channel="Email")

    job = _run(live_worker, provider="offline")

    items = {n.customer_id: n for n in Notification.objects.filter(job=job)}
    expected_until = (now + dt.timedelta(hours=1)).replace(second=0, microsecond=0)
    for customer in (sms, push):
        item = items[customer.pk]
        assert item.status == Notification.Status.HELD  # held, not dropped
        assert item.held_until == expected_until
        decision = ContactDecision.objects.get(job=job, customer=customer)
        assert decision.allowed and decision.held_until == expected_until
        assert any(r["policy"] == "quiet_hours" and not r["passed"] for r in decision.results)
    assert items[email.pk].status == Notification.Status.WAITING and items[email.pk].held_until is None
