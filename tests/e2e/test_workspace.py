"""An agent's morning in a real browser: sign in, run an analysis, work the queue, send, see the figures move.

Needs a real Celery worker (the shared `live_worker` fixture) on the same
database as the live server: on SQLite the `worker` mark puts the test
database in a file both processes open.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from notifications.queue.models import Notification
from tests.e2e.conftest import open_card
from tests.factories import make_role_user
from tests.notifications.jobs.test_worker_support import make_customer

pytestmark = [pytest.mark.e2e, pytest.mark.worker, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def stat(page, name: str):
    return page.locator(f'#stats [data-stat="{name}"]')


def test_agent_runs_analysis_works_a_card_and_sends(live_server, live_worker, page, artifacts, sign_in):
    make_role_user("sam", "Supervisors", first_name="Sam", last_name="Super")
    for _ in range(6):
        make_customer(value_seeker=True, channel="Email")
    for _ in range(2):
        make_customer(value_seeker=False)

    sign_in(page, "sam")
    expect(stat(page, "waiting")).to_have_text("0")
    expect(page.locator(".empty")).to_contain_text("No analysis yet")

    # Run analysis (the empty queue offers it): the progress bar polls the job row until the worker
    # finishes, then the queue refreshes.
    page.locator(".empty").get_by_role("button", name="Run analysis").click()
    expect(page.locator("#job-panel")).to_contain_text(re.compile("Analysis running|Last run finished"))
    expect(page.locator("#job-panel")).to_contain_text("Last run finished", timeout=90_000)
    expect(page.locator("#job-panel progress")).to_have_count(0)
    rows = page.locator("li.qrow")
    expect(rows).to_have_count(6)
    expect(stat(page, "waiting")).to_have_text("6")
    waiting_before = 6

    # Filter to High: the URL carries the filter (shareable) and every card is High.
    page.get_by_label("Priority").select_option("High")
    expect(page).to_have_url(re.compile(r"priority=High"))
    high = Notification.objects.filter(priority="High", status="waiting").count()
    assert high > 0, "the offline analyst should rate these customers High"
    expect(rows).to_have_count(high)
    for pill in page.locator("li.qrow .pill").all():
        expect(pill).to_have_text("High")
    page.screenshot(path=str(artifacts / "queue.png"), full_page=True)
    page.set_viewport_size({"width": 820, "height": 1180})  # a tablet in portrait
    page.screenshot(path=str(artifacts / "queue-tablet.png"))
    page.set_viewport_size({"width": 1280, "height": 900})

    # Open the first row, then each section of its card: closed by default, loaded on first open.
    pk = int(rows.first.get_attribute("data-pk"))
    card = open_card(page, pk)
    for title, expected in [
        ("Why this customer, why now", "Contact reason"),
        ("How to approach them", "Resolution steps"),
        ("Customer 360", "Recent interactions"),
    ]:
        section = card.locator("details.section", has=page.locator("summary", has_text=title))
        expect(section).not_to_have_attribute("open", "")
        section.locator("summary").click()
        expect(section.locator(".section__body")).to_contain_text(expected)
    expect(card.locator("details.section").nth(0)).to_contain_text("churn_risk_score")
    expect(card.locator("details.section").nth(2)).to_contain_text("Unhappy that the bill went up again")

    # Claim, edit, autosave.
    card.get_by_role("button", name="Claim to edit").click()
    expect(card).to_contain_text("You are working on this")
    body = card.locator("textarea")
    body.fill("")
    body.press_sequentially("Hello, we would like to help you with your recent bill. Please reply to this email.")
    expect(card.locator(".save-state")).to_contain_text("Saved at", timeout=10_000)
    expect(card.locator(".counter")).to_contain_text("characters")
    saved = Notification.objects.get(pk=pk)
    assert saved.body.startswith("Hello, we would like to help") and saved.version == 2
    assert saved.original_body != saved.body
    # Claiming re-rendered the card with its sections closed: open "why" again for the screenshot.
    card.locator("details.section").nth(0).locator("summary").click()
    expect(card.locator("details.section").nth(0)).to_contain_text("Contact policies")
    card.screenshot(path=str(artifacts / "card-open.png"))
    card.locator("details.section").nth(0).locator("summary").click()
    card.locator("details.section").nth(2).locator("summary").click()
    expect(card.locator("details.section").nth(2)).to_contain_text("Notification history")
    card.screenshot(path=str(artifacts / "card-360.png"))

    # Send: the confirmation shows exactly what will go; then the card says what was sent, when and by whom.
    card.get_by_role("link", name="Send…").click()
    confirm = card.locator(".confirm")
    expect(confirm).to_contain_text("will go by Email")
    expect(confirm).to_contain_text("Hello, we would like to help you with your recent bill.")
    page.screenshot(path=str(artifacts / "send-confirm.png"), full_page=False)
    confirm.get_by_role("button", name="Send now by Email").click()
    expect(card).to_contain_text("Sent by Email")
    expect(card).to_contain_text("by Sam Super")

    # The header figures follow without a reload.
    expect(stat(page, "sent-today")).to_have_text("1")
    expect(stat(page, "my-sent-today")).to_have_text("1")
    expect(stat(page, "waiting")).to_have_text(str(waiting_before - 1))
    assert Notification.objects.get(pk=pk).status == "sent"

    # Back button: the unfiltered queue again.
    page.go_back()
    expect(page).not_to_have_url(re.compile(r"priority=High"))
    expect(page.get_by_label("Priority")).to_have_value("")
    assert not page.js_errors, page.js_errors
