"""Each role's boundary, proved from the URL (not from what the menu shows)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from customers.models import Customer
from notifications.analysis.models import ProviderSettings
from notifications.contact_rules.models import ContactPolicy
from tests.factories import PROFILE_HEADER, CustomerFactory, NotificationFactory

pytestmark = pytest.mark.django_db

ADMIN_URLS = [
    "admin:index",
    "admin:customers_customer_changelist",
    "admin:queue_notification_changelist",
    "admin:analysis_analysisjob_changelist",
    "admin:analysis_aicall_changelist",
    "admin:contact_rules_contactpolicy_changelist",
    "admin:staff_auditevent_changelist",
    "admin:auth_user_changelist",
    "control:dashboard",
    "control:usage",
    "control:import_all",
]


@pytest.mark.parametrize("name", ADMIN_URLS)
def test_anonymous_is_sent_to_the_login_page(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


@pytest.mark.parametrize("name", ADMIN_URLS)
def test_an_agent_never_gets_an_admin_page(as_agent, name):
    response = as_agent.get(reverse(name))
    # Not staff: the admin answers with its login page (a redirect to it), never the content.
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


def test_an_agent_cannot_post_an_admin_action(as_agent):
    n = NotificationFactory()
    response = as_agent.post(
        reverse("admin:queue_notification_changelist"),
        {"action": "release_claims", "_selected_action": [n.pk]},
    )
    assert response.status_code == 302 and reverse("admin:login") in response["Location"]


def test_an_agent_can_use_the_workspace(as_agent):
    assert as_agent.get(reverse("notifications:queue")).status_code == 200


@pytest.mark.parametrize(
    "name",
    [
        "admin:customers_customer_changelist",
        "admin:customers_interaction_changelist",
        "admin:queue_notification_changelist",
        "admin:analysis_customeranalysis_changelist",
        "admin:analysis_contactdecision_changelist",
        "admin:analysis_analysisjob_changelist",
        "admin:analysis_aicall_changelist",
        "admin:contact_rules_contactpolicy_changelist",
        "admin:staff_auditevent_changelist",
        "admin:customers_importrun_changelist",
        "control:dashboard",
        "control:usage",
    ],
)
def test_a_supervisor_reads_all_data(as_supervisor, name):
    assert as_supervisor.get(reverse(name)).status_code == 200


def test_a_supervisor_reads_a_customer_but_cannot_change_it(as_supervisor):
    customer = CustomerFactory()
    url = reverse("admin:customers_customer_change", args=[customer.pk])
    page = as_supervisor.get(url)
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()  # view-only
    response = as_supervisor.post(url, {"name": "Changed"})
    assert response.status_code == 403
    customer.refresh_from_db()
    assert customer.name != "Changed"


@pytest.mark.parametrize(
    "name",
    [
        "admin:customers_customer_import",
        "admin:customers_customer_add",
        "admin:customers_notificationhistory_import",
        "admin:auth_user_changelist",
        "admin:auth_user_add",
        "admin:auth_group_changelist",
        "admin:analysis_providersettings_add",
        "control:import_all",
    ],
)
def test_a_supervisor_cannot_import_add_rows_or_manage_users(as_supervisor, name):
    assert as_supervisor.get(reverse(name)).status_code == 403


def test_a_supervisor_cannot_post_an_import_or_delete_rows(as_supervisor):
    customer = CustomerFactory()
    upload = SimpleUploadedFile("p.csv", (PROFILE_HEADER + "\n").encode(), content_type="text/csv")
    response = as_supervisor.post(
        reverse("admin:customers_customer_import"), {"import_file": upload, "format": "0", "resource": "0"}
    )
    assert response.status_code == 403
    response = as_supervisor.post(reverse("admin:customers_customer_delete", args=[customer.pk]), {"post": "yes"})
    assert response.status_code == 403
    response = as_supervisor.post(
        reverse("admin:customers_customer_changelist"),
        {"action": "delete_selected", "_selected_action": [customer.pk], "post": "yes"},
    )
    assert Customer.objects.filter(pk=customer.pk).exists()


def test_a_supervisor_cannot_change_provider_settings(as_supervisor):
    ProviderSettings(monthly_budget_gbp=100).save()
    url = reverse("admin:analysis_providersettings_change", args=[1])
    assert as_supervisor.get(url).status_code == 200  # reading the budget is allowed
    response = as_supervisor.post(url, {"provider": "bedrock", "bulk_model_id": "", "monthly_budget_gbp": "999"})
    assert response.status_code == 403
    assert ProviderSettings.load().monthly_budget_gbp == 100


def test_a_supervisor_edits_contact_policies(as_supervisor):
    policy = ContactPolicy.objects.get(rule="cool_down")
    url = reverse("admin:contact_rules_contactpolicy_change", args=[policy.pk])
    response = as_supervisor.post(
        url, {"enabled": "on", "parameters": '{"ignored_in_a_row": 4, "days": 10}', "description": ""}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    policy.refresh_from_db()
    assert policy.parameters == {"ignored_in_a_row": 4, "days": 10}


@pytest.mark.parametrize(
    "name",
    [
        "admin:customers_customer_import",
        "admin:customers_customer_add",
        "admin:auth_user_changelist",
        "admin:auth_user_add",
        "admin:auth_group_changelist",
        "admin:analysis_providersettings_changelist",
        "control:import_all",
        "control:dashboard",
    ],
)
def test_an_admin_imports_and_manages_users_and_settings(as_admin, name):
    response = as_admin.get(reverse(name), follow=True)
    assert response.status_code == 200


def test_an_admin_sets_the_budget(as_admin):
    response = as_admin.post(
        reverse("admin:analysis_providersettings_add"),
        {"provider": "bedrock", "bulk_model_id": "", "monthly_budget_gbp": "75.50"},
    )
    assert response.status_code == 302
    assert str(ProviderSettings.load().monthly_budget_gbp) == "75.50"


def test_index_links_follow_the_role(as_supervisor, client, admin_user):
    page = as_supervisor.get(reverse("admin:index")).content.decode()
    assert reverse("control:dashboard") in page
    assert reverse("control:import_all") not in page
    assert "Smart Notification Engine — control room" in page
    client.force_login(admin_user)
    assert reverse("control:import_all") in client.get(reverse("admin:index")).content.decode()


@pytest.mark.parametrize(
    "model_id",
    [
        "eu.anthropic.claude-haiku-4-5-20251001-v1:0",
        "global.anthropic.claude-haiku-4-5-20251001-v1:0",
        "arn:aws:bedrock:eu-west-2:123456789012:inference-profile/eu.anthropic.claude-haiku-4-5-20251001-v1:0",
    ],
)
def test_the_bulk_model_may_be_any_priced_id_profile_or_arn(as_admin, model_id):
    response = as_admin.post(
        reverse("admin:analysis_providersettings_add"),
        {"provider": "bedrock", "bulk_model_id": model_id, "monthly_budget_gbp": "75.50"},
    )
    assert response.status_code == 302
    assert ProviderSettings.load().bulk_model_id == model_id


def test_a_bulk_model_without_a_price_is_refused(as_admin):
    response = as_admin.post(
        reverse("admin:analysis_providersettings_add"),
        {
            "provider": "bedrock",
            "bulk_model_id": "eu.anthropic.claude-haiku-9-20300101-v1:0",
            "monthly_budget_gbp": "1",
        },
    )
    assert response.status_code == 200  # the form again: its calls would escape the budget
    assert "No price for this model in BEDROCK_PRICES_USD_PER_MTOK" in response.content.decode()
    assert ProviderSettings.load().bulk_model_id == ""
