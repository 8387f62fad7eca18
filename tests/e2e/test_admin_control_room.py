"""A supervisor in the admin, in a real browser: sign in through the admin form, open the dashboard,
a customer's 360° page and a draft, approve it; the CSP holds (no script errors on any page)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from notifications.queue.models import Approval
from tests.factories import InteractionFactory, NotificationFactory, make_role_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PASSWORD = "pw-for-tests-only"


def test_supervisor_reviews_and_approves_in_the_admin(live_server, page, artifacts):
    make_role_user("sam", "Supervisors", is_staff=True)
    draft = NotificationFactory(
        priority="High", body="Hello, we noticed your bill went up. =SUM(A1) <script>x</script>"
    )
    InteractionFactory(customer=draft.customer, summary="Complained about the bill <b>twice</b>.")

    missing: list[str] = []
    page.on("response", lambda r: missing.append(r.url) if r.status == 404 else None)
    page.goto(f"{live_server.url}/admin/")
    expect(page).to_have_url(re.compile(r"/admin/login/"))
    page.get_by_label("Username").fill("sam")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text("Smart Notification Engine — control room").first).to_be_visible()
    expect(page.get_by_role("link", name="Supervisor dashboard")).to_be_visible()
    expect(page.get_by_role("link", name="Import all five files")).to_have_count(0)  # admins only
    page.screenshot(path=str(artifacts / "admin-index.png"), full_page=True)

    page.get_by_role("link", name="Supervisor dashboard").click()
    expect(page.get_by_role("heading", name="Oldest waiting High priority")).to_be_visible()
    expect(page.get_by_text(draft.customer.customer_id).first).to_be_visible()
    page.screenshot(path=str(artifacts / "admin-dashboard.png"), full_page=True)

    page.goto(f"{live_server.url}/admin/customers/customer/{draft.customer.pk}/change/")
    expect(page.get_by_text("Complained about the bill <b>twice</b>.")).to_be_visible()  # escaped, not markup
    page.screenshot(path=str(artifacts / "admin-customer.png"), full_page=True)

    page.goto(f"{live_server.url}/admin/queue/notification/")
    page.locator(f'input[name="_selected_action"][value="{draft.pk}"]').check()
    page.locator('select[name="action"]').select_option("approve_selected")
    page.locator('button[name="index"]').first.click()
    expect(page.get_by_text("Approved 1 draft(s).")).to_be_visible()
    assert Approval.objects.filter(notification=draft, approved_by__username="sam").exists()
    assert missing == []  # every stylesheet and script the pages ask for is served
    # (the browser's own /favicon.ico request is the one 404 it logs; it fires no page response)
    assert [e for e in page.js_errors if "Failed to load resource" not in e] == []  # CSP violations land here
