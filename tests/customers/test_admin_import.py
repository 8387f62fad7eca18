"""Admin upload through django-import-export: dry-run preview, then confirm; and export."""

import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from customers import models
from customers.resources import RESOURCES
from tests.customers.test_import_command import ACTION_HEADER, ACTIVITY_HEADER
from tests.factories import PROFILE_HEADER, CustomerFactory, RecommendedActionFactory

pytestmark = pytest.mark.django_db

CustomerResource, RecommendedActionResource = RESOURCES[models.Customer], RESOURCES[models.RecommendedAction]

GOOD_ROWS = [
    'C001,"Mòrag ""Mo"" Smith",42,Edinburgh,Email,Engaged,Yes,Low,2020-01-31,7',
    "C002,=1+2,30,Perth,SMS,At Risk,No,High,2019-02-28,1",
]


def upload(client, model, text, *, bom=True, as_of=""):
    payload = (b"\xef\xbb\xbf" if bom else b"") + text.replace("\n", "\r\n").encode()
    url = reverse(f"admin:customers_{model._meta.model_name}_import")
    return client.post(
        url,
        {
            "import_file": SimpleUploadedFile("upload.csv", payload, content_type="text/csv"),
            "format": "0",
            "resource": "0",
            "as_of": as_of,
        },
    )


def confirm(client, model, preview):
    html = preview.content.decode()
    data = {
        name: re.search(rf'name="{name}"[^>]*value="([^"]*)"', html).group(1)
        for name in ("import_file_name", "original_file_name", "format")
    }
    as_of = re.search(r'name="as_of"[^>]*value="([^"]*)"', html)  # no value attribute when left blank
    data["as_of"] = as_of.group(1) if as_of else ""
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


def test_duplicate_composite_key_names_every_key_column(admin_client):
    # As the command says it: one customer has many activity rows, so the customer alone is no duplicate.
    CustomerFactory(customer_id="C001")
    row = "C001,Active,,2026-01-02 10:00,,5,1,Basic,5"
    preview = upload(admin_client, models.AccountActivity, csv(ACTIVITY_HEADER, row, row.replace(",5,1,", ",6,1,")))

    errors = {r.number: r.error_dict for r in preview.context["result"].invalid_rows}
    assert errors[2] == {
        "Customer_ID+Last_Login": ["upload.csv:3: Customer_ID+Last_Login=C001+2026-01-02 10:00: duplicate of line 2"]
    }


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


def upload_bytes(client, model, payload, name="upload.csv"):
    url = reverse(f"admin:customers_{model._meta.model_name}_import")
    upload_file = SimpleUploadedFile(name, payload, content_type="text/csv")
    return client.post(url, {"import_file": upload_file, "format": "0", "resource": "0"})


def form_errors(response):
    return response.context["form"].errors.get("import_file", [])


def test_a_missing_column_is_one_form_error_without_a_traceback(admin_client, settings):
    settings.DEBUG = False
    payload = csv(PROFILE_HEADER.replace(",Opted_In", ""), GOOD_ROWS[1].replace(",No,", ",")).encode()
    response = upload_bytes(admin_client, models.Customer, payload, name="Customer Profiles.csv")
    assert form_errors(response) == [
        "Customer Profiles.csv:1: header=Customer_ID,Name,Age,Location,Preferred_Channel,Segment,I...: "
        "missing column 'Opted_In'. Expected: Customer_ID,Name,Age,Location,Preferred_Channel,Segment,"
        "Opted_In,Income_Bracket,Customer_Since,Satisfaction_Score"
    ]
    html = response.content.decode()
    assert "Traceback" not in html and "NoneType" not in html and "site-packages" not in html
    assert "confirm_form" not in response.context
    assert models.Customer.objects.count() == 0


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        (
            csv(PROFILE_HEADER, GOOD_ROWS[1].replace("Perth", "Per\x00th")).encode(),
            "upload.csv:2: file=NUL byte: a NUL byte at line 2, column 17: this is not plain CSV text",
        ),
        (
            csv(PROFILE_HEADER, 'C009,"Ann Reid,30,Perth,SMS,At Risk,No,High,2019-02-28,1').encode(),
            'upload.csv:2: row=: a quoted value that starts here is never closed (a closing " is missing)',
        ),
        (
            csv(PROFILE_HEADER, GOOD_ROWS[1] + ",extra").encode(),
            "upload.csv:2: row=11 fields: expected 10 fields",
        ),
    ],
    ids=["nul", "unterminated-quote", "extra-field"],
)
def test_unreadable_uploads_are_one_form_error_line(admin_client, payload, expected):
    response = upload_bytes(admin_client, models.Customer, payload)
    assert form_errors(response) == [expected]
    assert models.Customer.objects.count() == 0


