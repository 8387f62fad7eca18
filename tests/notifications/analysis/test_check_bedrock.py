"""`manage.py check_bedrock` (notifications/analysts/bedrock/preflight.py) against the local Bedrock fake:
real boto3 `bedrock` and `bedrock-runtime` clients, the fake's control plane and Converse."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from notifications.analysis.analysts.bedrock.client import make_client, make_control_client
from notifications.analysis.analysts.bedrock.preflight import sample_profile
from notifications.analysis.analysts.offline import OfflineAnalyst
from tests.fakes.bedrock_server import throttle, tool_use

HAIKU = "eu.anthropic.claude-haiku-4-5-20251001-v1:0"
SONNET = "eu.anthropic.claude-sonnet-4-5-20250929-v1:0"


@pytest.fixture
def bedrock(fake_bedrock):
    return fake_bedrock


def check() -> str:
    out = io.StringIO()
    call_command("check_bedrock", stdout=out)
    return out.getvalue()


def fails_with() -> str:
    with pytest.raises(CommandError) as info:
        check()
    assert info.value.returncode == 1
    return str(info.value)


def test_success_checks_both_models_and_prices_one_call_each(bedrock, settings):
    server = bedrock()
    profile = sample_profile(timezone.localdate())
    offline = OfflineAnalyst()
    analysis = offline.prioritise(profile)
    server.script(
        tool_use("record_segmentation", offline.segment(profile).model_dump(mode="json"),
                 input_tokens=1000, output_tokens=200),
        tool_use("record_draft_message", offline.draft(profile, analysis).model_dump(mode="json"),
                 input_tokens=1500, output_tokens=250),
    )  # fmt: skip
    out = check()
    lines = out.splitlines()
    assert lines[0] == "Region eu-west-2; AWS credentials from env."
    # eu. Haiku 4.5: (1000 × $1.10 + 200 × $5.50) / 1M = $0.0022 → £0.0017
    bulk_role = "(BEDROCK_BULK_MODEL_ID; segmentation, prioritisation)"
    assert lines[1].startswith(f"Model {HAIKU} {bulk_role}: ACTIVE; test call ")
    assert "1,000 input + 200 output tokens (cache read 0, write 0), £0.0017 per call" in lines[1]
    # eu. Sonnet 4.5: (1500 × $3.30 + 250 × $16.50) / 1M = $0.009075 → £0.0072
    assert lines[2].startswith(f"Model {SONNET} (BEDROCK_MODEL_ID; drafts): ACTIVE; test call ")
    assert "1,500 input + 250 output tokens (cache read 0, write 0), £0.0072 per call" in lines[2]
    assert lines[3] == "Bedrock is ready."
    assert server.control_requests == [
        f"/inference-profiles/{HAIKU.replace(':', '%3A')}",
        "/foundation-models/anthropic.claude-haiku-4-5-20251001-v1%3A0",
        f"/inference-profiles/{SONNET.replace(':', '%3A')}",
        "/foundation-models/anthropic.claude-sonnet-4-5-20250929-v1%3A0",
    ]
    # One call per model, with the real forced tool of the operation it serves.
    assert [(r.model_id, r.body["toolConfig"]["toolChoice"]["tool"]["name"]) for r in server.requests] == [
        (HAIKU, "record_segmentation"),
        (SONNET, "record_draft_message"),
    ]


def test_a_retired_model_is_named_with_what_to_set_and_never_called(bedrock, settings):
    server = bedrock()
    settings.BEDROCK_BULK_MODEL_ID = "anthropic.claude-3-haiku-20240307-v1:0"
    assert fails_with() == (
        "Bedrock in eu-west-2 does not recognise model anthropic.claude-3-haiku-20240307-v1:0, which is retired or "
        'misspelt (Bedrock said "The provided model identifier is invalid"): set BEDROCK_BULK_MODEL_ID to a current '
        "one such as eu.anthropic.claude-haiku-4-5-20251001-v1:0."
    )
    assert server.requests == []


def test_a_bare_claude_4_id_is_told_its_inference_profile(bedrock, settings):
    bedrock()
    settings.BEDROCK_MODEL_ID = "anthropic.claude-sonnet-4-5-20250929-v1:0"
    assert fails_with() == (
        "Model anthropic.claude-sonnet-4-5-20250929-v1:0 cannot be called on demand in eu-west-2 (Bedrock offers it "
        f"through INFERENCE_PROFILE only): set BEDROCK_MODEL_ID to its inference profile {SONNET}."
    )


def test_a_legacy_model_fails_with_its_end_of_life(bedrock):
    bedrock(legacy=("anthropic.claude-sonnet-4-5-20250929-v1:0",))
    assert fails_with() == (
        f"Model {SONNET} is LEGACY in eu-west-2, end of life 15 January 2027: set BEDROCK_MODEL_ID to a current "
        "model such as the newest one in the Bedrock console's model catalogue."
    )


def test_no_model_access_is_found_by_the_test_call(bedrock):
    server = bedrock(denied=("anthropic.claude-haiku-4-5-20251001-v1:0",))
    sentence = fails_with()
    assert sentence.startswith(
        f"These AWS credentials may not call model {HAIKU} in eu-west-2 (Bedrock said \"You don't have access to "
        'the model with the specified model ID"): enable access to the model in the Bedrock console (Model access)'
    )
    assert [r.model_id for r in server.requests] == [HAIKU]  # stopped at the first model


def test_an_eu_profile_from_a_us_region(bedrock, settings):
    bedrock()
    settings.AWS_REGION = "us-east-1"
    assert fails_with() == (
        f'Bedrock in us-east-1 has no model or inference profile {HAIKU} (Bedrock said "Inference profile {HAIKU} '
        'not found"): check BEDROCK_BULK_MODEL_ID, or set AWS_REGION to a region that offers it.'
    )


def test_rejected_credentials(bedrock):
    bedrock(accept_keys=("AKIAREAL",))
    assert fails_with().startswith(
        f'AWS refused the credentials calling {HAIKU} in eu-west-2 (Bedrock said "The security token included in '
        'the request is invalid"): set AWS_ACCESS_KEY_ID'
    )


def test_missing_credentials_and_a_wrong_region(bedrock, settings, monkeypatch, tmp_path):
    bedrock()
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    assert fails_with().startswith("No AWS credentials were found for calling Bedrock in eu-west-2: set")
    settings.AWS_REGION = "London"
    assert fails_with() == (
        "AWS_REGION 'London' is not an AWS region: set it to the region where your Bedrock models are enabled, "
        "e.g. eu-west-2."
    )


def test_throttled_test_call_fails_the_check_without_blaming_the_model(bedrock):
    server = bedrock()
    server.script(throttle())
    assert fails_with().startswith(f"Bedrock did not answer a test call to {HAIKU} in eu-west-2 (")


def test_the_control_plane_client_leaves_the_analysts_retry_setting_as_it_was(settings):
    # botocore rewrites a retries dict in place (max_attempts -> total_max_attempts); shared with the
    # analysts' runtime client, the setting would change under them after the first check.
    settings.BEDROCK_RETRIES = {"mode": "standard", "max_attempts": 2}
    make_control_client(endpoint_url="http://127.0.0.1:9")  # never called
    make_client(endpoint_url="http://127.0.0.1:9")
    assert settings.BEDROCK_RETRIES == {"mode": "standard", "max_attempts": 2}
