"""Cell parsers for `Customer Contacts.csv` (Customer_ID,Email,Mobile,Push_Endpoint).

Same contract as customers/importing/parsers.py: raw text in, the stored
value out, or ValueError with the reason shown to the user. Every column is
optional (a customer may have no address for a channel); a value present
must be usable: email syntax as Django checks it, a mobile number as
libphonenumber reads it (UK by default, stored in E.164), an SNS platform
endpoint ARN.
"""

import re

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from customers.importing import parsers

# Ofcom reserves 07700 900000-900999 for drama: never a real phone, so
# libphonenumber calls it invalid. Demo and test data use it on purpose.
DRAMA_RANGE = "+447700900"
_MOBILE_TYPES = (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE)
_SNS_ENDPOINT = re.compile(r"arn:aws:sns:[a-z]{2}(?:-[a-z]+)+-\d:\d{12}:endpoint/[A-Z_]+/[^/\s]+/[^/\s]+\Z")


def email(max_length: int) -> parsers.Parser:
    base = parsers.text(max_length, required=False)  # trimmed, within the column's length

    def parse(raw: str) -> str:
        value = base(raw)
        if not value:
            return ""
        try:
            validate_email(value)
        except ValidationError:
            raise ValueError("not an email address") from None
        return value

    return parse


def mobile() -> parsers.Parser:
    """A mobile number in any common UK writing (07700 900123, +44 7700 900123, 447700900123) → E.164."""

    def parse(raw: str) -> str:
        value = raw.strip()
        if not value:
            return ""
        try:
            number = phonenumbers.parse(value, "GB")
        except phonenumbers.NumberParseException:
            raise ValueError("not a phone number") from None
        e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
        if e164.startswith(DRAMA_RANGE) and len(e164) == len(DRAMA_RANGE) + 3:
            return e164
        if not phonenumbers.is_valid_number(number):
            raise ValueError("not a valid phone number (too short, too long or an unused range)")
        if phonenumbers.number_type(number) not in _MOBILE_TYPES:
            raise ValueError("not a mobile number (a landline cannot receive SMS)")
        return e164

    return parse


def push_endpoint(max_length: int) -> parsers.Parser:
    base = parsers.text(max_length, required=False)  # trimmed, within the column's length

    def parse(raw: str) -> str:
        value = base(raw)
        if not value:
            return ""
        if not _SNS_ENDPOINT.match(value):
            raise ValueError("not an SNS platform endpoint ARN (arn:aws:sns:REGION:ACCOUNT:endpoint/PLATFORM/APP/ID)")
        return value

    return parse


DRAMA_NUMBER = "an Ofcom drama number (07700 900xxx): reserved for fiction, never a real phone (noted once per file)"


def mobile_warnings(e164: str) -> str | None:
    """Why a stored mobile number deserves a look, if it does."""
    if e164.startswith(DRAMA_RANGE):
        return DRAMA_NUMBER
    if e164 and not e164.startswith("+44"):
        return "not a UK number: texts abroad may cost more or not arrive"
    return None
