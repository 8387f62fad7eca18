"""Each kind of bad input gets a clear error and writes nothing."""

import pytest

from customers import models
from customers.importing import ImportFailed, import_datasets, import_file
from tests.customers.test_import_command import ACTIVITY_HEADER
from tests.factories import PROFILE_HEADER, CustomerFactory, write_csv

pytestmark = pytest.mark.django_db

GOOD = "C001,Ann Reid,42,Edinburgh,Email,Engaged,Yes,Low,2020-01-31,7"


def errors_for(path, dataset="profiles"):
    with pytest.raises(ImportFailed) as caught:
        import_file(dataset, path)
    return [str(e) for e in caught.value.errors]


def assert_nothing_written():
    assert models.Customer.objects.count() == 0
    assert models.AccountActivity.objects.count() == 0


@pytest.mark.parametrize(
    ("header", "rows", "expected"),
    [
        (
            PROFILE_HEADER.replace(",Opted_In", ""),
            [GOOD.replace(",Yes", "")],
            "p.csv:1: header=Customer_ID,Name,Age,Location,Preferred_Channel,Segment,I...: missing column 'Opted_In'. "
            "Expected: Customer_ID,Name,Age,Location,Preferred_Channel,Segment,Opted_In,Income_Bracket,",
        ),
        (
            PROFILE_HEADER.replace("Opted_In", "Opted In"),
            [GOOD],
            "missing column 'Opted_In' (found 'Opted In': misspelt?)",
        ),
        (
            PROFILE_HEADER.replace("Opted_In", "Opted In") + ",Notes",
            [GOOD + ",x"],
            "missing column 'Opted_In' (found 'Opted In': misspelt?); "
            "unknown column 'Opted In'; unknown column 'Notes'",
        ),
        (PROFILE_HEADER.replace(",", ";"), [GOOD.replace(",", ";")], "looks like ';'-delimited"),
        (PROFILE_HEADER.replace(",", "\t"), [GOOD.replace(",", "\t")], "looks like tab-delimited"),
        (
            ACTIVITY_HEADER,
            ["C001,Active,,2026-01-01 10:00,,5,1,Basic,5"],
            "this looks like Account Activity Logs.csv, not Customer Profiles.csv",
        ),
    ],
    ids=["missing", "misspelt", "misspelt-and-extra", "semicolon", "tab", "wrong-file"],
)
def test_header_problems(tmp_path, header, rows, expected):
    path = write_csv(tmp_path / "p.csv", header, *rows)
    errors = errors_for(path)
    assert len(errors) == 1 and expected in errors[0]
    assert_nothing_written()


@pytest.mark.parametrize("content", [b"", b"\xef\xbb\xbf", b"\r\n\r\n"], ids=["zero-bytes", "bom-only", "blank-lines"])
def test_empty_file(tmp_path, content):
    path = tmp_path / "p.csv"
    path.write_bytes(content)
    assert errors_for(path) == ["p.csv:1: file=(empty): file is empty: expected a header row"]


