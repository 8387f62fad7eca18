""" "Import all five": one upload page, files kept under var/imports/<id>/, a background job with progress."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from customers import models
from customers.demo_data import generate_dataset
from customers.importing.schema import SPECS
from customers.models import ImportRun
from notifications.staff.models import AuditEvent
from notifications.supervision.services.imports import run_import
from tests.factories import make_role_user
from tests.notifications.jobs.test_worker_support import wait_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def files(tmp_path):
    generate_dataset(tmp_path / "src", customers=15, seed=3)
    return {spec.key: (tmp_path / "src" / spec.filename).read_bytes() for spec in SPECS}


@pytest.fixture
def as_admin(client, settings, tmp_path):
    settings.IMPORTS_DIR = tmp_path / "imports"
    client.force_login(make_role_user("ada", "Admins", is_staff=True))
    return client


def upload(client, files, django_capture_on_commit_callbacks):
    data = {
        key: SimpleUploadedFile(f"{key} export.csv", content, content_type="text/csv") for key, content in files.items()
    }
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(reverse("control:import_all"), data)
    return response, callbacks


def test_upload_stores_the_files_and_queues_the_job(as_admin, files, settings, django_capture_on_commit_callbacks):
    response, callbacks = upload(as_admin, files, django_capture_on_commit_callbacks)
    run = ImportRun.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("control:import_progress", args=[run.pk])
    assert len(callbacks) == 1  # the Celery task is sent once the row is committed
    assert run.status == "queued" and run.created_by.username == "ada"
    assert run.directory == str(settings.IMPORTS_DIR / str(run.pk))
    for spec in SPECS:
        assert (settings.IMPORTS_DIR / str(run.pk) / spec.filename).read_bytes() == files[spec.key]
    assert run.files["profiles"] == "profiles export.csv"
    page = as_admin.get(response["Location"]).content.decode()
    assert '<meta http-equiv="refresh" content="2">' in page  # polls while it runs


def test_the_job_imports_all_five_and_reports_counts(as_admin, files, django_capture_on_commit_callbacks):
    upload(as_admin, files, django_capture_on_commit_callbacks)
    run = run_import(ImportRun.objects.get().pk)  # the task's body, run here (workers are tested elsewhere)
    assert run.status == "succeeded", run.errors
    assert models.Customer.objects.count() == 15
    by_dataset = {s["dataset"]: s for s in run.summaries}
    assert by_dataset["profiles"]["created"] == 15
    assert set(by_dataset) == {spec.key for spec in SPECS}
    assert run.progress["profiles"] == 15
    page = as_admin.get(reverse("control:import_progress", args=[run.pk])).content.decode()
    assert "http-equiv" not in page  # finished: no more polling
    assert "Customer Profiles.csv" in page
    event = AuditEvent.objects.get(action="imported")
    assert event.actor_name == "ada" and event.detail["counts"]["Customer Profiles.csv"]["created"] == 15
    assert "profiles export.csv" in event.summary
    # idempotent: a redelivered task finds the run finished and does nothing
    assert run_import(run.pk).finished_at == run.finished_at


def test_a_bad_row_imports_nothing_and_lists_the_problem(as_admin, files, django_capture_on_commit_callbacks):
    lines = files["profiles"].decode("utf-8-sig").splitlines()
    index = next(i for i, line in enumerate(lines) if i > 0 and '"' not in line)  # a line with no quoted commas
    cells = lines[index].split(",")
    cells[9] = "11"  # Satisfaction_Score out of range
    lines[index] = ",".join(cells)
    files["profiles"] = ("\n".join(lines) + "\n").encode()
    upload(as_admin, files, django_capture_on_commit_callbacks)
    run = run_import(ImportRun.objects.get().pk)
    assert run.status == "failed" and run.error_count >= 1  # later files also name the rejected customer
    assert f"Customer Profiles.csv:{index + 1}: Satisfaction_Score=11" in run.errors
    assert models.Customer.objects.count() == 0
    assert AuditEvent.objects.get(action="imported").detail["status"] == "failed"


def test_all_five_are_required(as_admin, files, django_capture_on_commit_callbacks):
    del files["actions"]
    response, _ = upload(as_admin, files, django_capture_on_commit_callbacks)
    assert response.status_code == 200 and "This field is required" in response.content.decode()
    assert not ImportRun.objects.exists()


def test_supervisors_cannot_import(client, files):
    client.force_login(make_role_user("sue", "Supervisors", is_staff=True))
    assert client.get(reverse("control:import_all")).status_code == 403
    data = {key: SimpleUploadedFile(f"{key}.csv", content) for key, content in files.items()}
    assert client.post(reverse("control:import_all"), data).status_code == 403
    assert not ImportRun.objects.exists()


def test_per_dataset_admin_import_is_audited(client):
    from tests.customers.test_admin_import import GOOD_ROWS, confirm, csv
    from tests.customers.test_admin_import import upload as upload_one
    from tests.factories import PROFILE_HEADER

    client.force_login(make_role_user("ada", "Admins", is_staff=True))
    preview = upload_one(client, models.Customer, csv(PROFILE_HEADER, *GOOD_ROWS))
    assert not AuditEvent.objects.exists()  # a dry run is not an import
    confirm(client, models.Customer, preview)
    event = AuditEvent.objects.get(action="imported")
    assert event.actor_name == "ada"
    assert event.detail["file"] == "upload.csv" and event.detail["counts"] == {"new": 2}


# --- the whole path on a real Celery worker (`make test` runs these in the `-m worker` session) ----------

SAMPLE_EXPORT = Path(__file__).resolve().parents[2] / "fixtures" / "sample-export"


def sample_files() -> dict[str, bytes]:
    return {spec.key: (SAMPLE_EXPORT / spec.filename).read_bytes() for spec in SPECS}


def data_rows(content: bytes) -> int:
    return sum(1 for _ in csv.reader(io.StringIO(content.decode("utf-8-sig")))) - 1  # less the header


def upload_and_wait(client, files: dict[str, bytes], worker) -> tuple[ImportRun, str]:
    """Post the five files as the admin page would, then poll the progress page until it stops refreshing."""
    data = {spec.key: SimpleUploadedFile(spec.filename, files[spec.key], content_type="text/csv") for spec in SPECS}
    response = client.post(reverse("control:import_all"), data)  # committed: on_commit sends the task now
    assert response.status_code == 302, response.content.decode()[:2000]
    page = ""

    def finished() -> bool:
        nonlocal page
        page = client.get(response["Location"]).content.decode()
        return "http-equiv" not in page

    wait_for(finished, 60, message="the import to finish", details=worker.log)
    return ImportRun.objects.get(), page


def table_counts() -> dict[str, int]:
    return {spec.key: spec.model.objects.count() for spec in SPECS}


@pytest.mark.worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_real_worker_imports_the_five_sample_files_uploaded_in_the_admin(as_admin, live_worker):
    files = sample_files()
    run, page = upload_and_wait(as_admin, files, live_worker)

    assert run.status == ImportRun.Status.SUCCEEDED, f"{run.errors}\n{live_worker.problems()}"
    expected = {key: data_rows(content) for key, content in files.items()}
    assert table_counts() == expected  # every row of every file, related rows attached to their customers
    assert models.Customer.objects.get(customer_id="CUST000001").name == "Hannah Wilson"
    by_dataset = {s["dataset"]: s for s in run.summaries}
    assert {key: s["created"] for key, s in by_dataset.items()} == expected
    assert run.progress == expected and run.error_count == 0 and run.finished_at is not None
    assert "Succeeded" in page
    for spec in SPECS:  # the page lists each file with its counts
        assert spec.filename in page and f"<td>{expected[spec.key]}</td>" in page
    assert AuditEvent.objects.get(action="imported").detail["status"] == "succeeded"


@pytest.mark.worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_real_worker_fails_a_bad_file_naming_file_row_column_and_value_and_writes_nothing(as_admin, live_worker):
    files = sample_files()
    lines = files["interactions"].decode("utf-8-sig").splitlines()
    header = lines[0].split(",")
    column = header.index("Sentiment")
    bad_line = len(lines)  # the last row: the files before it and the rows above it are valid
    cells = lines[-1].split(",")
    assert len(cells) == len(header), "pick a row without quoted commas"
    cells[column] = "Furious"
    lines[-1] = ",".join(cells)
    files["interactions"] = ("\n".join(lines) + "\n").encode()

    run, page = upload_and_wait(as_admin, files, live_worker)

    assert run.status == ImportRun.Status.FAILED, live_worker.problems()
    assert run.error_count == 1
    assert f"Interaction History.csv:{bad_line}: Sentiment=Furious" in run.errors
    assert f"Interaction History.csv:{bad_line}: Sentiment=Furious" in page and "nothing was imported" in page
    assert set(table_counts().values()) == {0}  # not even the valid profiles: one transaction
    assert AuditEvent.objects.get(action="imported").detail["status"] == "failed"


def test_an_unexpected_error_ends_the_run_as_failed_instead_of_polling_for_ever(
    as_admin, files, django_capture_on_commit_callbacks, monkeypatch
):
    from django.db import OperationalError

    def broken(*args, **kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr("notifications.supervision.services.imports.import_datasets", broken)
    upload(as_admin, files, django_capture_on_commit_callbacks)
    run = run_import(ImportRun.objects.get().pk)
    assert run.status == "failed" and run.finished_at is not None
    assert "OperationalError: database is locked" in run.errors and "nothing was imported" in run.errors
    page = as_admin.get(reverse("control:import_progress", args=[run.pk])).content.decode()
    assert "http-equiv" not in page and "database is locked" in page


def test_csv_text_in_an_error_is_shown_as_text_not_html(as_admin, files, django_capture_on_commit_callbacks):
    lines = files["profiles"].decode("utf-8-sig").splitlines()
    index = next(i for i, line in enumerate(lines) if i > 0 and '"' not in line)
    cells = lines[index].split(",")
    cells[4] = "<img src=x onerror=alert(1)>"  # Preferred_Channel: not a channel, so it is quoted back
    lines[index] = ",".join(cells)
    files["profiles"] = ("\n".join(lines) + "\n").encode()
    upload(as_admin, files, django_capture_on_commit_callbacks)
    run = run_import(ImportRun.objects.get().pk)
    assert "<img src=x onerror=alert(1)>" in run.errors
    page = as_admin.get(reverse("control:import_progress", args=[run.pk])).content.decode()
    assert "&lt;img src=x onerror=alert(1)&gt;" in page and "<img src=x" not in page
