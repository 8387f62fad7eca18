"""An import that changes a customer's data takes their untouched draft out of the queue at once, says why on its
trail, and queues a re-analysis for just those customers; unchanged customers and an agent's work are left alone."""

from __future__ import annotations

import csv
import io

import pytest
from celery.canvas import group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from customers.models import Customer, ImportRun
from notifications.analysis.models import AnalysisJob
from notifications.delivery.send_rules import Stage, evaluate
from notifications.delivery.services.sending import SendRefused, send_notification
from notifications.jobs.services import start_job
from notifications.queue.models import Notification, NotificationEvent
from notifications.queue.services import claims as queue
from notifications.supervision.services.imports import create_import_run, run_import
from tests.customers.test_admin_import import confirm, upload
from tests.factories import PROFILE_HEADER, make_role_user
from tests.notifications.jobs.test_worker_support import make_customer, run_inline

pytestmark = pytest.mark.django_db

WITHDRAWN_NOTE = (
    "Import {run} changed this customer's data (Name: Ann Reid → Bob Smith): "
    "withdrawn so it is not sent on the old facts."
)


@pytest.fixture
def dispatched(monkeypatch):
    """The jobs whose chunks went to the broker (none is delivered: the tests run them here)."""
    sent: list[int] = []
    monkeypatch.setattr(group, "apply_async", lambda self, *a, **k: sent.append(self.tasks[0].args[0]))
    return sent


@pytest.fixture
def drafted(dispatched):
    """Ann's and Cat's drafts, written by an analysis run from the data as it is now."""
    ann, cat = make_customer(customer_id="C001", name="Ann Reid"), make_customer(customer_id="C002", name="Cat Jones")
    run_inline(start_job(provider="offline"))
    dispatched.clear()
    return Notification.objects.get(customer=ann), Notification.objects.get(customer=cat)


def profiles_csv(**names: str) -> str:
    """Customer Profiles.csv for every customer as stored, with the names given by Customer_ID changed."""
    out = io.StringIO()
    rows = csv.writer(out, lineterminator="\n")
    out.write(PROFILE_HEADER + "\n")
    for c in Customer.objects.order_by("customer_id"):
        rows.writerow([
            c.customer_id, names.get(c.customer_id, c.name), c.age, c.location, c.preferred_channel,
            c.source_segment, "Yes" if c.opted_in else "No", c.income_bracket, c.customer_since.isoformat(),
            c.satisfaction_score,
        ])  # fmt: skip
    return out.getvalue()


def import_with_command(tmp_path, text: str, django_capture_on_commit_callbacks) -> str:
    path = tmp_path / "Customer Profiles.csv"
    path.write_text(text)
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):  # the command commits; receivers run after
        call_command("import_datasets", "--profiles", str(path), stdout=out, stderr=io.StringIO())
    return out.getvalue()


def assert_withdrawn_by_the_import(draft: Notification) -> None:
    run = ImportRun.objects.latest("pk")
    draft.refresh_from_db()
    assert (draft.status, draft.dismiss_reason, draft.dismissed_by) == ("dismissed", "superseded", None)
    assert draft.dismiss_note == WITHDRAWN_NOTE.format(run=run.pk)
    event = NotificationEvent.objects.get(notification=draft, kind="withdrawn")
    assert (event.source, event.metadata["import"], event.metadata["changes"]) == (
        "import",
        run.pk,
        ["Name: Ann Reid → Bob Smith"],
    )


def test_a_name_change_withdraws_that_customers_untouched_draft_at_once(
    tmp_path, drafted, dispatched, agent_client, agent, django_capture_on_commit_callbacks
):
    ann_draft, cat_draft = drafted

    import_with_command(tmp_path, profiles_csv(C001="Bob Smith"), django_capture_on_commit_callbacks)

    assert_withdrawn_by_the_import(ann_draft)
    # The agent no longer sees it, nor can send it.
    page = agent_client.get(reverse("notifications:queue")).content.decode()
    assert f'id="row-{ann_draft.pk}"' not in page and f'id="row-{cat_draft.pk}"' in page
    with pytest.raises(SendRefused):
        send_notification(ann_draft, user=agent, expected_version=1)
    # Cat's data did not change (her row was rewritten with the same values): her draft stays as it was.
    cat_draft.refresh_from_db()
    assert cat_draft.status == "waiting" and not NotificationEvent.objects.filter(
        notification=cat_draft, kind="withdrawn"
    )
    # Only Ann is re-analysed: offline (free) and incrementally.
    job = AnalysisJob.objects.get(kind="selected")
    assert (job.provider, job.force, job.total, dispatched) == ("offline", False, 1, [job.pk])
    # The re-analysis drafts for Ann again, from the new data.
    run_inline(job)
    fresh = Notification.objects.get(customer=ann_draft.customer, status="waiting")
    assert "Bob" in fresh.body and "Ann" not in fresh.body and fresh.data_snapshot["name"] == "Bob Smith"


