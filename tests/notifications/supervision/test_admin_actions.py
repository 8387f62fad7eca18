"""Supervisor admin actions: approve, dismiss, release, re-analyse, export selected (formula-safe)."""

from __future__ import annotations

import contextlib
import csv
import io

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from notifications.analysis.models import AnalysisJob
from notifications.queue.models import Approval, Notification
from notifications.staff.models import AuditEvent
from notifications.supervision.services import approvals as supervision
from tests.factories import CustomerFactory, NotificationFactory, make_role_user

pytestmark = pytest.mark.django_db
CHANGELIST = "admin:queue_notification_changelist"


def act(client, action, objs, url_name=CHANGELIST, **extra):
    data = {"action": action, "_selected_action": [o.pk for o in objs], **extra}
    return client.post(reverse(url_name), data, follow=True)


def test_approve_selected_records_version_and_audit(as_supervisor, supervisor):
    drafts = NotificationFactory.create_batch(2)
    sent = NotificationFactory(status="sent", sent_at=timezone.now())
    response = act(as_supervisor, "approve_selected", [*drafts, sent])
    assert response.status_code == 200
    assert Approval.objects.filter(notification__in=drafts, approved_by=supervisor, version=1).count() == 2
    assert not Approval.objects.filter(notification=sent).exists()
    page = response.content.decode()
    assert "Approved 2 draft(s)" in page and "already sent" in page
    events = AuditEvent.objects.filter(action="approved")
    assert events.count() == 2 and {e.actor_name for e in events} == {"sue"}


def test_an_edit_after_approval_makes_it_stale(supervisor):
    n = NotificationFactory()
    supervision.approve([n], user=supervisor)
    n.refresh_from_db()
    assert supervision.is_approved(n)
    Notification.objects.filter(pk=n.pk).update(version=2, body="Changed")
    n.refresh_from_db()
    assert not supervision.is_approved(n)


def test_dismiss_selected_asks_for_a_reason_then_dismisses(as_supervisor, supervisor):
    drafts = NotificationFactory.create_batch(2)
    confirm = act(as_supervisor, "dismiss_selected", drafts)
    assert b"Dismiss these 2 draft(s)?" in confirm.content
    done = act(as_supervisor, "dismiss_selected", drafts, apply="1", reason="not_appropriate", note="Bereavement")
    assert b"Dismissed 2 draft(s)" in done.content
    for n in drafts:
        n.refresh_from_db()
        assert (n.status, n.dismiss_reason, n.dismissed_by) == ("dismissed", "not_appropriate", supervisor)


def test_dismiss_respects_a_colleagues_claim(as_supervisor):
    agent = make_role_user("claimant", "Agents")
    n = NotificationFactory(claimed_by=agent, claimed_at=timezone.now())
    response = act(as_supervisor, "dismiss_selected", [n], apply="1", reason="other")
    assert b"Not dismissed (1)" in response.content
    n.refresh_from_db()
    assert n.status == "waiting"


def test_release_claims(as_supervisor):
    agent = make_role_user("claimant", "Agents")
    n = NotificationFactory(claimed_by=agent, claimed_at=timezone.now())
    response = act(as_supervisor, "release_claims", [n])
    assert b"Released 1 draft(s)" in response.content
    n.refresh_from_db()
    assert n.claimed_by is None


def test_agents_group_has_no_admin_actions_even_if_staff(client):
    # Staff by mistake (a raw UPDATE, past the receiver that keeps Agents non-staff), but only
    # Agents' permissions: the admin shows nothing to act on.
    user = make_role_user("staffagent", "Agents")
    type(user).objects.filter(pk=user.pk).update(is_staff=True)
    client.force_login(user)
    n = NotificationFactory()
    assert client.get(reverse(CHANGELIST)).status_code == 403
    act(client, "approve_selected", [n])
    assert not Approval.objects.exists()


