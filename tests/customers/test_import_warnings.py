"""Odd but real rows are stored as exported and reported as warnings; only the impossible is refused."""

import csv
import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from django.core.management import call_command

from customers import models
from customers.demo_data import generate_dataset
from customers.importing import ImportFailed, import_datasets, import_file
from tests.customers.test_import_command import ACTIVITY_HEADER, NOTIFICATION_HEADER
from tests.factories import PROFILE_HEADER, CustomerFactory, write_csv

pytestmark = pytest.mark.django_db

UTC = dt.UTC
CLICK_ONLY = (
    "Notification History.csv:2: Clicked=Yes: clicked but not opened (normal for SMS, push and image-blocking email)"
)
SINCE_2020 = "C001,Ann Reid,42,Edinburgh,Email,Engaged,Yes,Low,2020-06-01,7"


def warning_lines(result):
    return [str(w) for w in result.warnings.kept]


def test_click_without_open_is_stored_and_reported(tmp_path):
    CustomerFactory(customer_id="C001")
    path = write_csv(
        tmp_path / "n.csv",
        NOTIFICATION_HEADER,
        "N-1,C001,SMS,2026-06-01 10:00,Tariff Saving Offer,No,Yes,Switched Tariff,Delivered,High,0.5",
        "N-2,C001,Email,2026-06-02 10:00,Bill Ready,Yes,Yes,Paid Bill,Delivered,Medium,2",
    )

    result = import_datasets({"notifications": path})

    sms = models.NotificationHistory.objects.get(notification_id="N-1")
    assert (sms.opened, sms.clicked, sms.action_taken) == (False, True, "Switched Tariff")
    assert warning_lines(result) == [
        "n.csv:2: Clicked=Yes: clicked but not opened (normal for SMS, push and image-blocking email)"
    ]
    assert (result[0].created, result[0].warnings) == (2, 1)


def test_other_odd_notification_rows_are_warnings(tmp_path):
    CustomerFactory(customer_id="C001")
    path = write_csv(
        tmp_path / "n.csv",
        NOTIFICATION_HEADER,
        "N-1,C001,Email,2026-06-01 10:00,Bill Ready,No,No,,Delivered,Low,4.25",
        "N-2,C001,Email,2026-06-02 10:00,Bill Ready,Yes,No,,Bounced,Low,",
        "N-3,C001,Email,2026-06-03 10:00,Bill Ready,No,No,,Failed,Low,",
    )

    result = import_datasets({"notifications": path})

    assert models.NotificationHistory.objects.count() == 3
    assert models.NotificationHistory.objects.get(notification_id="N-1").response_time_hours == Decimal("4.25")
    assert warning_lines(result) == [
        "n.csv:2: Response_Time_Hours=4.25: a response time, but no open, click or action",
        "n.csv:3: Delivery_Status=Bounced: Bounced, yet opened or clicked",
    ]


def test_last_login_before_the_start_date(tmp_path):
    profiles = write_csv(tmp_path / "p.csv", PROFILE_HEADER, SINCE_2020)
    activity = write_csv(
        tmp_path / "a.csv",
        ACTIVITY_HEADER,
        "C001,Active,,2020-05-31 23:59,,5,0,Basic,5",  # the day before they joined
        "C001,Active,,2020-06-01 00:30,,5,0,Basic,5",  # 00:30 BST on the day they joined: 23:30 UTC the day before
        "C001,Active,,2026-01-02 10:00,,5,5.5,Basic,5",
    )

    result = import_datasets({"profiles": profiles, "activity": activity})

    assert models.AccountActivity.objects.count() == 3
    assert warning_lines(result) == [
        "a.csv:2: Last_Login=2020-05-31 23:59: before the customer's start date (Customer_Since 2020-06-01)"
    ]


def test_last_login_before_the_start_date_of_a_customer_already_stored(tmp_path):
    CustomerFactory(customer_id="C001", customer_since=dt.date(2021, 3, 1))
    activity = write_csv(tmp_path / "a.csv", ACTIVITY_HEADER, "C001,Active,,2021-02-28 12:00,,5,0,Basic,5")
    result = import_datasets({"activity": activity})
    assert warning_lines(result) == [
        "a.csv:2: Last_Login=2021-02-28 12:00: before the customer's start date (Customer_Since 2021-03-01)"
    ]


