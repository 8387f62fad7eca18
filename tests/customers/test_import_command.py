"""import_datasets: the good path, re-import, newer exports and the command's output."""

import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from django.core.management import ManagementUtility, call_command
from django.core.management.base import CommandError

from customers import models
from customers.importing import ImportFailed, import_datasets, import_file
from tests.factories import PROFILE_HEADER, CustomerFactory, write_csv

pytestmark = pytest.mark.django_db

UTC = dt.UTC

ACTIVITY_HEADER = (
    "Customer_ID,Account_Status,Last_Transaction,Last_Login,Recent_Activity,Engagement_Score,"
    "Account_Tenure_Years,Subscription_Type,Churn_Risk_Score"
)
INTERACTION_HEADER = (
    "Customer_ID,Channel,Date & Time,Interaction_Type,Sentiment,Summary,Response_Time_Minutes,"
    "Resolution_Status,Agent_ID"
)
NOTIFICATION_HEADER = (
    "Notification_ID,Customer_ID,Channel,Sent_Date,Notification_Type,Opened,Clicked,Action_Taken,"
    "Delivery_Status,Notification_Priority,Response_Time_Hours"
)
ACTION_HEADER = "Customer_ID,Scenario,Recommended_Action,Urgency_Level,Follow_Up_Required,Assigned_Team"

PROFILES = [
    'C001,"Mòrag ""Mo"" MacLeòid, Jr",42,Edinburgh,Email,Engaged,Yes,Low,2020-01-31,7',
    'C002,=HYPERLINK("http://x"),30,"Perth\nNorth",SMS,At Risk,No,High,2019-02-28,1',
    "C003,Siobhán Ó Ceallaigh,120,Inverness,App Push,Digital Native,Yes,Medium,2024-02-29,10",
]


def write_dataset(folder, *, profiles=PROFILES, bom=True, newline="\r\n"):
    folder.mkdir(exist_ok=True)
    write_csv(folder / "Customer Profiles.csv", PROFILE_HEADER, *profiles, bom=bom, newline=newline)
    write_csv(
        folder / "Account Activity Logs.csv",
        ACTIVITY_HEADER,
        "C001,Active,,2026-03-29 01:30,,55,5.5,Basic,30.25",  # spring-forward gap
        "C001,Active,Bill Payment,2026-10-25 01:30:00,Viewed bill,0,0,Green,100",  # repeated hour
        "C002,Suspended,Tariff Switch,2026-07-01 12:00,+44 called,100,12.0,Premium,0",
        bom=bom,
        newline=newline,
    )
    write_csv(
        folder / "Interaction History.csv",
        INTERACTION_HEADER,
        'C001,Phone,2026-06-01 10:00,Query,Neutral,"Asked, politely, about ""tariffs""\nand more",12,Resolved,AG-1',
        "C001,Phone,2026-06-01 10:00,Complaint,Negative,,,Pending,",
        "C003,Web Chat,2026-01-15 09:05,Unsubscribe,Positive,@mention,0,Escalated,AG-2",
        bom=bom,
        newline=newline,
    )
    write_csv(
        folder / "Notification History.csv",
        NOTIFICATION_HEADER,
        "N-1100,C001,Email,2026-06-01,Bill Reminder,Yes,Yes,Paid,Delivered,High,1.5",
        "N-1101,C002,SMS,2026-12-01 09:00,Outage Alert,No,No,,Failed,Low,",
        bom=bom,
        newline=newline,
    )
    write_csv(
        folder / "Recommended Actions.csv",
        ACTION_HEADER,
        "C001,High bill,Call them,High,Yes,Billing",
        "C003,Green tariff interest,-Offer green tariff,Low,No,Sales",
        bom=bom,
        newline=newline,
    )
    return folder


def counts():
    return {
        m.__name__: m.objects.count()
        for m in (
            models.Customer,
            models.AccountActivity,
            models.Interaction,
            models.NotificationHistory,
            models.RecommendedAction,
        )
    }


