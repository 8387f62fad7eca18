"""Bedrock segments: grounded reasons or a rejected answer, disputes flagged, and AI only where the rules are
unsure (routing by the offline scorer's confidence). Real boto3 client, local fake server."""

from __future__ import annotations

import json

import pytest

from notifications.analysis.analysts.bedrock import BedrockAnalyst
from notifications.analysis.analysts.offline import OfflineAnalyst
from notifications.analysis.services.analyse import analyse_customer
from tests.fakes.bedrock_server import POISONED_SEGMENT, FakeBedrock, poisoning_responder, tool_use
from tests.fakes.profiles import TODAY, make_profile

HAIKU = "eu.anthropic.claude-haiku-4-5-20251001-v1:0"
offline = OfflineAnalyst(today=TODAY)
# Offline evidence (rules.py weights): Value Seekers 4.5 (Low income 1.5, Basic 1, a price question 1, a tariff
# notification opened 1), Digital Natives 0.5 (age 41): confidence 4.5/5 = 0.9.
CLEAR = make_profile()
# The same plus Traditionalists 4.5 (age 72: 2.5, prefers Phone: 2): Value Seekers 4.5/9 = 0.5, a tie.
UNSURE = make_profile(customer_id="CUST000002", age=72, preferred_channel="Phone")


@pytest.fixture
def server():
    with FakeBedrock() as fake:
        yield fake


def analyst(server, **kwargs):
    return BedrockAnalyst(server.client(), HAIKU, today=TODAY, **kwargs)


def segment_calls(server) -> int:
    names = [r.body["toolConfig"]["toolChoice"]["tool"]["name"] for r in server.requests]
    return names.count("record_segmentation")


def feedback(request) -> str:
    return request.body["messages"][2]["content"][0]["toolResult"]["content"][0]["text"]


# --- grounded reasons ----------------------------------------------------------------------------------


def test_the_issues_poisoned_answer_is_retried_then_replaced_with_the_reason_shown(server):
    server.responder = poisoning_responder(1.0)
    result = analyse_customer(UNSURE, analyst(server))
    assert segment_calls(server) == 2
    errors = feedback(server.requests[1])
    assert "'price_sensitivity' is not a field of the customer's record" in errors
    assert "the customer's interactions.summary is not 'Said they will switch unless we cut the bill by 30%'" in errors
    assert result.fallback and result.fallback_reason.startswith("segment: reason 'interactions.summary'=")
    assert result.segmentation == offline.segment(UNSURE)  # the rules' answer, confidence 0.5, not 100%
    shown = json.dumps([r.model_dump(mode="json") for r in result.segmentation.reasons])
    assert "price_sensitivity" not in shown and "cut the bill" not in shown


def test_a_corrected_answer_is_accepted(server):
    reasons = [
        {"field": "age", "value": "72", "points_to": "Traditionalists", "weight": 2.5},
        {"field": "preferred_channel", "value": "Phone", "points_to": "Traditionalists", "weight": 2},
        {"field": "interactions.summary", "value": "asked whether a cheaper tariff is available",
         "points_to": "Value Seekers", "weight": 1},
    ]  # fmt: skip
    answer = {"segment": "Traditionalists", "confidence": 0.6, "reasons": reasons}
    server.script(tool_use("record_segmentation", POISONED_SEGMENT), tool_use("record_segmentation", answer))
    result = analyse_customer(UNSURE, analyst(server))
    assert result.segmentation.segment == "Traditionalists" and not result.fallback
    values = [r.value for r in result.segmentation.reasons]
    assert values == ["72", "Phone", "asked whether a cheaper tariff is available"]