def test_account_statuses_known_in_any_case_and_new_ones_reported_once(tmp_path):
    for number in range(1, 5):
        CustomerFactory(customer_id=f"C00{number}")
    path = write_csv(
        tmp_path / "a.csv",
        ACTIVITY_HEADER,
        "C001,at risk,,2026-01-02 10:00,,5,1,Basic,5",
        "C002,DORMANT ,,2026-01-02 10:00,,5,1,Basic,5",
        "C003,Pending Closure,,2026-01-02 10:00,,5,1,Basic,5",
        "C004,Pending Closure,,2026-01-02 10:00,,5,1,Basic,5",
    )

    result = import_datasets({"activity": path})

    statuses = dict(models.AccountActivity.objects.values_list("customer__customer_id", "account_status"))
    assert statuses == {"C001": "At Risk", "C002": "Dormant", "C003": "Pending Closure", "C004": "Pending Closure"}
    assert warning_lines(result) == [
        "a.csv:4: Account_Status=Pending Closure: a status not seen before: imported; "
        "an admin decides how the contact policy treats it"
    ]


def test_a_date_in_the_future_is_stored_reported_and_not_the_as_of_time(tmp_path):
    CustomerFactory(customer_id="C001")
    path = write_csv(
        tmp_path / "a.csv",
        ACTIVITY_HEADER,
        "C001,Active,,2026-01-02 10:00,,5,1,Basic,5",
        "C001,Active,,2099-01-01 09:00,,5,1,Basic,5",
    )

    result = import_datasets({"activity": path})

    assert models.AccountActivity.objects.count() == 2
    assert warning_lines(result) == ["a.csv:3: Last_Login=2099-01-01 09:00: in the future (after this import started)"]
    assert result.as_of.moment == dt.datetime(2026, 1, 2, 10, 0, tzinfo=UTC)


def test_a_header_only_file_is_an_empty_file_with_a_warning(tmp_path):
    path = write_csv(tmp_path / "p.csv", PROFILE_HEADER)
    summary = import_file("profiles", path)
    assert (summary.rows, summary.created, summary.warnings) == (0, 0, 1)
    result = import_datasets({"profiles": path})
    assert warning_lines(result) == ["p.csv:2: file=(header only): no data rows after the header: nothing to import"]


def test_columns_outside_the_contract_are_ignored_with_a_warning(tmp_path):
    path = write_csv(tmp_path / "p.csv", PROFILE_HEADER + ",Notes,", SINCE_2020 + ",VIP,")
    result = import_datasets({"profiles": path})
    assert models.Customer.objects.get().name == "Ann Reid"
    assert warning_lines(result) == [
        "p.csv:1: header=Notes: column 'Notes' is not in the contract: ignored",
        "p.csv:1: header=: column 12 (no heading) is not in the contract: ignored",
    ]


def test_the_command_lists_warnings_and_counts_them_in_the_summary_and_json(tmp_path):
    CustomerFactory(customer_id="C001")
    path = write_csv(
        tmp_path / "Notification History.csv",
        NOTIFICATION_HEADER,
        "N-1,C001,App Push,2026-06-01 10:00,Usage Insight,No,Yes,,Delivered,Low,",
    )
    out, err = io.StringIO(), io.StringIO()
    call_command("import_datasets", "--notifications", str(path), stdout=out, stderr=err)
    assert err.getvalue().splitlines() == [
        "Warnings (rows stored as exported; worth a look):",
        CLICK_ONLY,
    ]
    lines = out.getvalue().splitlines()
    assert lines[0].startswith(
        "Notification History.csv: 1 rows: 1 created, 0 updated, 0 unchanged, 1 warning(s) (read as UTF-8; "
    )
    assert lines[1] == (
        "Imported with 1 warning(s) (listed above). Data as of 2026-06-01 10:00 UK time (the newest date in the files)."
    )

    models.NotificationHistory.objects.all().delete()
    out = io.StringIO()
    call_command("import_datasets", "--notifications", str(path), "--json", stdout=out, stderr=io.StringIO())
    payload = json.loads(out.getvalue())
    assert (payload["ok"], payload["errors"], payload["warnings"]) == (True, 0, 1)
    assert payload["warning_lines"] == [CLICK_ONLY]
    assert payload["files"][0]["warnings"] == 1 and payload["files"][0]["encoding"] == "UTF-8"
    assert payload["as_of"] == "2026-06-01T09:00:00+00:00" and payload["as_of_given"] is False