def test_a_200k_character_value_in_an_upload_is_named_by_its_column(admin_client):
    CustomerFactory(customer_id="C001")
    text = csv(ACTION_HEADER, f"C001,High bill,{'y' * 200_000},High,Yes,Billing")
    preview = upload(admin_client, models.RecommendedAction, text)
    errors = {row.number: row.error_dict for row in preview.context["result"].invalid_rows}
    assert errors == {
        1: {
            "Recommended_Action": [
                f"upload.csv:2: Recommended_Action={'y' * 57}...: longer than 255 characters (200,000)"
            ]
        }
    }


def test_a_windows_1252_upload_is_read_and_previewed(admin_client):
    payload = csv(PROFILE_HEADER, "C001,Seán Ó Briain,42,Dún Laoghaire,email,Engaged,yes,Low,31/01/2020,7").encode(
        "cp1252"
    )
    preview = upload_bytes(admin_client, models.Customer, payload)
    assert preview.context["result"].totals["new"] == 1
    confirm(admin_client, models.Customer, preview)
    customer = models.Customer.objects.get()
    assert (customer.name, customer.preferred_channel, customer.opted_in) == ("Seán Ó Briain", "Email", True)
    assert customer.customer_since.isoformat() == "2020-01-31"


def test_upload_warnings_are_shown_and_the_rows_imported(admin_client):
    CustomerFactory(customer_id="C001")
    header = (
        "Notification_ID,Customer_ID,Channel,Sent_Date,Notification_Type,Opened,Clicked,Action_Taken,"
        "Delivery_Status,Notification_Priority,Response_Time_Hours"
    )
    text = csv(header, "N-1,C001,SMS,2026-06-01 10:00,Bill Ready,No,Yes,Paid Bill,Delivered,High,")
    preview = upload(admin_client, models.NotificationHistory, text)
    shown = [str(m) for m in preview.context["messages"]]
    expected = (
        "Warning: upload.csv:2: Clicked=Yes: clicked but not opened (normal for SMS, push and image-blocking email)"
    )
    assert shown == [expected]
    assert "confirm_form" in preview.context
    done = confirm(admin_client, models.NotificationHistory, preview)
    assert expected in [str(m) for m in done.context["messages"]]
    assert models.NotificationHistory.objects.get().clicked is True


def test_a_header_only_upload_is_empty_with_a_warning(admin_client):
    preview = upload(admin_client, models.Customer, csv(PROFILE_HEADER))
    assert not form_errors(preview)
    assert preview.context["result"].totals["new"] == 0
    assert [str(m) for m in preview.context["messages"]] == [
        "Warning: upload.csv:2: file=(header only): no data rows after the header: nothing to import"
    ]


# --- every upload is an import run, as a command import is ---------------------------------------------

NOTIFICATION_HEADER = (
    "Notification_ID,Customer_ID,Channel,Sent_Date,Notification_Type,Opened,Clicked,Action_Taken,"
    "Delivery_Status,Notification_Priority,Response_Time_Hours"
)
TWO_NOTIFICATIONS = [
    "N-1,C001,SMS,2026-06-01 10:00,Bill Ready,No,Yes,Paid Bill,Delivered,High,",
    "N-2,C001,Email,2026-05-01 09:00,Bill Ready,Yes,No,,Delivered,Low,2.5",
]