def test_reasons_must_quote_the_customers_actual_values(server):
    wrong = {"segment": "Traditionalists", "confidence": 0.7, "reasons": [
        {"field": "age", "value": "81", "points_to": "Traditionalists", "weight": 2.5},
        {"field": "activity.engagement_score", "value": "50 (bottom 3%)", "points_to": "Traditionalists", "weight": 1},
    ]}  # fmt: skip
    server.script(tool_use("record_segmentation", wrong), tool_use("record_segmentation", wrong))
    result = analyse_customer(UNSURE, analyst(server))
    errors = feedback(server.requests[1])
    assert "reason 'age'='81': the customer's age is not '81'" in errors
    assert "reason 'activity.engagement_score'='50 (bottom 3%)': number '3%' is not in the customer's record" in errors
    assert result.fallback and result.segmentation == offline.segment(UNSURE)


# --- disagreement with the offline scorer ------------------------------------------------------------------


def grounded(segment: str, confidence: float) -> dict:
    """Reasons that quote real values, whatever segment they are made to point to."""
    return {"segment": segment, "confidence": confidence, "reasons": [
        {"field": "location", "value": "Inverness", "points_to": segment, "weight": 3},
        {"field": "income_bracket", "value": "Low", "points_to": "Value Seekers", "weight": 1},
    ]}  # fmt: skip


def test_a_strong_disagreement_is_flagged_for_review_and_the_rules_segment_stands(server):
    server.script(tool_use("record_segmentation", grounded("Eco Savers", 0.95)))
    result = analyse_customer(UNSURE, analyst(server))
    assert segment_calls(server) == 1  # a grounded answer: not re-asked, just not trusted
    note = (
        "Segment needs review: Bedrock chose Eco Savers (confidence 95%), but only 0% of the offline evidence "
        "points there; the rules' Value Seekers (50%) stands until a person checks."
    )
    assert note in result.warnings
    assert result.fallback and result.fallback_reason == f"segment: {note}"
    assert result.segmentation == offline.segment(UNSURE)


def test_a_mild_disagreement_is_bedrocks_call(server):
    # Traditionalists hold 4.5 of the 9 points of offline evidence for this customer: a fair reading.
    server.script(tool_use("record_segmentation", grounded("Traditionalists", 0.6)))
    result = analyse_customer(UNSURE, analyst(server))
    assert result.segmentation.segment == "Traditionalists" and not result.fallback and result.warnings == []
    assert result.priority is None  # not a Value Seeker now: no priority or draft calls
    assert len(server.requests) == 1


# --- routing: AI only where the rules are unsure --------------------------------------------------------


def test_a_customer_the_rules_are_sure_of_never_reaches_bedrock(server):
    result = analyse_customer(CLEAR, analyst(server, confidence_threshold=0.5))
    assert server.requests == [] and result.usage == []
    assert result.segmentation == offline.segment(CLEAR)
    assert result.priority == offline.prioritise(CLEAR)
    assert result.draft == offline.draft(CLEAR, offline.prioritise(CLEAR))


def test_an_unsure_customer_gets_every_configured_step_from_bedrock(server):
    result = analyse_customer(UNSURE, analyst(server, confidence_threshold=0.5))
    assert [u.operation for u in result.usage] == ["segment", "prioritise", "draft"]
    assert {u.model_id for u in result.usage} == {HAIKU}


@pytest.mark.parametrize(("threshold", "sent"), [(0.0, []), (0.5, ["CUST000002"]), (0.9, ["CUST000001", "CUST000002"]),
                                                 (1.0, ["CUST000001", "CUST000002"])])  # fmt: skip
def test_the_threshold_decides_who_goes_to_bedrock(server, threshold, sent):
    bedrock = analyst(server, confidence_threshold=threshold, operations=["segment"])
    for profile in (CLEAR, UNSURE):
        analyse_customer(profile, bedrock)
    assert [json.loads(r.user_text.split("\n")[2])["customer_id"] for r in server.requests] == sent
    assert [bedrock.needs_bedrock(p) for p in (CLEAR, UNSURE)] == [c in sent for c in ("CUST000001", "CUST000002")]