def run_command(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_datasets", *map(str, args), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_imports_all_five_files_with_bom_crlf_quotes_and_non_ascii(tmp_path):
    folder = write_dataset(tmp_path / "export")
    (folder / "notes.txt").write_text("not a dataset")
    out, _ = run_command(folder)

    assert counts() == {
        "Customer": 3,
        "AccountActivity": 3,
        "Interaction": 3,
        "NotificationHistory": 2,
        "RecommendedAction": 2,
    }
    assert "Customer Profiles.csv: 3 rows: 3 created, 0 updated, 0 unchanged" in out
    morag = models.Customer.objects.get(customer_id="C001")
    assert morag.name == 'Mòrag "Mo" MacLeòid, Jr'
    assert (morag.age, morag.opted_in, morag.customer_since) == (42, True, dt.date(2020, 1, 31))
    formula = models.Customer.objects.get(customer_id="C002")
    assert formula.name == '=HYPERLINK("http://x")'  # stored verbatim, never evaluated
    assert formula.location == "Perth\nNorth"
    assert len(morag.source_hash) == 32

    interaction = models.Interaction.objects.get(interaction_type="Query")
    assert interaction.summary == 'Asked, politely, about "tariffs"\nand more'
    assert interaction.occurred_at == dt.datetime(2026, 6, 1, 9, 0, tzinfo=UTC)  # BST
    empty = models.Interaction.objects.get(interaction_type="Complaint")
    assert (empty.summary, empty.response_time_minutes, empty.agent_id) == ("", None, "")
    assert models.Interaction.objects.get(interaction_type="Unsubscribe").summary == "@mention"


def test_datetimes_are_uk_local_time_across_dst(tmp_path):
    run_command(write_dataset(tmp_path / "export"))
    logins = sorted(models.AccountActivity.objects.filter(customer__customer_id="C001").values_list("last_login"))
    # 01:30 does not exist on 29 March 2026: the wall clock is shifted forward
    # (02:30 BST); on 25 October 01:30 happens twice and the first (BST) is taken.
    assert logins == [(dt.datetime(2026, 3, 29, 1, 30, tzinfo=UTC),), (dt.datetime(2026, 10, 25, 0, 30, tzinfo=UTC),)]
    sent = dict(models.NotificationHistory.objects.values_list("notification_id", "sent_at"))
    assert sent == {
        "N-1100": dt.datetime(2026, 5, 31, 23, 0, tzinfo=UTC),  # bare date = local midnight
        "N-1101": dt.datetime(2026, 12, 1, 9, 0, tzinfo=UTC),  # GMT in winter
    }


def test_decimals_booleans_and_empty_optionals(tmp_path):
    run_command(write_dataset(tmp_path / "export"))
    activity = models.AccountActivity.objects.get(customer__customer_id="C002")
    assert activity.account_tenure_years == Decimal("12.0")
    assert activity.churn_risk_score == Decimal("0")
    assert activity.recent_activity == "+44 called"
    n = models.NotificationHistory.objects.get(notification_id="N-1101")
    assert (n.opened, n.clicked, n.action_taken, n.response_time_hours) == (False, False, "", None)
    assert models.NotificationHistory.objects.get(notification_id="N-1100").response_time_hours == Decimal("1.5")
    action = models.RecommendedAction.objects.get(customer__customer_id="C003")
    assert (action.recommended_action, action.follow_up_required) == ("-Offer green tariff", False)


def test_reimport_changes_nothing(tmp_path):
    folder = write_dataset(tmp_path / "export")
    run_command(folder)
    before = counts()
    stamps = dict(models.Customer.objects.values_list("customer_id", "updated_at"))
    hashes = sorted(models.Interaction.objects.values_list("pk", "source_hash"))

    out, _ = run_command(folder, "--json")

    summary = json.loads(out)
    assert summary["ok"] is True
    assert [(f["created"], f["updated"], f["unchanged"]) for f in summary["files"]] == [
        (0, 0, 3),
        (0, 0, 3),
        (0, 0, 3),
        (0, 0, 2),
        (0, 0, 2),
    ]
    assert counts() == before
    assert dict(models.Customer.objects.values_list("customer_id", "updated_at")) == stamps
    assert sorted(models.Interaction.objects.values_list("pk", "source_hash")) == hashes


def test_newer_export_updates_rows_in_place(tmp_path):
    run_command(write_dataset(tmp_path / "v1"))
    pk = models.Customer.objects.get(customer_id="C001").pk
    stamp = models.Customer.objects.get(customer_id="C003").updated_at
    newer = [
        PROFILES[0].replace(",7", ",9"),
        PROFILES[1],
        PROFILES[2],
        "C004,Iain Bain,55,Oban,Phone,Dormant,No,Low,2021-05-05,5",
    ]
    folder = write_dataset(tmp_path / "v2", profiles=newer, bom=False, newline="\n")

    out, _ = run_command("--profiles", folder / "Customer Profiles.csv")

    assert "4 rows: 1 created, 1 updated, 2 unchanged" in out
    morag = models.Customer.objects.get(customer_id="C001")
    assert (morag.pk, morag.satisfaction_score) == (pk, 9)
    assert models.Customer.objects.get(customer_id="C003").updated_at == stamp
    assert models.Customer.objects.count() == 4


def test_single_file_options_resolve_customers_from_database(tmp_path):
    CustomerFactory(customer_id="C001")
    folder = write_dataset(tmp_path / "export")
    write_csv(folder / "a.csv", ACTION_HEADER, "C001,Scenario,Do it,Low,No,Team")
    out, _ = run_command("--actions", folder / "a.csv")
    assert "a.csv: 1 rows: 1 created" in out
    assert models.RecommendedAction.objects.get().customer.customer_id == "C001"


def test_profiles_in_the_same_import_satisfy_other_files(tmp_path):
    folder = write_dataset(tmp_path / "export")
    summaries = import_datasets(
        {"actions": folder / "Recommended Actions.csv", "profiles": folder / "Customer Profiles.csv"}
    )
    assert [s.dataset for s in summaries] == ["profiles", "actions"]  # profiles first, whatever the order given
    assert models.RecommendedAction.objects.count() == 2


def test_import_file_accepts_a_binary_stream(tmp_path):
    path = write_csv(tmp_path / "p.csv", PROFILE_HEADER, PROFILES[2])
    with path.open("rb") as stream:
        summary = import_file("profiles", stream)
        assert not stream.closed  # the caller's stream is left open
    assert (summary.file, summary.created) == ("p.csv", 1)


def test_failure_lists_every_bad_row_and_exits_non_zero(tmp_path):
    folder = write_dataset(tmp_path / "export")
    write_csv(
        folder / "Customer Profiles.csv",
        PROFILE_HEADER,
        PROFILES[0],
        "C002,Ann,abc,Perth,SMS,Engaged,yes,Low,2020-01-01,7",
        "C003,Bob,40,Perth,SMS,Engaged,No,Low,2025-02-30,11",
    )
    with pytest.raises(CommandError) as caught:
        run_command(folder)
    assert caught.value.returncode == 1
    assert counts() == dict.fromkeys(counts(), 0)


def test_error_output_format(tmp_path, capsys):
    path = write_csv(
        tmp_path / "Customer Profiles.csv",
        PROFILE_HEADER,
        "C002,Ann,abc,Perth,SMS,Engaged,perhaps,Low,2020-01-01,7",
        '"C003","Bob\nSmith",40,Perth,SMS,Engaged,No,Low,2025-02-30,11',
    )
    utility = ManagementUtility(["manage.py", "import_datasets", "--profiles", str(path)])
    with pytest.raises(SystemExit) as exited:
        utility.execute()
    assert exited.value.code == 1
    lines = capsys.readouterr().err.splitlines()
    assert lines[:5] == [
        "Customer Profiles.csv:2: Age=abc: not a whole number",
        "Customer Profiles.csv:2: Opted_In=perhaps: not a yes/no value (Yes/No, Y/N, True/False or 1/0)",
        "Customer Profiles.csv:3: Customer_Since=2025-02-30: impossible date (day is out of range for month)",
        "Customer Profiles.csv:3: Satisfaction_Score=11: out of range 1–10",
        "CommandError: 4 problem(s) found; nothing was imported",
    ]


def test_json_summary_on_failure(tmp_path):
    path = write_csv(tmp_path / "Customer Profiles.csv", PROFILE_HEADER, "C9,Ann,200,Perth,SMS,E,Yes,Low,2020-01-01,7")
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_datasets", "--profiles", str(path), "--json", stdout=out, stderr=err)
    payload = json.loads(out.getvalue())
    assert payload["ok"] is False and payload["errors"] == 1
    assert "Customer Profiles.csv:2: Age=200: out of range 16–120" in err.getvalue()


def test_error_list_is_capped_but_all_are_counted(tmp_path):
    rows = [f"C{i},Ann,1,Perth,SMS,E,Yes,Low,2020-01-01,7" for i in range(1_005)]
    path = write_csv(tmp_path / "Customer Profiles.csv", PROFILE_HEADER, *rows)
    with pytest.raises(ImportFailed) as caught:
        import_file("profiles", path)
    assert caught.value.error_count == 1_005
    assert len(caught.value.errors) == 1_000
    err = io.StringIO()
    with pytest.raises(CommandError, match="1005 problem"):
        call_command("import_datasets", "--profiles", str(path), stdout=io.StringIO(), stderr=err)
    assert "… and 5 more problem(s)" in err.getvalue()


def test_small_batches_give_the_same_result(tmp_path):
    rows = [f"C{i:04d},Ann {i},40,Perth,SMS,E,Yes,Low,2020-01-01,7" for i in range(25)]
    path = write_csv(tmp_path / "Customer Profiles.csv", PROFILE_HEADER, *rows)
    summary = import_file("profiles", path, batch_size=4)
    assert (summary.rows, summary.created) == (25, 25)
    assert models.Customer.objects.count() == 25


def test_command_rejects_missing_inputs(tmp_path):
    with pytest.raises(CommandError, match="none of the supplier files"):
        run_command(tmp_path)
    with pytest.raises(CommandError, match="give a folder"):
        run_command()


class _Terminal(io.StringIO):
    def isatty(self):
        return True


def test_progress_is_shown_on_a_terminal_only(tmp_path):
    rows = [f"C{i:04d},Ann {i},40,Perth,SMS,E,Yes,Low,2020-01-01,7" for i in range(10)]
    path = write_csv(tmp_path / "Customer Profiles.csv", PROFILE_HEADER, *rows)
    terminal = _Terminal()
    call_command("import_datasets", "--profiles", str(path), "--batch-size", "4", stdout=io.StringIO(), stderr=terminal)
    assert "\rCustomer Profiles.csv: 8 rows (" in terminal.getvalue()
    _, err = run_command("--profiles", path)
    assert err == ""
