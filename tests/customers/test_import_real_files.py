"""Files as people really save them: encodings, date shapes, case, spaces; and one clear error for the unreadable."""

import datetime as dt

import pytest

from customers import models
from customers.importing import ImportFailed, import_datasets, import_file
from customers.importing.parsers import date, london_datetime
from tests.customers.test_import_command import ACTIVITY_HEADER, INTERACTION_HEADER, NOTIFICATION_HEADER
from tests.factories import PROFILE_HEADER, CustomerFactory, write_csv

pytestmark = pytest.mark.django_db

UTC = dt.UTC
SEAN = "C001,Seán Ó Briain,42,Dún Laoghaire,Email,Engaged,Yes,Low,2020-01-31,7"


def errors_for(path, dataset="profiles"):
    with pytest.raises(ImportFailed) as caught:
        import_file(dataset, path)
    return [str(e) for e in caught.value.errors]


@pytest.mark.parametrize(
    ("encoding", "bom", "label"),
    [("utf-8", False, "UTF-8"), ("utf-8", True, "UTF-8 with BOM"), ("cp1252", False, "Windows-1252")],
)
def test_accented_names_survive_every_encoding_excel_saves(tmp_path, encoding, bom, label):
    path = write_csv(tmp_path / "p.csv", PROFILE_HEADER, SEAN, bom=bom, encoding=encoding, newline="\r\n")
    summary = import_file("profiles", path)
    customer = models.Customer.objects.get()
    assert (customer.name, customer.location) == ("Seán Ó Briain", "Dún Laoghaire")
    assert summary.encoding == label
    assert f"(read as {label};" in str(summary)


def test_a_windows_1252_byte_deep_in_a_large_file_decides_the_whole_file(tmp_path):
    rows = [SEAN.replace("C001,Seán Ó Briain", f"C{i},Ann Reid") for i in range(20_000)] + [
        "C-late,Zoë Brontë,42,Edinburgh,Email,E,Yes,Low,2020-01-31,7"
    ]
    path = write_csv(tmp_path / "p.csv", PROFILE_HEADER, *rows, encoding="cp1252")
    assert import_file("profiles", path).encoding == "Windows-1252"
    assert models.Customer.objects.get(customer_id="C-late").name == "Zoë Brontë"


def test_mixed_encodings_are_refused_rather_than_guessed(tmp_path):
    path = tmp_path / "p.csv"
    path.write_bytes(
        (PROFILE_HEADER + "\n" + SEAN + "\n").encode()
        + SEAN.replace("C001", "C002").replace("Seán", "Se\xe1n").encode("cp1252")
    )
    assert errors_for(path) == [
        "p.csv:3: encoding=0xe1: mixes UTF-8 with another encoding (byte 0xe1 at line 3, column 8 is not UTF-8, "
        "though text before it is); re-save it as CSV UTF-8"
    ]
    assert models.Customer.objects.count() == 0


def test_bytes_that_windows_1252_leaves_undefined(tmp_path):
    path = tmp_path / "p.csv"
    path.write_bytes((PROFILE_HEADER + "\n").encode() + b"C001,Ann \x81Reid,42,Perth,Email,E,Yes,Low,2020-01-31,7\n")
    assert errors_for(path) == [
        "p.csv:2: encoding=0x81: neither UTF-8 nor Windows-1252 (byte 0x81 at line 2, column 10); "
        "re-save it as CSV UTF-8"
    ]


def test_a_nul_byte_is_one_clear_error(tmp_path):
    path = tmp_path / "p.csv"
    path.write_bytes((PROFILE_HEADER + "\n" + SEAN.replace("Briain", "Bri\x00ain") + "\n").encode())
    assert errors_for(path) == ["p.csv:2: file=NUL byte: a NUL byte at line 2, column 18: this is not plain CSV text"]


def test_a_spreadsheet_saved_under_a_csv_name(tmp_path):
    path = tmp_path / "p.csv"
    path.write_bytes(b"PK\x03\x04\x14\x00\x06\x00" + bytes(200))
    assert errors_for(path) == [
        "p.csv:1: file=an Excel workbook (.xlsx) or a zip file: this is an Excel workbook (.xlsx) or a zip file, "
        "not a CSV file; save it as CSV UTF-8"
    ]


def test_an_unterminated_quote_is_named(tmp_path):
    path = write_csv(tmp_path / "p.csv", PROFILE_HEADER, SEAN, 'C002,"Ann Reid,42,Perth,Email,E,Yes,Low,2020-01-31,7')
    assert errors_for(path) == [
        'p.csv:3: row=: a quoted value that starts here is never closed (a closing " is missing)'
    ]


def test_a_200k_character_value_is_named_by_its_column(tmp_path):
    CustomerFactory(customer_id="C001")
    summary = "x" * 200_000
    path = write_csv(
        tmp_path / "i.csv", INTERACTION_HEADER, f"C001,Phone,2026-06-01 10:00,Query,Neutral,{summary},3,Resolved,AG-1"
    )
    assert errors_for(path, "interactions") == [
        f"i.csv:2: Summary={'x' * 57}...: longer than 65,535 characters (200,000)"
    ]


