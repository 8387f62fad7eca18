"""The sixth, optional file: Customer Contacts.csv (Customer_ID,Email,Mobile,Push_Endpoint)."""

import pytest

from customers.importing import ImportFailed, import_datasets, import_file
from customers.models import CustomerContact
from tests.factories import CustomerFactory, write_csv

pytestmark = pytest.mark.django_db

HEADER = "Customer_ID,Email,Mobile,Push_Endpoint"
ARN = "arn:aws:sns:eu-west-2:000000000000:endpoint/GCM/sne/3f2b9c1e-0d4a-4a8e-9a55-1b2c3d4e5f60"


def test_contacts_are_stored_with_mobiles_in_e164(tmp_path):
    CustomerFactory(customer_id="C001")
    CustomerFactory(customer_id="C002")
    path = write_csv(
        tmp_path / "c.csv",
        HEADER,
        f"C001, ann.reid@example.com ,07911 123456,{ARN}",
        "C002,,+44 7911 123457,",
    )
    summary = import_file("contacts", path)
    assert (summary.created, summary.warnings) == (2, 0)
    rows = CustomerContact.objects.order_by("customer__customer_id").values_list(
        "customer__customer_id", "email", "phone", "push_endpoint_arn", "is_placeholder"
    )
    assert list(rows) == [
        ("C001", "ann.reid@example.com", "+447911123456", ARN, False),
        ("C002", "", "+447911123457", "", False),
    ]


def test_real_details_replace_demo_placeholders_and_clear_old_bounce_marks(tmp_path):
    customer = CustomerFactory(customer_id="C001")
    CustomerContact.objects.create(
        customer=customer, email="c001@example.invalid", is_placeholder=True, email_bad=True, bad_reason="Bounced"
    )
    import_file("contacts", write_csv(tmp_path / "c.csv", HEADER, "C001,ann.reid@example.com,,"))
    contact = CustomerContact.objects.get()
    assert (contact.email, contact.is_placeholder, contact.email_bad, contact.bad_reason) == (
        "ann.reid@example.com",
        False,
        False,
        "",
    )
    summary = import_file("contacts", write_csv(tmp_path / "c.csv", HEADER, "C001,ann.reid@example.com,,"))
    assert (summary.updated, summary.unchanged) == (0, 1)  # the same file again writes nothing


def test_unusable_addresses_are_errors_naming_file_line_column_and_value(tmp_path):
    CustomerFactory(customer_id="C001")
    path = write_csv(
        tmp_path / "c.csv",
        HEADER,
        "C001,ann.reid@,0131 496 0000,https://push.example.com/x",
        "C404,bob@example.com,,",
    )
    with pytest.raises(ImportFailed) as caught:
        import_datasets({"contacts": path})
    assert [str(e) for e in caught.value.errors] == [
        "c.csv:2: Email=ann.reid@: not an email address",
        "c.csv:2: Mobile=0131 496 0000: not a mobile number (a landline cannot receive SMS)",
        "c.csv:2: Push_Endpoint=https://push.example.com/x: not an SNS platform endpoint ARN "
        "(arn:aws:sns:REGION:ACCOUNT:endpoint/PLATFORM/APP/ID)",
        "c.csv:3: Customer_ID=C404: no customer with this Customer_ID (not in the database nor in the profiles file)",
    ]
    assert not CustomerContact.objects.exists()


def test_a_number_abroad_is_stored_and_reported(tmp_path):
    CustomerFactory(customer_id="C001")
    result = import_datasets({"contacts": write_csv(tmp_path / "c.csv", HEADER, "C001,,+1 202 555 0143,")})
    assert CustomerContact.objects.get().phone == "+12025550143"
    assert [str(w) for w in result.warnings.kept] == [
        "c.csv:2: Mobile=+1 202 555 0143: not a UK number: texts abroad may cost more or not arrive"
    ]
