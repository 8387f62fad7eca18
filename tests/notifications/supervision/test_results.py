"""The results page: funnel numbers by dimension, response times, edit share; access; SVG without scripts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from notifications.common.text_diff import word_edits
from notifications.delivery.services import delivery as service
from notifications.queue.lifecycle import record_lifecycle_event
from notifications.queue.models import Delivery
from notifications.supervision.selectors import results as results_module
from notifications.supervision.selectors.results import results
from tests.factories import make_role_user
from tests.notifications.delivery.delivery_helpers import approved

pytestmark = pytest.mark.django_db


def delivered(**kwargs):
    n = approved(**kwargs)
    d = service.queue_delivery(n)
    service.attempt_delivery(d.pk, now=timezone.now() - dt.timedelta(hours=3))
    return n


@pytest.fixture
def funnel():
    """Four emails: one ignored, one opened, one clicked (and opened), one actioned by a human; plus a bot open."""
    ignored = delivered(priority="High", kind="service")
    opened = delivered(priority="High", kind="marketing", situation="tariff_value")
    clicked = delivered(priority="Low", kind="service", body="Edited text entirely by the agent")
    actioned = delivered(priority="Low", kind="service")
    now = timezone.now()
    record_lifecycle_event(
        ignored, "opened", source="tracking", at=now, machine_suspected=True
    )  # a scanner: not counted
    record_lifecycle_event(
        opened, "opened", source="tracking", at=now - dt.timedelta(minutes=150)
    )  # 30 minutes after delivery
    record_lifecycle_event(clicked, "clicked", source="tracking", at=now)
    record_lifecycle_event(actioned, "actioned", source="provider_webhook", at=now, metadata={"action": "Paid"})
    return ignored, opened, clicked, actioned


def test_the_funnel_counts_humans_once_per_stage(funnel):
    data = results()
    assert data.total.counts == {"sent": 4, "delivered": 4, "opened": 3, "clicked": 1, "actioned": 1}
    by_priority = {g.label: g.counts for g in data.by["priority"]}
    assert [g.label for g in data.by["priority"]] == ["High", "Low"]
    assert by_priority["High"]["opened"] == 1 and by_priority["Low"]["opened"] == 2
    assert {g.label for g in data.by["kind"]} == {"Service", "Marketing"}
    assert [g.label for g in data.by["channel"]] == ["Email"]
    assert [g.label for g in data.by["segment"]] == ["Value Seekers"]
    assert len(data.by["week"]) == 1 and data.by["week"][0].label.count("-W") == 1


def test_response_times_and_no_response(funnel):
    data = results()
    buckets = dict(data.response_times)
    assert buckets["under 1 hour"] == 1  # the open 30 minutes after delivery
    assert buckets["1–6 hours"] == 2  # click and action three hours after delivery
    assert data.no_response == 1  # the bot open does not count as a response


def test_edit_share_and_word_edit_distance(funnel):
    edits = results().edits
    assert (edits.sent, edits.unedited, edits.edited) == (4, 3, 1)
    assert edits.mean_word_edits > 0 and edits.by_provider == {"offline": (3, 1)}
    assert edits.sampled == 1
    assert word_edits("pay your bill today", "pay your bill today") == 0
    assert word_edits("pay your bill today", "please pay your bill soon") == 2


def test_the_page_renders_svg_charts_with_numbers_and_no_scripts(client, funnel):
    client.force_login(make_role_user("sam", "Supervisors"))
    response = client.get(reverse("results:page"))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<svg") == 7  # the total, five dimensions, response times
    assert "<script>" not in html.split("</head>")[1]  # no inline scripts in the page body
    assert "cdn" not in html.lower()
    assert ">4</td>" in html and "75%" in html  # the numbers beside the bars: 3 of 4 opened


def test_the_page_needs_a_login_and_a_workspace_role(client):
    assert client.get(reverse("results:page")).status_code == 302
    client.force_login(make_role_user("alex", "Agents"))
    assert client.get(reverse("results:page") + "?weeks=4").status_code == 200
    from django.contrib.auth.models import User

    client.force_login(User.objects.create_user("nobody", password="x"))
    assert client.get(reverse("results:page")).status_code == 403


def test_an_empty_period_renders(client):
    client.force_login(make_role_user("alex", "Agents"))
    response = client.get(reverse("results:page") + "?weeks=nonsense")
    assert response.status_code == 200 and b"Nothing sent in this period" in response.content


def test_a_response_exactly_one_hour_after_delivery_is_in_the_second_bucket():
    n = delivered(priority="High", kind="service")
    start = Delivery.objects.get(notification=n).delivered_at
    record_lifecycle_event(n, "opened", source="tracking", at=start + dt.timedelta(hours=1))
    assert dict(results().response_times) == {
        "under 1 hour": 0,
        "1–6 hours": 1,
        "6–24 hours": 0,
        "1–3 days": 0,
        "over 3 days": 0,
    }


def test_weeks_are_uk_local_iso_weeks():
    """Sunday 23:30 UTC in summer is Monday 00:30 in London: the next ISO week, as the old per-row code had it."""
    now = dt.datetime(2026, 7, 15, 12, tzinfo=dt.UTC)
    late_sunday = delivered(priority="High", kind="service")
    monday = delivered(priority="High", kind="service")
    saturday = delivered(priority="High", kind="service")
    sent = {
        late_sunday: dt.datetime(2026, 7, 5, 23, 30, tzinfo=dt.UTC),  # Monday 6 July 00:30 BST: 2026-W28
        monday: dt.datetime(2026, 7, 6, 9, tzinfo=dt.UTC),  # 2026-W28
        saturday: dt.datetime(2026, 7, 4, 9, tzinfo=dt.UTC),  # 2026-W27
    }
    for n, at in sent.items():
        Delivery.objects.filter(notification=n).update(sent_at=at, delivered_at=at)
    weeks = {g.label: g.counts["sent"] for g in results(weeks=4, now=now).by["week"]}
    assert weeks == {"2026-W27": 1, "2026-W28": 2}


def test_the_mean_edit_distance_reads_a_bounded_sample_but_the_counts_are_exact(monkeypatch):
    for i in range(3):
        delivered(priority="Low", kind="service", body=f"Edited text number {i} by the agent")
    delivered(priority="Low", kind="service")
    monkeypatch.setattr(results_module, "EDIT_SAMPLE", 2)
    edits = results().edits
    assert (edits.sent, edits.unedited, edits.edited, edits.sampled) == (4, 1, 3, 2)


def _more_traffic(count: int) -> None:
    """`count` more delivered emails across priorities and kinds, with human and machine engagement."""
    now = timezone.now()
    for i in range(count):
        n = delivered(
            priority=("High", "Medium", "Low")[i % 3],
            kind=("service", "marketing")[i % 2],
            body="An agent's rewrite" if i % 4 == 0 else "Hello",
        )
        record_lifecycle_event(n, "opened", source="tracking", at=now, machine_suspected=i % 5 == 0)
        if i % 3 == 0:
            record_lifecycle_event(n, "clicked", source="tracking", at=now)
        if i % 7 == 0:
            record_lifecycle_event(n, "actioned", source="provider_webhook", at=now)


def test_the_number_of_queries_does_not_grow_with_the_data(client, funnel, django_assert_num_queries):
    """The selector is two queries (funnel, bounded edit sample); the page's count stays put at 4 and 34 sent."""
    client.force_login(make_role_user("sam", "Supervisors"))

    def page_queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("results:page")).status_code == 200
        return len(captured.captured_queries)

    with django_assert_num_queries(2):
        small = results()
    small_page = page_queries()
    _more_traffic(30)
    with django_assert_num_queries(2):
        large = results()
    assert large.total.counts["sent"] == 34 > small.total.counts["sent"] == 4
    assert large.total.counts["actioned"] > small.total.counts["actioned"]
    assert page_queries() == small_page


def test_an_empty_period_is_one_query(django_assert_num_queries):
    with django_assert_num_queries(1):  # nothing edited: no sample to read
        data = results()
    assert data.total.counts["sent"] == 0 and data.by["week"] == [] and data.no_response == 0