def test_a_confirmed_upload_is_recorded_with_its_as_of_time_and_warnings(admin_client):
    CustomerFactory(customer_id="C001")
    preview = upload(admin_client, models.NotificationHistory, csv(NOTIFICATION_HEADER, *TWO_NOTIFICATIONS))
    assert not models.ImportRun.objects.exists()  # a preview is not an import

    done = confirm(admin_client, models.NotificationHistory, preview)

    run = models.ImportRun.objects.get()
    assert (run.status, run.files, run.created_by.username) == ("succeeded", {"notifications": "upload.csv"}, "admin")
    assert (run.as_of, run.as_of_given) == (dt.datetime(2026, 6, 1, 9, 0, tzinfo=dt.UTC), False)  # 10:00 BST
    assert (run.warning_count, run.warnings) == (
        1,
        "upload.csv:2: Clicked=Yes: clicked but not opened (normal for SMS, push and image-blocking email)",
    )
    assert {k: run.summaries[0][k] for k in ("file", "rows", "created", "updated", "unchanged", "warnings")} == {
        "file": "upload.csv", "rows": 2, "created": 2, "updated": 0, "unchanged": 0, "warnings": 1,
    }  # fmt: skip
    assert f"Import {run.pk}: data as of 2026-06-01 10:00 UK time (the newest date in the files)." in [
        str(m) for m in done.context["messages"]
    ]
    # What every page says about the data now comes from this upload, and the supervisor's list shows it.
    html = admin_client.get(reverse("admin:index")).content.decode()
    assert "Data as of <strong>1 June 2026 10:00</strong>" in html
    page = admin_client.get(reverse("control:import_progress", args=[run.pk])).content.decode()
    assert "Data as of <strong>1 June 2026 10:00</strong> (the newest date in the files)" in page
    assert "upload.csv:2: Clicked=Yes: clicked but not opened" in page
    listed = admin_client.get(reverse("admin:customers_importrun_changelist"))
    assert [(r.pk, r.warning_count, r.as_of) for r in listed.context["cl"].result_list] == [(run.pk, 1, run.as_of)]
    assert "column-warning_count" in listed.content.decode() and "column-as_of" in listed.content.decode()


def test_the_admin_can_say_when_the_uploaded_data_was_true(admin_client):
    CustomerFactory(customer_id="C001")
    text = csv(NOTIFICATION_HEADER, *TWO_NOTIFICATIONS)
    preview = upload(admin_client, models.NotificationHistory, text, as_of="30/06/2026 18:00")
    confirm(admin_client, models.NotificationHistory, preview)
    run = models.ImportRun.objects.get()
    assert (run.as_of, run.as_of_given) == (dt.datetime(2026, 6, 30, 17, 0, tzinfo=dt.UTC), True)


def test_an_unreadable_as_of_time_is_a_form_error(admin_client):
    preview = upload(admin_client, models.Customer, csv(PROFILE_HEADER, *GOOD_ROWS), as_of="next Tuesday")
    assert preview.context["form"].errors["as_of"] == [
        "not a date-time (YYYY-MM-DD HH:MM or DD/MM/YYYY HH:MM, or a date alone)"
    ]
    assert "confirm_form" not in preview.context and not models.ImportRun.objects.exists()


def test_an_unchanged_re_upload_is_recorded_as_changing_nothing(admin_client):
    preview = upload(admin_client, models.Customer, csv(PROFILE_HEADER, *GOOD_ROWS))
    confirm(admin_client, models.Customer, preview)
    preview = upload(admin_client, models.Customer, csv(PROFILE_HEADER, *GOOD_ROWS))
    confirm(admin_client, models.Customer, preview)
    latest = models.ImportRun.objects.order_by("-pk").first()
    assert (latest.status, latest.summaries[0]["created"], latest.summaries[0]["unchanged"]) == ("succeeded", 0, 2)
    assert latest.as_of == dt.datetime(2020, 1, 31, 0, 0, tzinfo=dt.UTC)  # the newest Customer_Since, UK midnight


def test_a_confirm_that_finds_a_bad_row_writes_nothing_and_is_recorded_as_failed(admin_client):
    CustomerFactory(customer_id="C001"), CustomerFactory(customer_id="C002")
    text = csv(ACTION_HEADER, "C001,High bill,Call,High,Yes,Billing", "C002,High bill,Call,High,Yes,Billing")
    preview = upload(admin_client, models.RecommendedAction, text)
    models.Customer.objects.filter(customer_id="C002").delete()  # gone between the preview and the confirm

    done = confirm(admin_client, models.RecommendedAction, preview)

    assert models.RecommendedAction.objects.count() == 0  # not C001's row either: any error writes nothing
    run = models.ImportRun.objects.get()
    expected = (
        "upload.csv:3: Customer_ID=C002: no customer with this Customer_ID "
        "(not in the database nor in the profiles file)"
    )
    assert (run.status, run.error_count, run.errors) == ("failed", 1, expected)
    shown = [str(m) for m in done.context["messages"]]
    assert f"Nothing was imported: {expected}" in shown and not any(m.startswith("Import finished") for m in shown)