def test_reanalyse_selected_customers_starts_a_job(as_supervisor, supervisor):
    customers = CustomerFactory.create_batch(3)
    response = act(as_supervisor, "reanalyse_selected", customers[:2], url_name="admin:customers_customer_changelist")
    job = AnalysisJob.objects.get()
    assert (job.kind, job.total, job.force, job.created_by) == ("selected", 2, True, supervisor)
    assert "Started" in response.content.decode()
    assert AuditEvent.objects.filter(action="reanalysis", object_id=str(job.pk)).exists()
    again = act(as_supervisor, "reanalyse_selected", customers[2:], url_name="admin:customers_customer_changelist")
    assert "already running" in again.content.decode()
    assert AnalysisJob.objects.count() == 1


def _export(client, objs, fmt: int, *, queries=None):
    # Step 1: the action renders the format form; step 2: post it to the export URL.
    act(client, "export_admin_action", objs)
    with contextlib.nullcontext() if queries is None else queries:
        return client.post(
            reverse("admin:queue_notification_export"),
            {
                "format": str(fmt),
                "resource": "0",
                "export_items": [o.pk for o in objs],
                **{f"notificationexportresource_{f}": "on" for f in ("id", "body", "subject", "status")},
            },
        )


@pytest.mark.parametrize("payload", ['=HYPERLINK("x")', "+1+2", "-2+3", "@SUM(A1)", "\tTAB", "\rCR"])
def test_export_selected_csv_is_formula_safe(as_supervisor, payload):
    n = NotificationFactory(body=payload)
    other = NotificationFactory()
    response = _export(as_supervisor, [n], 0)
    assert response.status_code == 200, response.content[:500]
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [r["id"] for r in rows] == [str(n.pk)]  # only the selected row
    assert rows[0]["body"] == "'" + payload
    assert str(other.pk) not in {r["id"] for r in rows}


def test_export_selected_reads_only_the_selected_rows_not_every_id_in_the_table(as_supervisor):
    """django-import-export validates the selection against every pk of the table by default (#2056)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    chosen, *others = NotificationFactory.create_batch(4)
    queries = CaptureQueriesContext(connection)
    response = _export(as_supervisor, [chosen], 0, queries=queries)
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [r["id"] for r in rows] == [str(chosen.pk)]
    table = Notification._meta.db_table
    unfiltered = [q["sql"] for q in queries if f'FROM "{table}"' in q["sql"] and "WHERE" not in q["sql"]]
    assert unfiltered == []


def test_export_selected_xlsx_is_formula_safe(as_supervisor):
    n = NotificationFactory(body="=1+2")
    response = _export(as_supervisor, [n], 1)
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    values = [cell.value for row in sheet.iter_rows() for cell in row]
    assert "'=1+2" in values


def test_audit_export_is_available_to_supervisors(as_supervisor, supervisor):
    n = NotificationFactory()
    supervision.approve([n], user=supervisor)
    event = AuditEvent.objects.get()
    act(as_supervisor, "export_admin_action", [event], url_name="admin:staff_auditevent_changelist")
    response = as_supervisor.post(
        reverse("admin:staff_auditevent_export"),
        {
            "format": "0",
            "resource": "0",
            "export_items": [event.pk],
            **{f"auditeventresource_{f}": "on" for f in ("id", "actor_name", "action", "summary")},
        },
    )
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0]["actor_name"] == "sue" and rows[0]["action"] == "Approved"


def test_reassign_selected(as_supervisor):
    agent = make_role_user("claimant", "Agents")
    other = make_role_user("other", "Agents")
    n = NotificationFactory(claimed_by=agent, claimed_at=timezone.now())
    form = act(as_supervisor, "reassign_selected", [n])
    assert b"Reassign these 1 draft(s)?" in form.content
    done = act(as_supervisor, "reassign_selected", [n], apply="1", to=other.pk)
    assert b"Reassigned 1 draft(s)" in done.content
    n.refresh_from_db()
    assert n.claimed_by == other
    event = AuditEvent.objects.get(action="claimed")
    assert event.summary == "Reassigned to other (was claimant)" and event.actor_name == "sue"


def test_cancel_a_running_job(as_supervisor):
    running = AnalysisJob.objects.create(provider="offline", status="running", total=10)
    done = AnalysisJob.objects.create(provider="offline", status="succeeded", kind="selected")
    response = act(as_supervisor, "cancel_selected", [running, done], url_name="admin:analysis_analysisjob_changelist")
    assert b"Cancelled 1 job(s)" in response.content
    running.refresh_from_db()
    assert running.status == "cancelled"
