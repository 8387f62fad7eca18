"""The supervisor's lists on a 1366 x 768 laptop screen, in a real browser: every key column is on the
screen beside the filters, not behind a horizontal scroll. Screenshots: tests/e2e/artifacts/admin-1366-*.png."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from notifications.analysis.models import AICall, AnalysisJob
from notifications.queue.models import Approval, Delivery
from notifications.staff.services import record_staff_action
from tests.e2e.conftest import PASSWORD
from tests.factories import CustomerAnalysisFactory, CustomerFactory, NotificationFactory, make_role_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

WIDTH, HEIGHT = 1366, 768
SENT_AT = dt.datetime(2026, 11, 30, 17, 45, tzinfo=dt.UTC)

# The columns a supervisor scans each list for (their CSS class: "column-<list_display name>").
KEY_COLUMNS = {
    "queue/notification": [
        "customer",
        "priority_badge",
        "risk",
        "urgency",
        "channel",
        "kind",
        "status",
        "approved",
        "claimed_by",
        "sent_at",
    ],
    "queue/delivery": ["customer", "channel", "status", "attempts", "short_error", "sent_at", "delivered_at"],
    "staff/auditevent": ["created_at", "actor_name", "action", "summary", "object_link", "customer_ref"],
    "analysis/analysisjob": [
        "id",
        "kind",
        "provider",
        "status",
        "progress",
        "drafts",
        "fallbacks",
        "cost_gbp",
        "created_at",
    ],
    "analysis/aicall": [
        "created_at",
        "model_id",
        "operation",
        "input_tokens",
        "output_tokens",
        "outcome",
        "cost_gbp",
    ],
    "analysis/customeranalysis": [
        "customer",
        "segment",
        "priority",
        "risk_score",
        "urgency",
        "should_contact",
        "provider",
    ],
}


def _rows(supervisor) -> None:
    """A few rows of each list, with the widest values the real data has."""
    job = AnalysisJob.objects.create(
        provider="bedrock", status="succeeded", total=100000, done=100000, drafts=24817, cost_gbp=Decimal("183.42")
    )
    for i, (status, channel) in enumerate(
        [("sent", "SMS"), ("held", "App Push"), ("waiting", "Email"), ("sent", "Phone")]
    ):
        customer = CustomerFactory(name=f"Alexandra Montgomery-Fitzgerald {i}")
        n = NotificationFactory(
            customer=customer,
            job=job,
            status=status,
            channel=channel,
            urgency="Within 24 hours",
            sent_at=SENT_AT if status == "sent" else None,
            sent_by=supervisor if status == "sent" else None,
            claimed_by=supervisor if status == "waiting" else None,
            claimed_at=SENT_AT if status == "waiting" else None,
        )
        Approval.objects.create(notification=n, version=n.version, approved_by=supervisor, approved_at=SENT_AT)
        record_staff_action(supervisor, "approved", n, summary=f"Approved version 1 of the {channel} draft")
        Delivery.objects.create(
            notification=n,
            channel=channel,
            status=Delivery.Status.FAILED if status == "held" else Delivery.Status.DELIVERED,
            attempts=3,
            provider="sns",
            last_error="Throttling: Rate exceeded for the account's SMS sending quota; retried with backoff",
            sent_at=SENT_AT,
            delivered_at=SENT_AT,
        )
        CustomerAnalysisFactory(customer=customer, job=job, provider="bedrock", urgency="Within 24 hours")
        AICall.objects.create(
            job=job,
            customer=customer,
            provider="bedrock",
            model_id="eu.anthropic.claude-haiku-4-5-20251001-v1:0",
            operation="prioritise",
            input_tokens=18342,
            output_tokens=1412,
            cache_read_tokens=12000,
            cache_write_tokens=1800,
            latency_ms=23101,
            cost_gbp=Decimal("0.021450"),
        )


def test_key_columns_fit_a_1366_pixel_screen(live_server, browser, artifacts):
    supervisor = make_role_user("sam", "Supervisors", is_staff=True)
    _rows(supervisor)
    context = browser.new_context(
        viewport={"width": WIDTH, "height": HEIGHT}, locale="en-GB", timezone_id="Europe/London"
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        page.goto(f"{live_server.url}/admin/login/")
        page.get_by_label("Username").fill("sam")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        expect(page.get_by_role("heading", name="Control room")).to_be_visible()
        page.screenshot(path=str(artifacts / "admin-1366-index.png"))

        off_screen: dict[str, list[str]] = {}
        for path, columns in KEY_COLUMNS.items():
            page.goto(f"{live_server.url}/admin/{path}/")
            expect(page.locator("#result_list tbody tr").first).to_be_visible()
            page.screenshot(path=str(artifacts / f"admin-1366-{path.replace('/', '-')}.png"))
            visible = page.locator("#changelist-form .results").bounding_box()
            right = min(visible["x"] + visible["width"], WIDTH)
            for column in columns:
                box = page.locator(f"#result_list thead th.column-{column}").bounding_box()
                assert box is not None, f"{path}: no column {column}"
                if box["x"] + box["width"] > right + 0.5:
                    off_screen.setdefault(path, []).append(column)
        assert off_screen == {}

        # The filters are still there beside the list, and the times read the UK way.
        page.goto(f"{live_server.url}/admin/queue/notification/?status__exact=sent")
        expect(page.locator("#changelist-filter")).to_be_visible()
        expect(page.locator("#result_list td.field-sent_at").first).to_have_text("30 Nov 2026, 17:45")
        expect(page.locator("#result_list td.field-channel").first).to_have_text(re.compile("^(SMS|Phone)$"))
    finally:
        context.close()
