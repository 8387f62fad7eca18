"""How the admin reads: UK local times on the 24-hour clock, words instead of codes, and sent items
that can be viewed but not saved."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from notifications.analysis.models import AnalysisJob
from notifications.queue.models import Approval, Notification, NotificationEvent
from notifications.staff.services import record_staff_action
from tests.factories import CustomerFactory, NotificationFactory

pytestmark = pytest.mark.django_db

SUMMER_UTC = dt.datetime(2026, 7, 1, 4, 49, tzinfo=dt.UTC)  # 05:49 in London (BST)
WINTER_UTC = dt.datetime(2026, 1, 15, 17, 5, tzinfo=dt.UTC)  # 17:05 in London (GMT)


def sent(**fields) -> Notification:
    return NotificationFactory(status=Notification.Status.SENT, **fields)


# --- times -------------------------------------------------------------------------------------


def test_lists_show_uk_local_times_on_the_24_hour_clock(as_supervisor, supervisor):
    sent(sent_at=SUMMER_UTC, sent_by=supervisor)
    sent(sent_at=WINTER_UTC, sent_by=supervisor)

    html = as_supervisor.get(reverse("admin:queue_notification_changelist")).content.decode()

    assert "1 Jul 2026, 05:49" in html
    assert "15 Jan 2026, 17:05" in html
    assert "a.m." not in html and "p.m." not in html


def test_a_draft_page_shows_its_approval_and_trail_in_uk_time(as_supervisor, supervisor, monkeypatch):
    n = NotificationFactory()
    Approval.objects.create(notification=n, version=n.version, approved_by=supervisor, approved_at=WINTER_UTC)
    monkeypatch.setattr(timezone, "now", lambda: SUMMER_UTC)  # the audit row's created_at (auto_now_add)
    record_staff_action(supervisor, "approved", n, summary="Approved version 1")
    monkeypatch.undo()

    html = as_supervisor.get(reverse("admin:queue_notification_change", args=[n.pk])).content.decode()

    assert "Version 1 approved by sue at 15 Jan 2026, 17:05" in html
    assert "<td>1 Jul 2026, 05:49</td><td>sue</td><td>Approved version 1</td>" in html


def test_a_draft_page_shows_both_trails_with_what_a_reviewer_asks_first(as_supervisor, supervisor, agent):
    n = NotificationFactory(status=Notification.Status.SENT, sent_at=WINTER_UTC, sent_by=agent)
    NotificationEvent.objects.create(
        notification=n,
        kind="send_requested",
        occurred_at=WINTER_UTC,
        source="agent",
        user=agent,
        metadata={"version": 2, "acknowledged_warnings": ["American spelling: use 'organise'. (“organize”)"]},
    )
    NotificationEvent.objects.create(
        notification=n,
        kind="held",
        occurred_at=WINTER_UTC + dt.timedelta(seconds=1),
        source="send_rules",
        metadata={"until": "2026-01-16T08:00:00+00:00"},
    )
    record_staff_action(agent, "sent", n, summary="Sent by agnes on Email")

    html = as_supervisor.get(reverse("admin:queue_notification_change", args=[n.pk])).content.decode()

    lifecycle = html[html.index("field-lifecycle") : html.index("field-audit_trail")]
    assert (
        "<tr><td>15 Jan 2026, 17:05</td><td>Held</td><td>Send rules</td><td>Held until: 16 Jan 2026, 08:00</td></tr>"
        "<tr><td>15 Jan 2026, 17:05</td><td>Send requested</td><td>agnes</td><td>version 2; Style warnings "
        "acknowledged: American spelling: use &#x27;organise&#x27;. (“organize”)</td></tr>" in lifecycle
    )
    assert f"/admin/queue/notificationevent/?notification__id__exact={n.pk}" in lifecycle
    assert "Sent by agnes on Email" in html[html.index("field-audit_trail") :]
    lifecycle_page = as_supervisor.get(f"/admin/queue/notificationevent/?notification__id__exact={n.pk}")
    assert lifecycle_page.status_code == 200 and "2 notification events" in lifecycle_page.content.decode()


# --- words, not codes --------------------------------------------------------------------------


def test_channels_and_situations_read_as_words(as_supervisor):
    sms = sent(channel="SMS", situation="payment_difficulty", sent_at=SUMMER_UTC)

    changelist = as_supervisor.get(reverse("admin:queue_notification_changelist")).content.decode()
    page = as_supervisor.get(reverse("admin:queue_notification_change", args=[sms.pk])).content.decode()

    assert '<td class="field-channel">SMS</td>' in changelist
    assert "Sms" not in changelist
    assert '?situation__exact=payment_difficulty">Payment difficulty</a>' in changelist  # the filter
    assert "Payment difficulty" in page
    assert "payment_difficulty" not in page


def test_a_customers_preferred_channel_reads_sms(as_supervisor):
    customer = CustomerFactory(preferred_channel="SMS")
    html = as_supervisor.get(reverse("admin:customers_customer_changelist")).content.decode()
    assert '<td class="field-preferred_channel">SMS</td>' in html
    assert customer.get_preferred_channel_display() == "SMS"
    assert "Sms" not in html


def test_providers_sources_and_object_types_read_as_words(as_supervisor, supervisor):
    AnalysisJob.objects.create(provider="offline", status="succeeded")
    n = NotificationFactory()
    NotificationEvent.objects.create(
        notification=n, kind="delivered", source="provider_webhook", occurred_at=SUMMER_UTC
    )
    record_staff_action(supervisor, "approved", n)

    jobs = as_supervisor.get(reverse("admin:analysis_analysisjob_changelist")).content.decode()
    events = as_supervisor.get(reverse("admin:queue_notificationevent_changelist")).content.decode()
    audit = as_supervisor.get(reverse("admin:staff_auditevent_changelist")).content.decode()

    assert '<td class="field-provider">Offline rules</td>' in jobs
    assert '?provider=offline">Offline rules</a>' in jobs  # the filter
    assert '<td class="field-source">Provider webhook</td>' in events
    assert '?source=provider_webhook">Provider webhook</a>' in events
    assert '?object_type=queue.notification">Notification</a>' in audit
    for code in (">provider_webhook<", ">offline<", ">queue.notification<"):  # never as text
        assert code not in events + jobs + audit


# --- sent items are read, not edited ---------------------------------------------------------------


def test_a_sent_notification_is_view_only(as_supervisor, supervisor):
    n = sent(sent_at=SUMMER_UTC, sent_by=supervisor, body="Your payment plan is set up.")
    url = reverse("admin:queue_notification_change", args=[n.pk])

    html = as_supervisor.get(url).content.decode()

    assert "<h1>View notification</h1>" in html
    for button in ('name="_save"', 'name="_continue"', 'name="_addanother"', "deletelink"):
        assert button not in html
    assert "Your payment plan is set up." in html

    response = as_supervisor.post(url, {"body": "Changed after sending", "_save": "Save"})
    assert response.status_code == 403
    n.refresh_from_db()
    assert n.body == "Your payment plan is set up."


def test_the_list_still_offers_the_supervisor_actions(as_supervisor):
    sent(sent_at=SUMMER_UTC)
    html = as_supervisor.get(reverse("admin:queue_notification_changelist")).content.decode()
    assert "Select notification to view" in html
    for action in ("approve_selected", "dismiss_selected", "release_claims", "reassign_selected"):
        assert f'value="{action}"' in html