def test_utf16_file(tmp_path):
    path = tmp_path / "p.csv"
    path.write_bytes("\n".join([PROFILE_HEADER, GOOD]).encode("utf-16"))
    assert errors_for(path) == ["p.csv:1: encoding=UTF-16: file is UTF-16; re-save it as CSV UTF-8"]


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        (GOOD.replace(",7", ",seven"), "p.csv:2: Satisfaction_Score=seven: not a whole number"),
        (GOOD.replace(",7", ",11"), "p.csv:2: Satisfaction_Score=11: out of range 1–10"),
        (GOOD.replace(",7", ",0"), "p.csv:2: Satisfaction_Score=0: out of range 1–10"),
        (GOOD.replace(",7", ",7.5"), "p.csv:2: Satisfaction_Score=7.5: not a whole number"),
        (GOOD.replace(",42,", ",-3,"), "p.csv:2: Age=-3: out of range 16–120"),
        (GOOD.replace(",42,", ",,"), "p.csv:2: Age=: required value is empty"),
        (GOOD.replace("2020-01-31", "2025-02-30"), "p.csv:2: Customer_Since=2025-02-30: impossible date"),
        (
            GOOD.replace("2020-01-31", "2020/01/31"),
            "p.csv:2: Customer_Since=2020/01/31: not a date (YYYY-MM-DD or DD/MM/YYYY)",
        ),
        (
            GOOD.replace("2020-01-31", "31/01/20"),
            "p.csv:2: Customer_Since=31/01/20: two-digit year in '31/01/20': write the year in full",
        ),
        (
            GOOD.replace(",Yes,", ",Maybe,"),
            "p.csv:2: Opted_In=Maybe: not a yes/no value (Yes/No, Y/N, True/False or 1/0)",
        ),
        (GOOD.replace(",Yes,", ",,"), "p.csv:2: Opted_In=: required value is empty (Yes or No)"),
        (GOOD.replace(",Email,", ",Fax,"), "p.csv:2: Preferred_Channel=Fax: not one of Email, SMS, App Push, Phone"),
        (GOOD.replace(",Low,", ",Rich,"), "p.csv:2: Income_Bracket=Rich: not one of Low, Medium, High"),
        (GOOD.replace("Ann Reid", " "), "p.csv:2: Name= : required value is empty"),
        (GOOD.replace("Ann Reid", "x" * 201), "Name=xxxxxxxx"),
        (GOOD + ",extra", "p.csv:2: row=11 fields: expected 10 fields"),
        ('C001,"Ann "Reid",42', 'p.csv:2: row=: a quote (") inside a value: double it ("") or quote the whole value'),
    ],
    ids=[
        "non-numeric",
        "too-high",
        "too-low",
        "fraction",
        "negative",
        "empty-required",
        "impossible-date",
        "date-format",
        "two-digit-year",
        "yes-no-word",
        "yes-no-empty",
        "channel",
        "income",
        "blank-name",
        "too-long",
        "extra-field",
        "bad-quote",
    ],
)
def test_bad_profile_values(tmp_path, row, expected):
    path = write_csv(tmp_path / "p.csv", PROFILE_HEADER, GOOD.replace("C001", "C000"), row)
    errors = errors_for(path)
    assert any(expected.replace("p.csv:2", "p.csv:3") in e for e in errors), errors
    assert_nothing_written()


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ("C001,Active,,2026-02-30 10:00,,5,1,Basic,5", "Last_Login=2026-02-30 10:00: impossible date-time"),
        ("C001,Active,,2026-01-01 25:00,,5,1,Basic,5", "Last_Login=2026-01-01 25:00: impossible date-time"),
        (
            "C001,Active,,2026-01-01,,5,1,Basic,5",
            "Last_Login=2026-01-01: not a date-time (YYYY-MM-DD HH:MM or DD/MM/YYYY HH:MM): the time is missing",
        ),
        ("C001,Active,,2026-01-01 10:00,,101,1,Basic,5", "Engagement_Score=101: out of range 0–100"),
        ("C001,Active,,2026-01-01 10:00,,5,-1,Basic,5", "Account_Tenure_Years=-1: out of range ≥ 0"),
        ("C001,Active,,2026-01-01 10:00,,5,1.25,Basic,5", "Account_Tenure_Years=1.25: more than 1 decimal places"),
        ("C001,Active,,2026-01-01 10:00,,5,1,Basic,100.5", "Churn_Risk_Score=100.5: out of range 0–100"),
        ("C001,Active,,2026-01-01 10:00,,5,1,Basic,NaN", "Churn_Risk_Score=NaN: not a number"),
        ("C001,Active,,2026-01-01 10:00,,5,1,Gold,5", "Subscription_Type=Gold: not one of Basic, Premium, Green"),
        ("C001,,,2026-01-01 10:00,,5,1,Basic,5", "Account_Status=: required value is empty"),
        ("C404,Active,,2026-01-01 10:00,,5,1,Basic,5", "Customer_ID=C404: no customer with this Customer_ID"),
    ],
)
def test_bad_activity_values(tmp_path, row, expected):
    CustomerFactory(customer_id="C001")
    path = write_csv(tmp_path / "a.csv", ACTIVITY_HEADER, "C001,Active,,2026-01-02 10:00,,5,1,Basic,5", row)
    errors = errors_for(path, "activity")
    assert errors == [f"a.csv:3: {expected}"] or any(expected in e for e in errors), errors
    assert models.AccountActivity.objects.count() == 0


