"""The results page: funnel numbers by dimension, response times, edit share; access; SVG without scripts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from notifications.selectors.results import results, word_edits
from notifications.services import delivery as service
from notifications.services.events import record_event
from tests.factories import make_role_user
from tests.notifications.delivery_helpers import approved

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
    record_event(ignored, "opened", source="tracking", at=now, machine_suspected=True)  # a scanner: not counted
    record_event(opened, "opened", source="tracking", at=now - dt.timedelta(minutes=150))  # 30 minutes after delivery
    record_event(clicked, "clicked", source="tracking", at=now)
    record_event(actioned, "actioned", source="provider_webhook", at=now, metadata={"action": "Paid"})
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
