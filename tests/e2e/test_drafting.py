"""The draft editor in a real browser (live count, inline checks, a colleague's edit refused),
and reading a card with JavaScript switched off. No worker needed: the data is made here."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from notifications.queue.models import Notification
from tests.e2e.conftest import open_card
from tests.factories import AccountActivityFactory, NotificationFactory, make_role_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_sms_draft_counts_live_flags_american_spelling_and_refuses_a_stale_save(live_server, page, artifacts, sign_in):
    agent = make_role_user("alex", "Agents", first_name="Alex", last_name="Agent")
    colleague = make_role_user("bea", "Supervisors", first_name="Bea", last_name="Brown")
    n = NotificationFactory(
        customer__name="Morag MacLeod", channel="SMS", original_subject="", subject="", body="Hello Morag."
    )
    AccountActivityFactory(customer=n.customer)
    sign_in(page, "alex")
    card = open_card(page, n.pk)
    card.get_by_role("button", name="Claim to edit").click()
    body = card.get_by_label("Message (SMS)")
    body.fill("")
    body.press_sequentially("Hi Morag, we can help you organize your bill €")
    # The browser's count moves with each key (the euro sign costs two GSM-7 units) …
    expect(card.locator(".counter")).to_have_text(re.compile(r"^47 characters · 1 SMS segment \(GSM-7"))
    # … and the server's autosave confirms it and adds the checks.
    expect(card.locator(".save-state")).to_contain_text("Saved at")
    expect(card.locator(".warnings")).to_contain_text("American spelling: use 'organise'")
    assert Notification.objects.get(pk=n.pk).body.endswith("€")
    card.screenshot(path=str(artifacts / "card-draft-warnings.png"))

    # A colleague saves meanwhile (e.g. a supervisor fixing it); the agent's next save is refused, not merged.
    Notification.objects.filter(pk=n.pk).update(
        version=n.version + 5, edited_by=colleague, edited_at=timezone.now(), body="Bea's version"
    )
    body.press_sequentially(" Thanks")
    expect(card.locator(".save-state")).to_contain_text("Not saved: Bea Brown changed this draft")
    assert Notification.objects.get(pk=n.pk).body == "Bea's version"
    card.get_by_role("button", name="Reload the card").click()
    expect(card.get_by_label("Message (SMS)")).to_have_value("Bea's version")
    assert agent.pk == Notification.objects.get(pk=n.pk).claimed_by_id


def test_cards_are_readable_without_javascript(live_server, browser, artifacts, sign_in):
    make_role_user("alex", "Agents")
    n = NotificationFactory(customer__name="<script>alert('x')</script> Flora Kerr")
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1024, "height": 900})
    page = context.new_page()
    sign_in(page, "alex")
    expect(page.locator(".qrow__name")).to_have_text("<script>alert('x')</script> Flora Kerr")  # as text
    page.locator(f"#open-{n.pk}").click()  # without JavaScript the row's link is the card's own page
    expect(page).to_have_url(re.compile(rf"/cards/{n.pk}/$"))
    expect(page.locator("article.card")).to_contain_text("Claim to edit")
    expect(page.locator("#why")).to_contain_text("High churn risk after repeated billing complaints.")
    expect(page.locator("#approach")).to_contain_text("Brief and factual.")
    expect(page.locator("#c360")).to_contain_text("Customer since")
    page.screenshot(path=str(artifacts / "card-page-no-js.png"), full_page=True)
    context.close()