def test_duplicate_customer_id_in_one_file(tmp_path):
    path = write_csv(
        tmp_path / "p.csv", PROFILE_HEADER, GOOD, GOOD.replace("C001", "C002"), GOOD.replace("Ann", "Anne")
    )
    assert errors_for(path) == ["p.csv:4: Customer_ID=C001: duplicate of line 2"]
    assert_nothing_written()


def test_duplicate_natural_key_in_one_file(tmp_path):
    CustomerFactory(customer_id="C001")
    row = "C001,Active,,2026-01-02 10:00,,5,1,Basic,5"
    path = write_csv(tmp_path / "a.csv", ACTIVITY_HEADER, row, row.replace(",5,1,", ",6,1,"))
    assert errors_for(path, "activity") == [
        "a.csv:3: Customer_ID+Last_Login=C001+2026-01-02 10:00: duplicate of line 2"
    ]


def test_customer_without_profile_anywhere(tmp_path):
    profiles = write_csv(tmp_path / "p.csv", PROFILE_HEADER, GOOD)
    activity = write_csv(tmp_path / "a.csv", ACTIVITY_HEADER, "C002,Active,,2026-01-02 10:00,,5,1,Basic,5")
    with pytest.raises(ImportFailed) as caught:
        import_datasets({"profiles": profiles, "activity": activity})
    assert [str(e) for e in caught.value.errors] == [
        "a.csv:2: Customer_ID=C002: no customer with this Customer_ID (not in the database nor in the profiles file)"
    ]
    assert_nothing_written()  # the good profiles file is rolled back too


def test_bad_profiles_file_still_checks_later_files_against_its_ids(tmp_path):
    profiles = write_csv(tmp_path / "p.csv", PROFILE_HEADER, GOOD, GOOD.replace("C001", "C002").replace(",7", ",70"))
    activity = write_csv(
        tmp_path / "a.csv",
        ACTIVITY_HEADER,
        "C001,Active,,2026-01-02 10:00,,5,1,Basic,5",
        "C003,Active,,2026-01-02 10:00,,5,1,Basic,500",
    )
    with pytest.raises(ImportFailed) as caught:
        import_datasets({"profiles": profiles, "activity": activity})
    assert [str(e) for e in caught.value.errors] == [
        "p.csv:3: Satisfaction_Score=70: out of range 1–10",
        "a.csv:3: Customer_ID=C003: no customer with this Customer_ID (not in the database nor in the profiles file)",
        "a.csv:3: Churn_Risk_Score=500: out of range 0–100",
    ]
    assert_nothing_written()


def test_bad_row_after_many_good_batches_writes_nothing(tmp_path):
    rows = [GOOD.replace("C001", f"C{i:05d}") for i in range(12_000)] + [GOOD.replace(",7", ",x")]
    path = write_csv(tmp_path / "p.csv", PROFILE_HEADER, *rows)
    assert errors_for(path) == ["p.csv:12002: Satisfaction_Score=x: not a whole number"]
    assert_nothing_written()


def test_existing_rows_untouched_by_a_failed_reimport(tmp_path):
    import_file("profiles", write_csv(tmp_path / "p.csv", PROFILE_HEADER, GOOD))
    stamp = models.Customer.objects.get().updated_at
    errors_for(
        write_csv(
            tmp_path / "p2.csv",
            PROFILE_HEADER,
            GOOD.replace("Ann", "Anna"),
            GOOD.replace("C001", "C2").replace(",7", ",99"),
        )
    )
    customer = models.Customer.objects.get()
    assert (customer.name, customer.updated_at) == ("Ann Reid", stamp)


