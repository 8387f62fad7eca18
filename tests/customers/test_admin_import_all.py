""" "Import all five": one upload page, files kept under var/imports/<id>/, a background job with progress."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from control.models import AuditEvent, ImportRun
from control.services.imports import run_import
from customers import models
from customers.demo_data import generate_dataset
from customers.importing.schema import SPECS
from tests.factories import make_role_user

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
