"""Every import records when its data was true: the newest date in the files, or what the caller says."""

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from customers.importing import import_datasets
from customers.selectors import recorded_as_of
from tests.customers.test_import_command import write_dataset

pytestmark = pytest.mark.django_db

UTC = dt.UTC


def test_the_newest_date_in_any_file_is_the_as_of_time(tmp_path):
    result = import_datasets(
        {
            "profiles": write_dataset(tmp_path / "x") / "Customer Profiles.csv",
            "interactions": tmp_path / "x" / "Interaction History.csv",
        }
    )
    # Interactions go up to 2026-06-01 10:00 BST; profiles only to 2024-02-29.
    assert result.as_of.moment == dt.datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
    assert result.as_of.given is False


def test_a_profiles_only_import_is_as_of_the_newest_customer_since(tmp_path):
    result = import_datasets({"profiles": write_dataset(tmp_path / "x") / "Customer Profiles.csv"})
    assert result.as_of.moment == dt.datetime(2024, 2, 29, 0, 0, tzinfo=UTC)  # UK midnight, GMT in February


def test_the_command_takes_the_as_of_time_when_the_supplier_says_otherwise(tmp_path):
    folder = write_dataset(tmp_path / "x")
    out = io.StringIO()
    call_command(
        "import_datasets", str(folder), "--as-of", "30/06/2026 18:00", "--json", stdout=out, stderr=io.StringIO()
    )
    payload = json.loads(out.getvalue())
    assert (payload["as_of"], payload["as_of_given"]) == ("2026-06-30T17:00:00+00:00", True)


def test_the_command_says_which_as_of_time_it_recorded(tmp_path):
    profiles = write_dataset(tmp_path / "x") / "Customer Profiles.csv"
    out = io.StringIO()
    call_command("import_datasets", "--profiles", str(profiles), "--as-of", "2026-06-30", stdout=out)
    assert out.getvalue().splitlines()[-1] == "Imported. Data as of 2026-06-30 00:00 UK time (given)."


def test_an_unreadable_as_of_is_refused_before_anything_is_read(tmp_path):
    with pytest.raises(CommandError, match="--as-of"):
        call_command("import_datasets", str(tmp_path), "--as-of", "next Tuesday", stdout=io.StringIO())


def test_a_command_import_is_recorded_with_its_as_of_time_and_warnings(tmp_path):
    from customers.models import ImportRun

    folder = write_dataset(tmp_path / "x")
    call_command("import_datasets", "--profiles", str(folder / "Customer Profiles.csv"), stdout=io.StringIO())
    run = ImportRun.objects.get()
    assert (run.status, run.files, run.directory) == ("succeeded", {"profiles": "Customer Profiles.csv"}, str(folder))
    assert (run.as_of, run.as_of_given, run.warning_count) == (dt.datetime(2024, 2, 29, 0, 0, tzinfo=UTC), False, 0)
    assert run.summaries[0]["created"] == 3 and run.finished_at is not None


def test_a_failed_command_import_is_recorded_too(tmp_path):
    from customers.models import ImportRun
    from tests.factories import PROFILE_HEADER, write_csv

    path = write_csv(tmp_path / "p.csv", PROFILE_HEADER, "C9,Ann,200,Perth,SMS,E,Yes,Low,2020-01-01,7")
    with pytest.raises(CommandError):
        call_command("import_datasets", "--profiles", str(path), stdout=io.StringIO(), stderr=io.StringIO())
    run = ImportRun.objects.get()
    assert (run.status, run.error_count) == ("failed", 1)
    assert run.errors == "p.csv:2: Age=200: out of range 16–120"


def test_a_later_profiles_only_import_does_not_pull_the_data_date_back(tmp_path):
    folder = write_dataset(tmp_path / "x")
    call_command("import_datasets", str(folder), stdout=io.StringIO(), stderr=io.StringIO())
    assert recorded_as_of() == dt.datetime(2026, 12, 1, 9, 0, tzinfo=UTC)  # the newest date in the five files

    call_command("import_datasets", "--profiles", str(folder / "Customer Profiles.csv"), stdout=io.StringIO())

    # That run is as of its newest Customer_Since (2024-02-29); recency still counts from December 2026.
    assert recorded_as_of() == dt.datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