@pytest.mark.parametrize(
    "raw",
    [
        "2025-09-28 11:31",
        "2025-09-28 11:31:00",
        "2025-09-28T11:31",
        "2025-09-28T10:31:00Z",
        "2025-09-28T10:31:00.250z",
        "2025-09-28T11:31:00+01:00",
        "2025-09-28T12:31+0200",
        "2025-09-28 05:31-05:00",
        "28/09/2025 11:31",
        "28/9/2025 11:31:00",
        " 28/09/2025 11:31 ",
    ],
)
def test_every_date_time_shape_names_the_same_instant(raw):
    assert london_datetime()(raw) == "2025-09-28 10:31:00"


@pytest.mark.parametrize("raw", ["2025-09-28", "28/09/2025", "28/9/2025", " 2025-09-28"])
def test_every_date_shape_names_the_same_day(raw):
    assert date()(raw) == "2025-09-28"


def test_a_bare_date_where_one_is_allowed_is_uk_midnight():
    assert london_datetime(allow_bare_date=True)("28/09/2025") == "2025-09-27 23:00:00"


def test_choices_and_yes_no_in_any_case_with_spaces(tmp_path):
    CustomerFactory(customer_id="C001")
    path = write_csv(
        tmp_path / "n.csv",
        NOTIFICATION_HEADER,
        "N-1,C001,email,2026-06-01 10:00,Bill Ready,yes,Y,Paid,delivered,HIGH,1",
        "N-2,C001, app push ,2026-06-02 10:00,Bill Ready,TRUE,1,Paid,Delivered,low,1",
        "N-3,C001,SMS,2026-06-03 10:00,Bill Ready,no,n,,Delivered,Medium,",
        "N-4,C001,Phone,2026-06-04 10:00,Bill Ready,false,0,,Delivered,Medium,",
    )
    import_file("notifications", path)
    rows = list(
        models.NotificationHistory.objects.order_by("notification_id").values_list(
            "channel", "opened", "clicked", "delivery_status", "notification_priority"
        )
    )
    assert rows == [
        ("Email", True, True, "Delivered", "High"),
        ("App Push", True, True, "Delivered", "Low"),
        ("SMS", False, False, "Delivered", "Medium"),
        ("Phone", False, False, "Delivered", "Medium"),
    ]


def test_spaces_around_a_customer_id_do_not_make_a_second_customer(tmp_path):
    import_file("profiles", write_csv(tmp_path / "p.csv", PROFILE_HEADER, SEAN.replace("C001", "PAD777")))
    padded = SEAN.replace("C001", "PAD777 ").replace(",7", ",9")
    summary = import_file("profiles", write_csv(tmp_path / "p2.csv", PROFILE_HEADER, padded))
    assert (summary.created, summary.updated) == (0, 1)
    assert list(models.Customer.objects.values_list("customer_id", "satisfaction_score")) == [("PAD777", 9)]
    activity = write_csv(tmp_path / "a.csv", ACTIVITY_HEADER, " PAD777 ,Active , Top-up ,2026-01-02 10:00,,5,1,Basic,5")
    import_file("activity", activity)
    row = models.AccountActivity.objects.get()
    assert (row.customer.customer_id, row.account_status, row.last_transaction) == ("PAD777", "Active", "Top-up")


def test_the_same_id_with_and_without_a_space_in_one_file_is_a_duplicate(tmp_path):
    path = write_csv(
        tmp_path / "p.csv", PROFILE_HEADER, SEAN.replace("C001", "PAD777"), SEAN.replace("C001", "PAD777 ")
    )
    assert errors_for(path) == ["p.csv:3: Customer_ID=PAD777 : duplicate of line 2"]


def test_blank_rows_excel_leaves_at_the_end_are_skipped(tmp_path):
    path = write_csv(tmp_path / "p.csv", PROFILE_HEADER, SEAN, ",,,,,,,,,", ",,,,,,,,,", newline="\r\n")
    assert import_file("profiles", path).rows == 1


def test_a_day_first_export_is_uk_local_time(tmp_path):
    CustomerFactory(customer_id="C001")
    path = write_csv(
        tmp_path / "a.csv",
        ACTIVITY_HEADER,
        "C001,Active,,28/09/2025 11:31,,5,1,Basic,5",
        "C001,Active,,15/01/2025 09:05,,5,1,Basic,5",
    )
    result = import_datasets({"activity": path})
    logins = sorted(models.AccountActivity.objects.values_list("last_login", flat=True))
    assert logins == [dt.datetime(2025, 1, 15, 9, 5, tzinfo=UTC), dt.datetime(2025, 9, 28, 10, 31, tzinfo=UTC)]
    assert result.as_of.moment == dt.datetime(2025, 9, 28, 10, 31, tzinfo=UTC)
