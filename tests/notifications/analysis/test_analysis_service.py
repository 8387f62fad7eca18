"""`analyse_customer`, `get_analyst`, `fallback_result`: the entry points the job layer calls."""

from __future__ import annotations

import pytest

from notifications.analysis.analysts.base import AnalystUnavailable
from notifications.analysis.analysts.bedrock import BedrockAnalyst
from notifications.analysis.analysts.offline import OfflineAnalyst
from notifications.analysis.services import analyse as analysis
from notifications.analysis.services.analyse import analyse_customer, fallback_result, get_analyst
from notifications.profiles.schemas import OPT_OUT_LINES, DraftMessage, Segment
from tests.fakes.bedrock_server import FakeBedrock, throttle
from tests.fakes.profiles import TODAY, at, interaction, make_profile

offline = OfflineAnalyst(today=TODAY)


class Scripted(OfflineAnalyst):
    """The offline analyst with one step's answer replaced, to test the service's gates."""

    name = "scripted"

    def __init__(self, **replace):
        super().__init__(today=TODAY)
        self.replace = replace

    def prioritise(self, profile):
        result = super().prioritise(profile)
        return result.model_copy(update=self.replace.get("priority", {}))

    def draft(self, profile, analysis):
        return self.replace["draft"] if "draft" in self.replace else super().draft(profile, analysis)


def test_get_analyst_by_provider(settings):
    assert isinstance(get_analyst("offline"), OfflineAnalyst)
    settings.AI_PROVIDER = "offline"
    assert get_analyst().name == "offline"
    with pytest.raises(ValueError, match="Unknown AI provider"):
        get_analyst("gpt")


def test_bedrock_analyst_from_settings_uses_endpoint_models_and_small_retries(db, settings, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "fake")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "fake")
    analysis._bedrock_analyst.cache_clear()
    with FakeBedrock() as server:
        settings.BEDROCK_ENDPOINT_URL = server.url
        settings.BEDROCK_BULK_MODEL_ID = "global.anthropic.claude-haiku-4-5-20251001-v1:0"
        settings.BEDROCK_MODEL_ID = "eu.anthropic.claude-sonnet-4-5-20250929-v1:0"
        settings.BEDROCK_CONFIDENCE_THRESHOLD = 1.0  # every customer to Bedrock
        settings.BEDROCK_RETRIES = {"mode": "standard", "max_attempts": 1}
        try:
            analyst = get_analyst("bedrock")
            assert isinstance(analyst, BedrockAnalyst) and get_analyst("bedrock") is analyst  # one per process
            assert analyst.client.meta.config.read_timeout == settings.BEDROCK_READ_TIMEOUT
            server.script(throttle(), throttle(), throttle())
            with pytest.raises(AnalystUnavailable):
                analyst.segment(make_profile())
            assert len(server.requests) == 2  # botocore retried once, then the job layer takes over
            # Segmentation on the bulk model; drafts on the stronger one.
            assert server.requests[0].model_id == "global.anthropic.claude-haiku-4-5-20251001-v1:0"
            profile = make_profile()
            analyst.draft(profile, offline.prioritise(profile))
            assert server.requests[-1].model_id == "eu.anthropic.claude-sonnet-4-5-20250929-v1:0"
        finally:
            analysis._bedrock_analyst.cache_clear()


def test_non_value_seekers_are_only_segmented():
    profile = make_profile(age=75, preferred_channel="Phone", income_bracket="High",
                           interactions=(interaction(channel="Letter", summary="Posted a meter reading"),))  # fmt: skip
    result = analyse_customer(profile, offline)
    assert result.segmentation.segment == Segment.TRADITIONALISTS
    assert result.priority is None and result.draft is None and result.usage == []


def test_a_value_seeker_the_policies_rule_out_is_only_segmented():
    result = analyse_customer(make_profile(), offline, contactable=False)
    assert result.segmentation.segment == Segment.VALUE_SEEKERS
    assert result.priority is None and result.draft is None and not result.fallback


def test_value_seeker_gets_priority_and_draft():
    result = analyse_customer(make_profile(), offline)
    assert result.segmentation.segment == Segment.VALUE_SEEKERS
    assert result.priority.should_contact and result.draft.channel == "Email"
    assert result.customer_id == "CUST000001" and result.provider == "offline" and not result.fallback


def test_marketing_situation_without_consent_becomes_the_service_need():
    profile = make_profile(opted_in=False, satisfaction_score=2)
    result = analyse_customer(profile, Scripted(priority={"situation": "tariff_value"}))
    assert result.priority.situation == "retention" and result.draft.kind == "service"
    assert any("no consent" in w for w in result.warnings)


def test_marketing_situation_without_consent_or_need_means_no_contact():
    profile = make_profile(last_unsubscribe_at=at("2026-06-01"))
    result = analyse_customer(profile, Scripted(priority={"situation": "tariff_value", "should_contact": True}))
    assert result.priority.should_contact is False and result.draft is None
    assert "Unsubscribe" in result.warnings[0]


def test_marketing_draft_is_never_handed_over_without_consent():
    profile = make_profile(opted_in=False, satisfaction_score=2)
    marketing = DraftMessage(channel="SMS", kind="marketing", situation="tariff_value",
                             body=f"Hello Morag, a tariff review? {OPT_OUT_LINES['SMS']}")  # fmt: skip
    result = analyse_customer(profile, Scripted(draft=marketing))
    assert result.draft is not None and result.draft.kind == "service"


def test_fallback_result_is_the_offline_answer_marked_as_fallback():
    profile = make_profile()
    result = fallback_result(profile, "Bedrock throttled after 5 retries")
    assert result.fallback and result.fallback_reason == "Bedrock throttled after 5 retries"
    assert result.provider == "offline"
    assert result.priority is not None and result.draft is not None


def test_unavailable_propagates_out_of_analyse_customer():
    class Down(OfflineAnalyst):
        name = "down"

        def segment(self, profile):
            raise AnalystUnavailable("throttled")

    with pytest.raises(AnalystUnavailable):
        analyse_customer(make_profile(), Down())
