"""Supervisors set the holdout share and pause it in the admin; every change is audited; agents cannot."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from notifications.analysis.models import ContactDecision
from notifications.experiments.models import HoldoutExperiment
from notifications.staff.models import AuditEvent
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

ADD = "admin:experiments_holdoutexperiment_add"
CHANGE = "admin:experiments_holdoutexperiment_change"
FORM = {"key": "holdout-1", "share": "0.1", "window_days": "60"}


def test_the_defaults_hold_out_ten_percent_over_a_sixty_day_window():
    row = HoldoutExperiment.load()
    assert (row.key, row.share, row.paused, row.window_days) == ("holdout-1", Decimal("0.1"), False, 60)
    assert str(row) == "Holdout experiment holdout-1 (10% held out)"


def test_a_supervisor_changes_the_share_then_pauses_and_each_change_is_audited(as_supervisor, supervisor):
    response = as_supervisor.post(reverse(ADD), {**FORM, "share": "0.2"})
    assert response.status_code == 302
    response = as_supervisor.post(reverse(CHANGE, args=[1]), {**FORM, "share": "0.2", "paused": "on"})
    assert response.status_code == 302
    row = HoldoutExperiment.load()
    assert (row.share, row.paused, row.updated_by) == (Decimal("0.200"), True, supervisor)
    events = list(AuditEvent.objects.filter(action="experiment_changed").order_by("id"))
    assert [e.summary for e in events] == [
        "Holdout experiment: key=holdout-1, paused=False, share=20%, window=60",
        "Holdout experiment: paused=True",
    ]
    assert events[1].actor == supervisor
    assert events[1].detail["before"]["paused"] is False and events[1].detail["after"]["paused"] is True


def test_saving_without_a_change_writes_no_audit_event(as_supervisor):
    as_supervisor.post(reverse(ADD), FORM)
    as_supervisor.post(reverse(CHANGE, args=[1]), FORM)
    assert AuditEvent.objects.filter(action="experiment_changed").count() == 1  # the first save only


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("share", "0.6", "Ensure this value is less than or equal to 0.5."),
        ("share", "-0.1", "Ensure this value is greater than or equal to 0."),
        ("window_days", "3", "Ensure this value is greater than or equal to 7."),
        ("key", "Holdout 2026", "Lower-case letters, digits and hyphens."),
    ],
)
def test_out_of_range_settings_are_refused_with_a_reason(as_supervisor, field, value, message):
    response = as_supervisor.post(reverse(ADD), {**FORM, field: value})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not HoldoutExperiment.objects.exists()
    assert not AuditEvent.objects.filter(action="experiment_changed").exists()


def test_agents_cannot_change_it(as_agent):
    response = as_agent.post(reverse(ADD), {**FORM, "paused": "on"})
    assert response.status_code in (302, 403)
    assert not HoldoutExperiment.objects.exists()


def test_supervisors_see_the_held_out_customers_listed(as_supervisor):
    HoldoutExperiment(key="trial-a").save()
    held, contacted = CustomerFactory(name="Held Out"), CustomerFactory(name="Contacted Customer")
    ContactDecision.objects.create(customer=held, allowed=True, experiment="trial-a", arm="control")
    ContactDecision.objects.create(customer=contacted, allowed=True, experiment="trial-a", arm="treated")
    page = as_supervisor.get(reverse(CHANGE, args=[1])).content.decode()
    assert "1 decision held out in trial-a" in page
    listing = as_supervisor.get(
        reverse("admin:analysis_contactdecision_changelist") + "?experiment=trial-a&arm=control"
    )
    assert listing.status_code == 200
    text = listing.content.decode()
    assert "Held Out" in text and "Contacted Customer" not in text
