"""The admin's Provider settings page: "Check connection" runs the check_bedrock pre-flight (local Bedrock fake)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.html import escape

from notifications.analysis.models import ProviderSettings

CHECK = reverse("admin:analysis_providersettings_check")
HAIKU = "eu.anthropic.claude-haiku-4-5-20251001-v1:0"


def test_the_settings_page_offers_the_check_to_admins(as_admin):
    ProviderSettings(monthly_budget_gbp=100).save()
    page = as_admin.get(reverse("admin:analysis_providersettings_change", args=[1])).content.decode()
    assert f'action="{CHECK}"' in page and "Check connection" in page


def test_a_good_set_up_is_reported_ready_with_each_model(as_admin, fake_bedrock):
    server = fake_bedrock()
    page = as_admin.post(CHECK, follow=True).content.decode()
    assert "Region eu-west-2; AWS credentials from env." in page
    assert f"Model {HAIKU} (BEDROCK_BULK_MODEL_ID; segmentation, prioritisation): ACTIVE; test call" in page
    assert "Model eu.anthropic.claude-sonnet-4-5-20250929-v1:0 (BEDROCK_MODEL_ID; drafts): ACTIVE; test call" in page
    assert "Bedrock is ready." in page
    assert len(server.requests) == 2  # one small call per model


def test_the_admins_own_bulk_model_is_the_one_checked_and_named(as_admin, fake_bedrock):
    fake_bedrock()
    ProviderSettings(bulk_model_id="anthropic.claude-3-haiku-20240307-v1:0").save()
    page = as_admin.post(CHECK, follow=True).content.decode()
    sentence = (
        "Bedrock in eu-west-2 does not recognise model anthropic.claude-3-haiku-20240307-v1:0, which is retired or "
        'misspelt (Bedrock said "The provided model identifier is invalid"): set the bulk model in Provider '
        f"settings to a current one such as {HAIKU}."
    )
    assert escape(sentence) in page and "Bedrock is ready." not in page


def test_a_supervisor_may_not_run_it(as_supervisor, fake_bedrock):
    server = fake_bedrock()
    assert as_supervisor.post(CHECK).status_code == 403
    assert server.requests == []


def test_never_on_a_get(as_admin, fake_bedrock):
    server = fake_bedrock()
    assert as_admin.get(CHECK).status_code == 405  # it makes paid calls
    assert server.requests == []
