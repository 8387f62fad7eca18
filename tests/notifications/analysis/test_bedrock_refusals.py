"""Bedrock refusing the set-up (retired id, bare Claude 4 id, no model access) stops at once with one sentence;
throttling keeps the retry-then-fallback path. Real boto3 client, local fake server."""

from __future__ import annotations

import pytest

from notifications.analysis.analysts.base import AnalystMisconfigured, AnalystUnavailable
from notifications.analysis.analysts.bedrock import BedrockAnalyst
from notifications.analysis.services.analyse import analyse_customer
from tests.fakes.bedrock_server import FakeBedrock, throttle
from tests.fakes.profiles import TODAY, make_profile

HAIKU = "eu.anthropic.claude-haiku-4-5-20251001-v1:0"
SONNET = "eu.anthropic.claude-sonnet-4-5-20250929-v1:0"
SETTINGS = {"segment": "BEDROCK_BULK_MODEL_ID", "prioritise": "BEDROCK_BULK_MODEL_ID", "draft": "BEDROCK_MODEL_ID"}


def analyst(server, model_id=HAIKU, draft_model_id=SONNET, region="eu-west-2"):
    return BedrockAnalyst(server.client(region=region), model_id, draft_model_id=draft_model_id, today=TODAY,
                          setting_names=SETTINGS)  # fmt: skip


def test_a_retired_model_stops_on_the_first_call_and_names_model_region_message_and_setting():
    with FakeBedrock() as server:
        with pytest.raises(AnalystMisconfigured) as info:
            analyse_customer(make_profile(), analyst(server, model_id="anthropic.claude-3-haiku-20240307-v1:0"))
        assert len(server.requests) == 1  # not retried, not replaced by a per-customer fallback
    exc = info.value
    assert str(exc) == (
        "Bedrock in eu-west-2 does not recognise model anthropic.claude-3-haiku-20240307-v1:0, which is retired or "
        'misspelt (Bedrock said "The provided model identifier is invalid"): set BEDROCK_BULK_MODEL_ID to a current '
        "one such as eu.anthropic.claude-haiku-4-5-20251001-v1:0."
    )
    assert (exc.model_id, exc.region, exc.code) == ("anthropic.claude-3-haiku-20240307-v1:0", "eu-west-2",
                                                    "ValidationException")  # fmt: skip


def test_a_bare_claude_4_id_is_told_to_use_its_inference_profile():
    profile = make_profile()
    with FakeBedrock() as server:
        bare = analyst(server, draft_model_id="anthropic.claude-sonnet-4-5-20250929-v1:0")
        with pytest.raises(AnalystMisconfigured) as info:
            analyse_customer(profile, bare)
    assert str(info.value) == (
        "Model anthropic.claude-sonnet-4-5-20250929-v1:0 cannot be called on demand in eu-west-2 (Bedrock said "
        '"Invocation of model ID anthropic.claude-sonnet-4-5-20250929-v1:0 with on-demand throughput isn’t '
        'supported. Retry your request with the ID or ARN of an inference profile that contains this model"): '
        "set BEDROCK_MODEL_ID to its inference profile eu.anthropic.claude-sonnet-4-5-20250929-v1:0."
    )
    # Segmentation and priority ran on the (valid) bulk model; the draft call was refused.
    assert [r.model_id for r in server.requests] == [HAIKU, HAIKU, "anthropic.claude-sonnet-4-5-20250929-v1:0"]


def test_an_eu_profile_called_from_a_us_region_is_invalid_there():
    refused = pytest.raises(AnalystMisconfigured, match="Bedrock in us-east-1 does not recognise model eu.anthropic")
    with FakeBedrock() as server, refused:
        analyst(server, region="us-east-1").segment(make_profile())


def test_no_model_access():
    denied = FakeBedrock(denied=("anthropic.claude-haiku-4-5-20251001-v1:0",))
    with denied as server, pytest.raises(AnalystMisconfigured) as info:
        analyse_customer(make_profile(), analyst(server))
    assert str(info.value) == (
        f"These AWS credentials may not call model {HAIKU} in eu-west-2 (Bedrock said \"You don't have access to the "
        'model with the specified model ID"): enable access to the model in the Bedrock console (Model access) and '
        "allow bedrock:InvokeModel on the model and, for an inference profile, on the profile, in IAM."
    )
    assert info.value.code == "AccessDeniedException"


def test_throttling_is_still_transient_for_the_job_to_retry():
    with FakeBedrock() as server:
        server.script(throttle())
        with pytest.raises(AnalystUnavailable):
            analyse_customer(make_profile(), analyst(server))
        server.script()
        result = analyse_customer(make_profile(), analyst(server))  # the next attempt goes through
    assert not result.fallback and result.draft is not None
