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
        ("account_status", '{"blocked_statuses": ["Closed"], "contactable_statuses": ["closed"]}', "both blocked"),
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


def test_account_statuses_new_in_the_data_are_listed_for_a_decision(admin_client):
    from tests.factories import AccountActivityFactory

    for status in ("Active", "At Risk", "Pending Switch", "Closed"):
        AccountActivityFactory(account_status=status)
    changelist = admin_client.get(reverse("admin:contact_rules_contactpolicy_changelist"))
    assert [str(m) for m in changelist.context["messages"]] == [
        "Account statuses new in the data, held from contact until you decide: Pending Switch. "
        "Open the Account status policy to add each to the blocked or the contactable list."
    ]
    policy = ContactPolicy.objects.get(rule="account_status")
    page = admin_client.get(reverse("admin:contact_rules_contactpolicy_change", args=[policy.pk])).content.decode()
    assert "<tr><td>Pending Switch</td><td>1</td><td>new: held until you add it to one of the lists</td></tr>" in page
    assert "<tr><td>At Risk</td><td>1</td><td>contactable</td></tr>" in page
    assert "<tr><td>Closed</td><td>1</td><td>blocked</td></tr>" in page