def test_unreadable_profiles_file_does_not_flag_every_related_row(tmp_path):
    profiles = write_csv(tmp_path / "p.csv", PROFILE_HEADER.replace(",", ";"), GOOD.replace(",", ";"))
    activity = write_csv(tmp_path / "a.csv", ACTIVITY_HEADER, "C001,Active,,2026-01-02 10:00,,5,1,Basic,5000")
    with pytest.raises(ImportFailed) as caught:
        import_datasets({"profiles": profiles, "activity": activity})
    assert [str(e).split(": ")[0:2] for e in caught.value.errors] == [
        ["p.csv:1", "header=Customer_ID;Name;Age;Location;Preferred_Channel;Segment;Opte"],
        ["a.csv:2", "Churn_Risk_Score=5000"],
    ]


def test_one_bad_profile_is_reported_once_not_again_by_the_other_files(tmp_path):
    from tests.customers.test_import_command import ACTION_HEADER

    profiles = write_csv(
        tmp_path / "Customer Profiles.csv",
        PROFILE_HEADER,
        GOOD,
        GOOD.replace("C001", "C002").replace(",42,", ",420,"),
        GOOD.replace("C001", "C003"),
    )
    activity = write_csv(
        tmp_path / "Account Activity Logs.csv",
        ACTIVITY_HEADER,
        "C002,Active,,2026-01-02 10:00,,5,1,Basic,5",  # the customer whose profile row is bad
        "C003,Active,,2026-01-02 10:00,,5,1,Basic,5",
    )
    actions = write_csv(
        tmp_path / "Recommended Actions.csv",
        ACTION_HEADER,
        "C001,High churn risk,Call,High,Yes,Retention",
        "C002,High churn risk,Call,High,Yes,Retention",
        "C003,High churn risk,Call,High,Yes,Retention",
    )
    with pytest.raises(ImportFailed) as caught:
        import_datasets({"profiles": profiles, "activity": activity, "actions": actions})
    assert [str(e) for e in caught.value.errors] == ["Customer Profiles.csv:3: Age=420: out of range 16–120"]
    assert [(s.dataset, s.errors) for s in caught.value.summaries] == [("profiles", 1), ("activity", 0), ("actions", 0)]
    assert_nothing_written()


def test_an_unreadable_profiles_file_gives_no_false_duplicates_elsewhere(tmp_path):
    from tests.customers.test_import_command import ACTION_HEADER

    profiles = write_csv(tmp_path / "p.csv", PROFILE_HEADER.replace(",", ";"), GOOD.replace(",", ";"))
    actions = write_csv(
        tmp_path / "r.csv",
        ACTION_HEADER,
        "C001,Bill shock,Call,High,Yes,Billing",
        "C002,Bill shock,Call,High,Yes,Billing",
    )
    with pytest.raises(ImportFailed) as caught:
        import_datasets({"profiles": profiles, "actions": actions})
    assert [str(e).split(": ")[0] for e in caught.value.errors] == ["p.csv:1"]


def test_a_blank_customer_id_is_an_error_in_every_file(tmp_path):
    profiles = write_csv(tmp_path / "p.csv", PROFILE_HEADER, GOOD, GOOD.replace("C001", ""))
    activity = write_csv(tmp_path / "a.csv", ACTIVITY_HEADER, ",Active,,2026-01-02 10:00,,5,1,Basic,5")
    with pytest.raises(ImportFailed) as caught:
        import_datasets({"profiles": profiles, "activity": activity})
    assert [str(e) for e in caught.value.errors] == [
        "p.csv:3: Customer_ID=: required value is empty",
        "a.csv:2: Customer_ID=: required value is empty",
    ]
