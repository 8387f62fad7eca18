"""Contact policies are validated as data: each rule's parameters against its schema."""

from __future__ import annotations

import pytest
from django.urls import reverse

from notifications.contact_rules.models import ContactPolicy

pytestmark = pytest.mark.django_db


def post(client, rule, parameters):
    policy = ContactPolicy.objects.get(rule=rule)
    url = reverse("admin:contact_rules_contactpolicy_change", args=[policy.pk])
    return client.post(url, {"enabled": "on", "parameters": parameters, "description": ""}), policy


@pytest.mark.parametrize(
    ("rule", "parameters", "message"),
    [
        ("frequency_cap", '{"marketing_max": -1}', "marketing_max"),
        ("frequency_cap", '{"marketing_max": "lots"}', "marketing_max"),
        ("frequency_cap", '{"channel_window_days": 0}', "channel_window_days"),
        ("cool_down", '{"days": 1000}', "days"),
        ("cool_down", '{"dayz": 3}', "dayz"),  # a typo is refused, never silently ignored
        ("quiet_hours", '{"start": "25:00"}', "start"),
        ("quiet_hours", '{"end": "8 o\'clock"}', "end"),
        ("account_status", '{"allowed_statuses": []}', "allowed_statuses"),
        ("cool_down", "[1, 2]", "JSON object"),
        ("cool_down", "{not json", "Enter a valid JSON"),
    ],
)
def test_bad_parameters_are_refused_with_the_field_named(as_supervisor, rule, parameters, message):
    response, policy = post(as_supervisor, rule, parameters)
    assert response.status_code == 200  # the form again, with errors
    errors = str(response.context["adminform"].form.errors)
    assert message in errors
    before = policy.parameters
    policy.refresh_from_db()
    assert policy.parameters == before


def test_good_quiet_hours_are_saved(as_supervisor):
    response, policy = post(as_supervisor, "quiet_hours", '{"start": "20:30", "end": "09:00", "channels": ["SMS"]}')
    assert response.status_code == 302
    policy.refresh_from_db()
    assert policy.params().start.strftime("%H:%M") == "20:30"


def test_agents_cannot_reach_policies(as_agent):
    policy = ContactPolicy.objects.first()
    url = reverse("admin:contact_rules_contactpolicy_change", args=[policy.pk])
    assert as_agent.post(url, {"enabled": "", "parameters": "{}"}).status_code == 302  # to the login page
    policy.refresh_from_db()
    assert policy.enabled
