"""The follow-up export: dated after each decision, the planted effect, clean import, clear errors."""

import csv
import datetime as dt
import io
import random
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command

from customers.demo_data import generate_dataset
from customers.demo_data.followup import Effects, Subject, SubjectsError, read_subjects, write_follow_up
from customers.importing import import_datasets
from customers.importing.services import find_dataset_files
from customers.models import Customer
from customers.selectors import read_outcomes

UTC, LONDON = dt.UTC, ZoneInfo("Europe/London")
ACTIVITY, INTERACTIONS, NOTIFICATIONS = (
    "Account Activity Logs.csv",
    "Interaction History.csv",
    "Notification History.csv",
)
DECIDED = dt.datetime(2026, 11, 25, 9, 30, tzinfo=UTC)


def subjects(n: int, *, control_every: int = 10, decided: dt.datetime = DECIDED) -> list[Subject]:
    return [
        Subject(f"CUST{i:06d}", "control" if i % control_every == 0 else "treated", decided, 40.0)
        for i in range(1, n + 1)
    ]


def rows(folder: Path, name: str) -> list[dict[str, str]]:
    with open(folder / name, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def local(stamp: str) -> dt.datetime:
    return dt.datetime.strptime(stamp, "%Y-%m-%d %H:%M").replace(tzinfo=LONDON)


def test_same_subjects_in_any_order_give_the_same_bytes(tmp_path):
    people = subjects(300)
    shuffled = people[:]
    random.Random(3).shuffle(shuffled)
    write_follow_up(tmp_path / "a", people, seed=5)
    write_follow_up(tmp_path / "b", shuffled, seed=5)
    for name in (ACTIVITY, INTERACTIONS, NOTIFICATIONS):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_rows_fall_after_each_decision_and_closures_and_complaints_inside_the_window(tmp_path):
    early = dt.datetime(2026, 10, 1, 23, 30, tzinfo=UTC)  # 00:30 on 2 October in London
    people = [*subjects(200), Subject("EARLY", "control", early)]
    as_of, counts = write_follow_up(tmp_path, people, window_days=60)
    assert as_of == dt.date(2027, 2, 23)  # last decision (25 November) + 60-day window + 30 days
    decided = {s.customer_id: s.decided_at for s in people}
    activity, interactions, sent = rows(tmp_path, ACTIVITY), rows(tmp_path, INTERACTIONS), rows(tmp_path, NOTIFICATIONS)
    assert counts == {ACTIVITY: len(activity), INTERACTIONS: len(interactions), NOTIFICATIONS: len(sent)}
    for row, column in (
        [(r, "Last_Login") for r in activity]
        + [(r, "Date & Time") for r in interactions]
        + [(r, "Sent_Date") for r in sent]
    ):
        when = local(row[column])
        assert decided[row["Customer_ID"]] < when < dt.datetime(2027, 2, 23, tzinfo=LONDON), row
    window = dt.timedelta(days=60)
    outcomes = [(r, "Last_Login") for r in activity if r["Account_Status"] == "Closed"]
    outcomes += [(r, "Date & Time") for r in interactions if r["Interaction_Type"] == "Complaint"]
    assert outcomes
    for row, column in outcomes:
        assert local(row[column]) <= decided[row["Customer_ID"]] + window, row
    # Every customer gets a bill every 30 days up to the export date, so it visibly covers every window.
    assert max(r["Sent_Date"] for r in sent) >= "2027-01-24"
    assert {r["Customer_ID"] for r in sent} == set(decided)


def test_the_planted_churn_effect_shows_in_the_files(tmp_path):
    people = subjects(20_000)  # 2,000 control, 18,000 treated
    write_follow_up(tmp_path, people, effects=Effects(churn=-5))
    end = {s.customer_id: s.decided_at + dt.timedelta(days=60) for s in people}
    active = {r["Customer_ID"] for r in rows(tmp_path, ACTIVITY)
              if r["Account_Status"] == "Active" and local(r["Last_Login"]) <= end[r["Customer_ID"]]}  # fmt: skip
    control = [s for s in people if s.arm == "control"]
    treated = [s for s in people if s.arm == "treated"]
    control_churn = 1 - sum(s.customer_id in active for s in control) / len(control)
    treated_churn = 1 - sum(s.customer_id in active for s in treated) / len(treated)
    # 10% and 5% by design; standard errors 0.67 and 0.16 points: ±3 of them.
    assert 0.080 <= control_churn <= 0.120
    assert 0.045 <= treated_churn <= 0.055


def test_effects_that_leave_0_to_100_percent_are_refused(tmp_path):
    with pytest.raises(ValueError, match=r"a churn effect of -20 points takes the rate outside 0–100%"):
        write_follow_up(tmp_path, subjects(5), effects=Effects(churn=-20))
    assert list(tmp_path.iterdir()) == []


def test_the_export_imports_cleanly_after_the_demo_data_and_every_window_is_measured(db, tmp_path):
    generate_dataset(tmp_path / "demo", customers=40, seed=3)
    import_datasets(find_dataset_files(tmp_path / "demo"))
    write_follow_up(tmp_path / "later", subjects(40, control_every=4))
    summaries = import_datasets(find_dataset_files(tmp_path / "later"))
    assert [s.dataset for s in summaries] == ["activity", "interactions", "notifications"]
    assert all(s.created == s.rows and s.updated == 0 for s in summaries)  # nothing of the first export is touched
    outcomes = read_outcomes({pk: DECIDED for pk in Customer.objects.values_list("pk", flat=True)})
    assert len(outcomes) == 40 and all(o.observed for o in outcomes.values())


def test_a_bad_subjects_file_names_every_problem_by_line_column_and_value():
    text = (
        "Customer_ID,Arm,Decided_At,Churn_Risk_Score\n"
        "C1,treated,2026-11-25T09:30:00+00:00,40\n"
        "C2,held out,2026-11-25T09:30:00+00:00,\n"
        "C3,control,25/11/2026,140\n"
        "C1,control,2026-11-25T09:30:00,\n"
    )
    with pytest.raises(SubjectsError) as caught:
        read_subjects(io.StringIO(text), "subjects.csv")
    assert caught.value.problems == [
        "subjects.csv:3: Arm=held out: must be treated or control",
        "subjects.csv:4: Decided_At=25/11/2026: not an ISO 8601 date-time with a UTC offset",
        "subjects.csv:4: Churn_Risk_Score=140: not a number from 0 to 100",
        "subjects.csv:5: Customer_ID=C1: appears more than once",
        "subjects.csv:5: Decided_At=2026-11-25T09:30:00: not an ISO 8601 date-time with a UTC offset",
    ]


def test_a_subjects_file_without_the_required_columns():
    with pytest.raises(SubjectsError, match=r"subjects.csv:1: header: missing column\(s\) Arm, Decided_At"):
        read_subjects(io.StringIO("Customer_ID\nC1\n"), "subjects.csv")


def test_the_command_writes_a_follow_up_from_a_subjects_file(tmp_path):
    path = tmp_path / "subjects.csv"
    path.write_text(
        "Customer_ID,Arm,Decided_At\nC1,treated,2026-11-25T09:30:00+00:00\nC2,control,2026-11-26T10:00:00+00:00\n"
    )
    out = io.StringIO()
    call_command("generate_demo_data", "--follow-up", str(path), "--out", str(tmp_path / "later"), stdout=out)
    assert out.getvalue().splitlines()[-1] == (
        f"Wrote a follow-up export dated 2027-02-24 to {tmp_path / 'later'} for 2 decisions (1 treated, 1 control); "
        "planted effects: churn -5, complaints +0, positive actions +0 points, churn risk score +0"
    )
    assert sorted(p.name for p in (tmp_path / "later").iterdir()) == [ACTIVITY, INTERACTIONS, NOTIFICATIONS]


def test_the_command_reads_stdin_and_refuses_a_bad_file_writing_nothing(tmp_path, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("Customer_ID,Arm,Decided_At\nC1,maybe,2026-11-25T09:30:00Z\n"))
    with pytest.raises(CommandError, match=r"bad subjects file, nothing written:\nstdin:2: Arm=maybe: must be"):
        call_command("generate_demo_data", "--follow-up", "-", "--out", str(tmp_path / "later"))
    assert not (tmp_path / "later").exists()
