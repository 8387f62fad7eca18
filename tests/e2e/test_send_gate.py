"""Send is a gate, in a real browser: the confirm panel lists the check that fails, and the server refuses
the send even when the button is forced (a stale panel, a second tab, a hand-made request).

No worker: the delivery task's message is kept (`enqueued`), so "nothing was sent" is exact.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from notifications.queue.models import Notification
from tests.e2e.conftest import open_card
from tests.factories import AccountActivityFactory, NotificationFactory, make_role_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

# Plain GSM-7 text (no style warning) over the two-segment limit: 7 + 38 × 9 = 349 characters > 306.
TOO_LONG_SMS = "Hello, " + "please call us about your bill today. " * 9
AMOUNT = "We will refund £123.45 to your account this week."
STYLE = "We would like to help you organize your payments."


def claimed_card(page, n: Notification):
    card = open_card(page, n.pk)
    card.get_by_role("button", name=re.compile("^Claim")).click()
    expect(card).to_contain_text("You are working on this")
    return card


def type_and_save(card, box, text: str) -> None:
    box.fill(text)
    box.press("End")
    box.press_sequentially(" ")  # a real key, so the autosave's input trigger fires
    expect(card.locator(".save-state")).to_contain_text("Saved at", timeout=10_000)


def force_send(page, pk: int, *, acknowledge: bool = False):
    """What a stale panel or a crafted request would do: press Send although the page says no.

    Returns the server's refusal on the re-rendered card (the confirm panel, with its own alert, is gone).
    """
    page.evaluate(
        """([pk, acknowledge]) => {
            const form = document.querySelector(`#card-${pk} .confirm__actions`);
            form.querySelector("button[type=submit]").disabled = false;
            const ack = form.querySelector("input[name=acknowledged_style]");
            if (ack) { ack.required = false; ack.checked = acknowledge; }
        }""",
        [pk, acknowledge],
    )
    page.locator(f"#card-{pk} .confirm__actions button[type=submit]").click()
    card = page.locator(f"#card-{pk}")
    expect(card.locator(".confirm")).to_have_count(0)
    refusal = card.get_by_role("alert")
    expect(refusal).to_contain_text("Not sent:")
    return refusal


def test_a_too_long_sms_is_listed_on_the_confirm_panel_and_refused_at_send(live_server, page, enqueued, sign_in):
    make_role_user("alex", "Agents", first_name="Alex", last_name="Agent")
    n = NotificationFactory(channel="SMS", subject="", original_subject="", body="Hello, about your bill.")
    AccountActivityFactory(customer=n.customer, account_status="Active")
    sign_in(page, "alex")
    card = claimed_card(page, n)
    type_and_save(card, card.get_by_label("Message (SMS)"), TOO_LONG_SMS)
    expect(card.locator(".counter")).to_have_text("350 characters · 3 SMS segments (GSM-7; limit 306) — too long")

    card.get_by_role("link", name="Send…").click()
    confirm = card.locator(".confirm")
    failing = confirm.locator(".policy--fail")
    expect(failing).to_have_count(1)
    expect(failing).to_have_text(
        "Failed Channel: Too long for SMS: 350 GSM-7 characters make 3 segments; "
        "the limit is 2 segments (306 characters)."
    )
    expect(confirm.get_by_role("alert")).to_contain_text("It cannot be sent yet")
    expect(confirm.get_by_role("button", name="Send now by SMS")).to_be_disabled()

    refusal = force_send(page, n.pk)
    expect(refusal).to_contain_text("Too long for SMS: 350 GSM-7 characters make 3 segments")
    expect(page.locator(f"#line-{n.pk} .qrow__state")).to_have_text(re.compile("^Yours until"))
    saved = Notification.objects.get(pk=n.pk)
    assert (saved.status, enqueued) == ("waiting", [])
    assert not saved.events.filter(kind="send_requested").exists()


def test_an_invented_amount_blocks_until_fixed_and_a_style_warning_needs_an_acknowledgement(
    live_server, page, browser, enqueued, sign_in
):
    make_role_user("alex", "Agents", first_name="Alex", last_name="Agent")
    make_role_user("sue", "Supervisors", first_name="Sue", last_name="Super")
    n = NotificationFactory(customer__name="Morag MacLeod", body="Hello Morag, about your bill.")
    AccountActivityFactory(customer=n.customer, account_status="Active")
    sign_in(page, "alex")
    card = claimed_card(page, n)
    body = card.get_by_label("Message")

    # A £ amount the customer's data does not hold: flagged as typed, listed as failing, refused at send.
    type_and_save(card, body, f"Hello Morag. {AMOUNT} The Customer Care team")
    expect(card.locator(".warnings")).to_contain_text("This money is not in the customer's data. £123.45")
    card.get_by_role("link", name="Send…").click()
    confirm = card.locator(".confirm")
    expect(confirm.locator(".policy--fail")).to_have_text(
        "Failed Draft check: Fix the draft first: This money is not in the customer's data. (“£123.45”)"
    )
    expect(confirm.get_by_role("button", name="Send now by Email")).to_be_disabled()
    expect(confirm.locator(".confirm__ack")).to_have_count(0)  # nothing to acknowledge away: it must be fixed
    refusal = force_send(page, n.pk, acknowledge=True)
    expect(refusal).to_contain_text("Fix the draft first: This money is not in the customer's data.")
    assert (Notification.objects.get(pk=n.pk).status, enqueued) == ("waiting", [])

    # Fixed, but with American spelling: a style warning, sendable once the agent says they have read it.
    type_and_save(card, body, f"Hello Morag. {STYLE} The Customer Care team")
    card.get_by_role("link", name="Send…").click()
    expect(confirm.locator(".policy--fail")).to_have_count(0)
    warning = "Check Style: American spelling: use 'organise'. (“organize”)"
    expect(confirm.locator(".policy--warn")).to_have_text(warning)
    send = confirm.get_by_role("button", name="Send now by Email")
    expect(send).to_be_enabled()
    send.click()  # the box is not ticked: the browser does not submit
    expect(confirm.get_by_label(re.compile("I have read the style warnings"))).to_be_focused()
    refusal = force_send(page, n.pk, acknowledge=False)  # and the server refuses it unticked
    expect(refusal).to_contain_text("Confirm you have read the style warnings")
    assert (Notification.objects.get(pk=n.pk).status, enqueued) == ("waiting", [])

    card.get_by_role("link", name="Send…").click()
    confirm.get_by_label(re.compile("I have read the style warnings")).check()
    confirm.get_by_role("button", name="Send now by Email").click()
    expect(card).to_contain_text("Sent by Email")
    assert Notification.objects.get(pk=n.pk).status == "sent" and len(enqueued) == 1
    requested = Notification.objects.get(pk=n.pk).events.get(kind="send_requested")
    assert requested.metadata["acknowledged_warnings"] == ["American spelling: use 'organise'. (“organize”)"]

    # A supervisor reading the draft's page sees that the agent sent it over a style warning.
    supervisor = browser.new_context(viewport={"width": 1366, "height": 900}, locale="en-GB")
    sue = supervisor.new_page()
    sign_in(sue, "sue")
    sue.goto(f"{live_server.url}/admin/queue/notification/{n.pk}/change/")
    expect(sue.locator(".field-audit_trail")).to_contain_text(
        "Sent by Alex Agent on Email (edited); style warnings acknowledged: American spelling: use 'organise'."
    )
    supervisor.close()


def test_an_empty_message_is_refused_when_saved_with_the_reason_beside_it(live_server, page, sign_in):
    make_role_user("alex", "Agents")
    n = NotificationFactory(body="Hello, about your bill.")
    sign_in(page, "alex")
    card = claimed_card(page, n)
    body = card.get_by_label("Message")
    body.fill("  ")
    body.press("End")
    body.press_sequentially(" ")
    expect(card.locator(".save-state")).to_have_text("The message body is empty.", timeout=10_000)
    expect(card.get_by_role("button", name="Reload the card")).to_be_visible()
    saved = Notification.objects.get(pk=n.pk)
    assert (saved.body, saved.version) == ("Hello, about your bill.", 1)  # nothing saved
