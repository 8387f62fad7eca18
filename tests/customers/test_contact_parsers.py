"""Customer Contacts.csv cells: email syntax, UK mobiles to E.164, SNS endpoints; blanks allowed."""

import pytest

from customers.importing.contact_parsers import email, mobile, mobile_warnings, push_endpoint


@pytest.mark.parametrize(
    "raw", ["07911 123456", "07911123456", "+44 7911 123456", "447911123456", "(07911) 123 456", " +447911-123-456 "]
)
def test_uk_mobiles_in_every_common_writing_become_e164(raw):
    assert mobile()(raw) == "+447911123456"


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("0131 496 0000", "not a mobile number (a landline cannot receive SMS)"),
        ("07911 12345", "not a valid phone number (too short, too long or an unused range)"),
        ("call me", "not a phone number"),
    ],
)
def test_numbers_that_cannot_take_a_text_are_refused(raw, reason):
    with pytest.raises(ValueError) as caught:
        mobile()(raw)
    assert str(caught.value) == reason


def test_drama_numbers_are_kept_and_flagged():
    assert mobile()("07700 900123") == "+447700900123"
    assert mobile_warnings("+447700900123") == (
        "an Ofcom drama number (07700 900xxx): reserved for fiction, never a real phone (noted once per file)"
    )
    assert mobile_warnings("+12025550143") == "not a UK number: texts abroad may cost more or not arrive"
    assert mobile_warnings("+447911123456") is None


def test_email_syntax():
    parse = email(254)
    assert parse(" sean.obriain@example.com ") == "sean.obriain@example.com"
    assert parse("") == ""
    for bad in ("sean.obriain", "sean@", "two@at@example.com", "sean obriain@example.com"):
        with pytest.raises(ValueError, match="not an email address"):
            parse(bad)


def test_push_endpoints_are_sns_platform_endpoint_arns():
    parse = push_endpoint(300)
    arn = "arn:aws:sns:eu-west-2:000000000000:endpoint/GCM/sne/3f2b9c1e-0d4a-4a8e-9a55-1b2c3d4e5f60"
    assert parse(arn) == arn
    with pytest.raises(ValueError, match="not an SNS platform endpoint ARN"):
        parse("https://push.example.com/abc")