def test_a_failed_import_still_reports_its_warnings(tmp_path):
    CustomerFactory(customer_id="C001")
    path = write_csv(
        tmp_path / "n.csv",
        NOTIFICATION_HEADER,
        "N-1,C001,SMS,2026-06-01 10:00,Bill Ready,No,Yes,,Delivered,Low,",
        "N-2,C001,Fax,2026-06-01 10:00,Bill Ready,No,No,,Delivered,Low,",
    )
    with pytest.raises(ImportFailed) as caught:
        import_datasets({"notifications": path})
    payload = caught.value.as_dict()
    assert payload["ok"] is False
    assert payload["error_lines"] == ["n.csv:3: Channel=Fax: not one of Email, SMS, App Push, Phone"]
    assert payload["warnings"] == 1
    assert models.NotificationHistory.objects.count() == 0


def test_the_demo_datas_clicks_without_opens_import_as_warnings_not_errors(tmp_path):
    generate_dataset(tmp_path, customers=400, seed=3)
    out, err = io.StringIO(), io.StringIO()
    call_command("import_datasets", str(tmp_path), "--json", stdout=out, stderr=err)  # raises on any error
    report = json.loads(out.getvalue())
    with open(tmp_path / "Notification History.csv", encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    unopened_clicks = [i + 2 for i, r in enumerate(rows) if (r["Clicked"], r["Opened"]) == ("Yes", "No")]
    assert (report["ok"], report["errors"]) == (True, 0)
    # Every click without an open, and nothing else, is a warning; the rows are stored as exported.
    assert report["warning_lines"] == [CLICK_ONLY.replace(":2:", f":{line}:") for line in unopened_clicks]
    assert len(unopened_clicks) > 5
    assert models.NotificationHistory.objects.filter(clicked=True, opened=False).count() == len(unopened_clicks)
    assert err.getvalue().startswith("Warnings (rows stored as exported; worth a look):")


def test_a_long_list_of_warnings_shows_the_first_ten_and_says_where_the_rest_are(tmp_path):
    CustomerFactory(customer_id="C001")
    rows = [f"N-{i},C001,SMS,2026-06-01 10:{i:02d},Bill Ready,No,Yes,,Delivered,Low," for i in range(1, 13)]
    path = write_csv(tmp_path / "Notification History.csv", NOTIFICATION_HEADER, *rows)
    out, err = io.StringIO(), io.StringIO()

    call_command("import_datasets", "--notifications", str(path), stdout=out, stderr=err)

    run = models.ImportRun.objects.get()
    shown = err.getvalue().splitlines()
    assert shown[0] == "Warnings (rows stored as exported; worth a look):"
    assert shown[1:11] == [CLICK_ONLY.replace(":2:", f":{line}:") for line in range(2, 12)]
    assert shown[11:] == [
        f"... and 2 more: all 12 are kept on import run {run.pk} (admin: Import runs) and listed by --json."
    ]
    assert out.getvalue().splitlines()[1].startswith("Imported with 12 warning(s) (the first 10 listed above).")
    assert run.warning_count == 12 and len(run.warnings.splitlines()) == 12


def test_more_warnings_than_a_run_keeps_are_not_called_all_kept(tmp_path, monkeypatch):
    monkeypatch.setattr("customers.importing.results.ERRORS_KEPT", 11)
    CustomerFactory(customer_id="C001")
    rows = [f"N-{i},C001,SMS,2026-06-01 10:{i:02d},Bill Ready,No,Yes,,Delivered,Low," for i in range(1, 13)]
    path = write_csv(tmp_path / "Notification History.csv", NOTIFICATION_HEADER, *rows)
    err = io.StringIO()

    call_command("import_datasets", "--notifications", str(path), stdout=io.StringIO(), stderr=err)

    run = models.ImportRun.objects.get()
    assert err.getvalue().splitlines()[-1] == (
        f"... and 2 more: the first 11 are kept on import run {run.pk} (admin: Import runs) and listed by --json."
    )
