"""Admin upload through django-import-export: dry-run preview, then confirm; and export."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from customers import models
from customers.resources import RESOURCES
from tests.customers.test_import_command import ACTION_HEADER
from tests.factories import PROFILE_HEADER, CustomerFactory, RecommendedActionFactory

pytestmark = pytest.mark.django_db

CustomerResource, RecommendedActionResource = RESOURCES[models.Customer], RESOURCES[models.RecommendedAction]

GOOD_ROWS = [
    'C001,"Mòrag ""Mo"" Smith",42,Edinburgh,Email,Engaged,Yes,Low,2020-01-31,7',
    "C002,=1+2,30,Perth,SMS,At Risk,No,High,2019-02-28,1",
]


def upload(client, model, text, *, bom=True):
    payload = (b"\xef\xbb\xbf" if bom else b"") + text.replace("\n", "\r\n").encode()
    url = reverse(f"admin:customers_{model._meta.model_name}_import")
    return client.post(
        url,
        {
            "import_file": SimpleUploadedFile("upload.csv", payload, content_type="text/csv"),
            "format": "0",
            "resource": "0",
        },
    )


def confirm(client, model, preview):
    html = preview.content.decode()
    data = {
        name: re.search(rf'name="{name}"[^>]*value="([^"]*)"', html).group(1)
        for name in ("import_file_name", "original_file_name", "format")
    }
    data["resource"] = "0"
    return client.post(reverse(f"admin:customers_{model._meta.model_name}_process_import"), data, follow=True)


def csv(header, *rows):
    return "\n".join([header, *rows]) + "\n"


def test_good_file_preview_then_confirm(admin_client):
    preview = upload(admin_client, models.Customer, csv(PROFILE_HEADER, *GOOD_ROWS))
    assert preview.status_code == 200
    assert preview.context["result"].totals["new"] == 2
    assert "confirm_form" in preview.context
    assert models.Customer.objects.count() == 0  # the preview is a dry run

    done = confirm(admin_client, models.Customer, preview)

    assert done.status_code == 200
    morag = models.Customer.objects.get(customer_id="C001")
    assert (morag.name, morag.opted_in, morag.age) == ('Mòrag "Mo" Smith', True, 42)
    assert models.Customer.objects.get(customer_id="C002").name == "=1+2"
    assert len(morag.source_hash) == 32


def test_admin_and_command_store_the_same_hash(admin_client, tmp_path):
    from customers.importing import import_file
    from tests.factories import write_csv

    import_file("profiles", write_csv(tmp_path / "p.csv", PROFILE_HEADER, *GOOD_ROWS))
    hashes = dict(models.Customer.objects.values_list("customer_id", "source_hash"))

    preview = upload(admin_client, models.Customer, csv(PROFILE_HEADER, *GOOD_ROWS))

    assert preview.context["result"].totals["skip"] == 2  # unchanged rows are not rewritten
    assert dict(models.Customer.objects.values_list("customer_id", "source_hash")) == hashes


def test_bad_file_preview_lists_each_row_error_and_writes_nothing(admin_client):
    text = csv(
        PROFILE_HEADER,
        GOOD_ROWS[0],
        "C002,Ann,abc,Perth,SMS,Engaged,perhaps,Low,2020-01-01,7",
        "C003,Bob,40,Perth,Fax,Engaged,No,Low,2025-02-30,7",
        GOOD_ROWS[0].replace("Mòrag", "Morag"),
    )
    preview = upload(admin_client, models.Customer, text)

    result = preview.context["result"]
    assert result.has_validation_errors()
    assert "confirm_form" not in preview.context
    errors = {row.number: row.error_dict for row in result.invalid_rows}
    assert errors[2] == {
        "Age": ["upload.csv:3: Age=abc: not a whole number"],
        "Opted_In": ["upload.csv:3: Opted_In=perhaps: not a yes/no value (Yes/No, Y/N, True/False or 1/0)"],
    }
    assert errors[3]["Customer_Since"] == [
        "upload.csv:4: Customer_Since=2025-02-30: impossible date (day is out of range for month)"
    ]
    assert errors[3]["Preferred_Channel"] == [
        "upload.csv:4: Preferred_Channel=Fax: not one of Email, SMS, App Push, Phone"
    ]
    assert errors[4] == {"Customer_ID": ["upload.csv:5: Customer_ID=C001: duplicate of line 2"]}
    html = preview.content.decode()
    assert "upload.csv:3: Age=abc: not a whole number" in html
    assert models.Customer.objects.count() == 0


def test_bad_header_is_reported(admin_client):
    preview = upload(admin_client, models.Customer, csv(PROFILE_HEADER.replace("Opted_In", "Opted In"), GOOD_ROWS[0]))
    assert "missing column &#x27;Opted_In&#x27; (found &#x27;Opted In&#x27;: misspelt?)" in preview.content.decode()
    assert "confirm_form" not in preview.context
    assert models.Customer.objects.count() == 0


def test_semicolon_file_is_reported(admin_client):
    text = csv(PROFILE_HEADER.replace(",", ";"), GOOD_ROWS[1].replace(",", ";"))
    preview = upload(admin_client, models.Customer, text)
    assert "looks like &#x27;;&#x27;-delimited" in preview.content.decode()


def test_unknown_customer_in_related_file(admin_client):
    CustomerFactory(customer_id="C001")
    text = csv(ACTION_HEADER, "C001,High bill,Call,High,Yes,Billing", "C404,High bill,Call,High,Maybe,Billing")
    preview = upload(admin_client, models.RecommendedAction, text)
    errors = {row.number: row.error_dict for row in preview.context["result"].invalid_rows}
    assert errors == {
        2: {
            "Customer_ID": [
                "upload.csv:3: Customer_ID=C404: no customer with this Customer_ID "
                "(not in the database nor in the profiles file)"
            ],
            "Follow_Up_Required": [
                "upload.csv:3: Follow_Up_Required=Maybe: not a yes/no value (Yes/No, Y/N, True/False or 1/0)"
            ],
        }
    }
    assert models.RecommendedAction.objects.count() == 0


def test_related_file_upload_updates_in_place(admin_client):
    action = RecommendedActionFactory(customer__customer_id="C001", scenario="High bill", urgency_level="Low")
    text = csv(ACTION_HEADER, "C001,High bill,Call them,High,Yes,Billing")
    confirm(admin_client, models.RecommendedAction, upload(admin_client, models.RecommendedAction, text))
    action.refresh_from_db()
    assert (action.urgency_level, action.recommended_action) == ("High", "Call them")
    assert models.RecommendedAction.objects.count() == 1


def test_export_uses_contract_headers_and_neutralises_formulae(admin_client):
    for i, name in enumerate(["=HYPERLINK(1)", "+cmd", "-2+3", "@SUM(A1)", "Plain Name"]):
        CustomerFactory(customer_id=f"C{i}", name=name)
    url = reverse("admin:customers_customer_export")
    fields = {f"customerresource_{name}": "on" for name in CustomerResource._meta.fields}
    response = admin_client.post(url, {"format": "0", "resource": "0", **fields})
    body = response.content.decode("utf-8-sig").splitlines()
    assert body[0] == PROFILE_HEADER
    names = [line.split(",")[1] for line in body[1:]]
    assert names == ["'=HYPERLINK(1)", "'+cmd", "'-2+3", "'@SUM(A1)", "Plain Name"]
    assert body[1].endswith(",Yes,Medium,2019-04-01,7")


def test_resource_export_round_trips_values():
    RecommendedActionFactory(customer__customer_id="C9", scenario="Move", follow_up_required=False)
    dataset = RecommendedActionResource().export()
    assert dataset.headers == ACTION_HEADER.split(",")
    assert dataset[0] == ("C9", "Move", "Offer a bill walkthrough", "Medium", "No", "Billing")
    assert CustomerResource().export().headers == PROFILE_HEADER.split(",")
