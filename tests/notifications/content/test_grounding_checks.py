"""Consent rule, SMS/push lengths, and `check_draft` (the workspace's inline warnings)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from notifications.common.sms import sms_size
from notifications.content.checks import check_draft
from notifications.profiles.consent import marketing_consent
from notifications.profiles.schemas import OPT_OUT_LINES, DraftMessage
from tests.fakes.profiles import TODAY, at, make_profile

# --- consent ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("opted_in", "unsubscribed", "opted_in_again", "allowed"),
    [
        (True, None, None, True),
        (False, None, None, False),
        (True, "2026-05-01", None, False),  # Opted_In=Yes cannot be shown to post-date the Unsubscribe
        (True, "2026-05-01", "2026-04-01", False),  # opt-in before the Unsubscribe does not count
        (True, "2026-05-01", "2026-06-01", True),  # an explicit later opt-in restores consent
        (False, "2026-05-01", "2026-06-01", False),  # …but not over Opted_In=No
    ],
)
def test_marketing_consent_rule(opted_in, unsubscribed, opted_in_again, allowed):
    profile = make_profile(
        opted_in=opted_in,
        last_unsubscribe_at=at(unsubscribed) if unsubscribed else None,
        last_opt_in_at=at(opted_in_again) if opted_in_again else None,
    )
    consent = marketing_consent(profile)
    assert consent.marketing is allowed
    assert consent.reason


# --- SMS sizing ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "encoding", "units", "segments"),
    [
        ("a" * 160, "GSM-7", 160, 1),
        ("a" * 161, "GSM-7", 161, 2),
        ("a" * 306, "GSM-7", 306, 2),
        ("a" * 307, "GSM-7", 307, 3),
        ("€" * 10, "GSM-7", 20, 1),  # extension characters take two septets
        ("[]{}" + "a" * 152, "GSM-7", 160, 1),
        ("It’s" + "a" * 66, "UCS-2", 70, 1),  # one curly quote switches to UCS-2
        ("Siobhán " + "a" * 127, "UCS-2", 135, 3),
    ],
)
def test_sms_size(text, encoding, units, segments):
    size = sms_size(text)
    assert (size.encoding, size.units, size.segments) == (encoding, units, segments)


def test_draft_message_enforces_channel_limits_and_opt_out():
    ok = DraftMessage(channel="SMS", kind="service", situation="billing_support", body="a" * 306)
    assert ok.body
    with pytest.raises(ValidationError, match="2 segments"):
        DraftMessage(channel="SMS", kind="service", situation="billing_support", body="a" * 307)
    with pytest.raises(ValidationError, match="134"):
        DraftMessage(channel="SMS", kind="service", situation="billing_support", body="’" + "a" * 134)
    with pytest.raises(ValidationError, match="178"):
        DraftMessage(channel="App Push", kind="service", situation="billing_support", body="a" * 179)
    with pytest.raises(ValidationError, match="must end with"):
        DraftMessage(channel="SMS", kind="marketing", situation="tariff_value", body="Cheaper tariff available.")
    with pytest.raises(ValidationError, match="is service, not marketing|is marketing"):
        DraftMessage(channel="SMS", kind="service", situation="tariff_value", body="x")
    with pytest.raises(ValidationError, match="subject"):
        DraftMessage(channel="Email", kind="service", situation="billing_support", body="x")


# --- check_draft ---------------------------------------------------------------------------------


def _kinds(issues):
    return sorted({i.kind for i in issues})


def test_clean_service_draft_has_no_issues():
    body = "Hello Morag,\nWe'd like to go through your bill with you.\nKind regards,\nThe Customer Care team"
    assert check_draft(make_profile(), "Your bill", body, "Email", "service", today=TODAY) == []


def test_check_draft_flags_each_problem_with_the_offending_text():
    profile = make_profile(opted_in=False)
    body = "Hello Fiona, act now: save £40 with our special offer and a free upgrade! Your favorite color."
    issues = check_draft(profile, "Offer", body, "Email", "marketing", today=TODAY)
    assert _kinds(issues) == ["american_spelling", "consent", "invented_fact", "opt_out", "pressure", "wrong_name"]
    texts = {i.text for i in issues}
    assert {"Fiona", "£40", "act now", "favorite", "color"} <= texts


def test_service_draft_with_promotional_wording_is_flagged():
    issues = check_draft(make_profile(), "", "Hello Morag, your bill is ready. Ask about our exclusive deals.",
                         "SMS", "service", today=TODAY)  # fmt: skip
    assert "promotional" in _kinds(issues)


def test_marketing_draft_with_opt_out_and_consent_passes():
    body = f"Hello Morag, would you like a tariff review? {OPT_OUT_LINES['SMS']}"
    assert check_draft(make_profile(), "", body, "SMS", "marketing", today=TODAY) == []


def test_claiming_to_be_ai_is_flagged():
    issues = check_draft(make_profile(), "", "As an AI assistant I looked at your bill.", "SMS", "service", today=TODAY)
    assert "ai_claim" in _kinds(issues)


def test_length_and_encoding_issues():
    issues = check_draft(make_profile(), "", "It’s " + "a" * 200, "SMS", "service", today=TODAY)
    assert {"length", "encoding"} <= set(_kinds(issues))
    assert check_draft(make_profile(), "", "   ", "SMS", "service", today=TODAY)[0].kind == "empty"


def test_a_sentence_after_the_sign_off_is_not_read_as_a_name():
    # The issue's false warning: "The Customer Care team" followed by a sentence flagged a wrong name.
    body = (
        "Hello Morag,\nWe'd like to go through your bill with you.\nKind regards,\nThe Customer Care team\n"
        "Please reply to this email. Thank you for your patience."
    )
    assert check_draft(make_profile(), "Your bill", body, "Email", "service", today=TODAY) == []
    signed = "Hello Morag, we can help with your bill. The Customer Care team. We will call you this week."
    assert check_draft(make_profile(), "", signed, "SMS", "service", today=TODAY) == []
