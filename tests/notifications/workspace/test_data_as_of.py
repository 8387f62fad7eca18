"""The workspace and the admin say when the data was true, and warn once it is stale."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from customers.models import ImportRun

pytestmark = pytest.mark.django_db


def imported(days_ago: int) -> None:
    as_of = timezone.now() - dt.timedelta(days=days_ago)
    ImportRun.objects.create(status="succeeded", as_of=as_of, finished_at=timezone.now())


def test_the_queue_says_when_the_data_was_true(agent_client):
    imported(days_ago=2)
    html = agent_client.get(reverse("notifications:queue")).content.decode()
    assert "Data as of <strong>" in html and "days old" not in html


def test_stale_data_is_a_warning_with_a_configurable_limit(agent_client, settings):
    imported(days_ago=30)
    html = agent_client.get(reverse("notifications:queue")).content.decode()
    assert "data-as-of--stale" in html
    assert "30 days old, more than 7. Analyses measure recency from this date; import a newer supplier export." in html
    settings.DATA_STALE_AFTER_DAYS = 60
    assert "data-as-of--stale" not in agent_client.get(reverse("notifications:queue")).content.decode()


def test_nothing_is_claimed_before_any_import_has_an_as_of_time(agent_client):
    assert "Data as of" not in agent_client.get(reverse("notifications:queue")).content.decode()


def test_the_admin_home_shows_it_too(admin_client):
    imported(days_ago=30)
    html = admin_client.get(reverse("admin:index")).content.decode()
    assert "Data as of <strong>" in html and "30 days old, more than 7" in html
