"""The admin index is grouped by what supervisors do; the system's own tables are for admins only."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from notifications.analysis.models import AnalysisChunk, AnalysisJob

pytestmark = pytest.mark.django_db


def index(client) -> dict[str, list[str]]:
    """The index as a reader sees it: each section's name and its rows, in order."""
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    return {
        str(section["name"]): [str(row["name"]) for row in section["models"]]
        for section in response.context["app_list"]
    }


SUPERVISOR_INDEX = {
    "Queue": ["Supervisor dashboard", "Drafts waiting for approval", "Notifications", "Approvals", "Deliveries"],
    "Results": ["Results and funnels", "Analysis jobs", "Customer analyses", "Contact decisions"],
    "Audit": ["Audit events", "Notification events", "Consent changes"],
    "Policies": ["Contact policies", "Approval policy", "Holdout experiment"],
    "Budget": ["AI usage and budget", "Provider settings", "AI calls"],
    "Imports and customer data": [
        "Import runs",
        "Customers",
        "Customer contacts",
        "Account activity",
        "Interactions",
        "Notification history",
        "Recommended actions",
    ],
}


def test_a_supervisor_sees_what_supervisors_use_and_no_internals(as_supervisor):
    assert index(as_supervisor) == SUPERVISOR_INDEX

    html = as_supervisor.get(reverse("admin:index")).content.decode()
    for internal in ("Analysis chunks", "Provider receipts", "Periodic tasks", "Crontabs", "Access attempts"):
        assert internal not in html
    assert 'id="nav-sidebar"' not in html  # the index is not repeated beside every list


def test_the_links_open_the_control_room_pages(as_supervisor):
    html = as_supervisor.get(reverse("admin:index")).content.decode()
    assert '<a href="/admin/control-room/dashboard/">Supervisor dashboard</a>' in html
    assert '<a href="/results/">Results and funnels</a>' in html
    assert '<a href="/approvals/">Drafts waiting for approval</a>' in html  # the workspace's approvals list
    assert '<a href="/admin/control-room/usage/">AI usage and budget</a>' in html
    assert "Import all five files" not in html  # admins import


def test_an_admin_also_gets_imports_users_and_the_system_tables(as_admin):
    sections = index(as_admin)

    assert list(sections) == [*SUPERVISOR_INDEX, "Users and roles", "System internals"]
    assert sections["Imports and customer data"][0] == "Import all five files"
    assert sections["Users and roles"] == ["Users", "Groups"]
    assert sections["System internals"] == [
        "Analysis chunks",
        "Provider receipts",
        "Crontabs",
        "Intervals",
        "Periodic tasks",
        "Access attempts",
        "Access failures",
        "Access logs",
    ]


def test_every_registered_model_has_its_section(client):
    # A model added to the admin later lands in "Other" until it is given a section in admin_site.SECTIONS.
    client.force_login(get_user_model().objects.create_superuser("root", "root@example.com", "pw"))
    sections = index(client)
    assert "Other" not in sections
    assert sections["System internals"][-8:] == [
        "Clocked",
        "Crontabs",
        "Intervals",
        "Periodic tasks",
        "Solar events",
        "Access attempts",
        "Access failures",
        "Access logs",
    ]


def test_an_admin_may_unlock_a_locked_out_user(as_admin):
    from axes.models import AccessAttempt

    attempt = AccessAttempt.objects.create(username="agnes", ip_address="10.0.0.7", failures_since_start=5)
    url = reverse("admin:axes_accessattempt_delete", args=[attempt.pk])
    assert as_admin.post(url, {"post": "yes"}).status_code == 302
    assert not AccessAttempt.objects.exists()


def test_a_supervisor_still_reads_a_jobs_chunks_on_the_jobs_page(as_supervisor):
    job = AnalysisJob.objects.create(provider="offline", status="running", total=500)
    AnalysisChunk.objects.create(job=job, index=0, size=250, customer_pks=[], error="Throttled by Bedrock")

    page = as_supervisor.get(reverse("admin:analysis_analysisjob_change", args=[job.pk])).content.decode()

    assert "Throttled by Bedrock" in page


def test_an_apps_own_page_still_lists_its_models(as_supervisor):
    # The breadcrumbs link to an app ("Home › Queue"); that page is Django's, filtered by permission.
    response = as_supervisor.get(reverse("admin:app_list", args=["queue"]))
    names = [str(row["name"]) for row in response.context["app_list"][0]["models"]]
    assert names == ["Approval policy", "Approvals", "Deliveries", "Notification events", "Notifications"]