def test_a_draft_an_agent_works_on_is_flagged_instead(tmp_path, drafted, django_capture_on_commit_callbacks):
    agent = make_role_user("alex", "Agents")
    ann_draft = queue.claim(drafted[0], user=agent)

    import_with_command(tmp_path, profiles_csv(C001="Bob Smith"), django_capture_on_commit_callbacks)

    ann_draft.refresh_from_db()
    assert ann_draft.status == "waiting" and not NotificationEvent.objects.filter(kind="withdrawn").exists()
    assert evaluate(ann_draft, stage=Stage.SEND, user=agent).data_changes == ["Name: Ann Reid → Bob Smith"]
    assert not AnalysisJob.objects.filter(kind="selected").exists()


def test_a_re_import_of_the_same_data_withdraws_nothing(tmp_path, drafted, django_capture_on_commit_callbacks):
    said = import_with_command(tmp_path, profiles_csv(), django_capture_on_commit_callbacks)
    assert Notification.objects.filter(status="waiting").count() == 2
    assert not NotificationEvent.objects.filter(kind="withdrawn").exists()
    assert not AnalysisJob.objects.filter(kind="selected").exists()
    assert "Withdrew" not in said


def test_with_re_analysis_off_the_draft_is_only_withdrawn(
    tmp_path, drafted, settings, django_capture_on_commit_callbacks
):
    settings.REANALYSE_AFTER_IMPORT = "off"
    import_with_command(tmp_path, profiles_csv(C001="Bob Smith"), django_capture_on_commit_callbacks)
    assert_withdrawn_by_the_import(drafted[0])
    assert not AnalysisJob.objects.filter(kind="selected").exists()


@pytest.mark.django_db(transaction=True)
def test_the_command_says_what_the_import_withdrew(tmp_path, dispatched):
    # Committed for real (a transactional test): the receivers run as the command's import commits, and
    # the command prints what they did after its summary.
    make_customer(customer_id="C001", name="Ann Reid")
    run_inline(start_job(provider="offline"))
    path = tmp_path / "Customer Profiles.csv"
    path.write_text(profiles_csv(C001="Bob Smith"))
    out = io.StringIO()
    call_command("import_datasets", "--profiles", str(path), stdout=out, stderr=io.StringIO())
    job = AnalysisJob.objects.get(kind="selected")
    assert out.getvalue().splitlines()[-1] == (
        f"Withdrew 1 untouched draft(s) written from the customers' old data; re-analysis job {job.pk} queued "
        "for their customers."
    )


def test_the_admins_per_file_upload_withdraws_it_too(admin_client, drafted, django_capture_on_commit_callbacks):
    from customers.models import Customer as Model

    preview = upload(admin_client, Model, profiles_csv(C001="Bob Smith"))
    with django_capture_on_commit_callbacks(execute=True):
        confirm(admin_client, Model, preview)
    assert_withdrawn_by_the_import(drafted[0])
    assert (
        AnalysisJob.objects.get(kind="selected").created_by.username == "ada"
    )  # the admin user here (tests/notifications/conftest.py)


def test_import_all_five_withdraws_it_too(drafted, settings, tmp_path, django_capture_on_commit_callbacks):
    settings.IMPORTS_DIR = tmp_path / "imports"
    upload_file = SimpleUploadedFile("profiles.csv", profiles_csv(C001="Bob Smith").encode())
    with django_capture_on_commit_callbacks(execute=False):  # the import task is run here, not sent
        run = create_import_run({"profiles": upload_file}, user=None)
    with django_capture_on_commit_callbacks(execute=True):
        run_import(run.pk)  # the Celery task's body
    assert_withdrawn_by_the_import(drafted[0])
    assert AnalysisJob.objects.filter(kind="selected", total=1).exists()
