"""The compact queue in a real browser: cards that follow their message, a colleague's claim appearing,
keyboard-only triage, a call recorded end to end, and request → approve → send.

No worker: the delivery task's message is kept (`enqueued`) and the test runs the attempt itself, which is
what a worker would do; the page must show the outcome without a reload.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from notifications.contact_rules.models import ContactPolicy
from notifications.delivery.backends.base import TransientDeliveryError
from notifications.delivery.services import delivery as delivery_service
from notifications.delivery.services.delivery import attempt_delivery
from notifications.queue.models import ApprovalPolicy, Delivery, Notification
from notifications.queue.services import claims
from tests.e2e.conftest import open_card
from tests.factories import AccountActivityFactory, NotificationFactory, make_role_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
LIVE = 15_000  # ms: the page polls every 3 s; a settled card must show within a few polls


def draft(**kwargs) -> Notification:
    """A draft for an active customer the contact policies allow."""
    n = NotificationFactory(**kwargs)
    AccountActivityFactory(customer=n.customer, account_status="Active")
    return n


def mark_page(page) -> None:
    """A flag a reload would wipe: the test checks it is still there at the end."""
    page.evaluate("window.__notReloaded = true")


def not_reloaded(page) -> bool:
    return page.evaluate("window.__notReloaded === true")


def send_by_email(page, n: Notification):
    """Claim, Send…, Send now: the card says "Sending…" (the page is marked to prove no reload later)."""
    mark_page(page)
    card = open_card(page, n.pk)
    card.get_by_role("button", name="Claim to edit").click()
    card.get_by_role("link", name="Send…").click()
    card.get_by_role("button", name="Send now by Email").click()
    expect(card.locator(".delivery")).to_contain_text("Sending…")
    return card


def focused_id(page) -> str:
    return page.evaluate("document.activeElement ? document.activeElement.id || document.activeElement.tagName : ''")


def test_a_sent_email_settles_to_delivered_without_a_reload(live_server, page, enqueued, sign_in, artifacts):
    make_role_user("alex", "Agents", first_name="Alex", last_name="Agent")
    n = draft(customer__name="Morag MacLeod")
    sign_in(page, "alex")
    send_by_email(page, n)
    expect(page.locator(f"#line-{n.pk} .qrow__state")).to_have_text("Sending…")

    assert attempt_delivery(enqueued[0]) == "delivered"  # what the worker does with the task's message

    expect(page.locator(f"#card-{n.pk} .delivery")).to_contain_text("Delivered", timeout=LIVE)
    expect(page.locator(f"#line-{n.pk} .qrow__state")).to_have_text("Delivered")
    assert not_reloaded(page) and not page.js_errors, page.js_errors


def test_an_sms_in_quiet_hours_settles_to_held_until(live_server, page, enqueued, sign_in):
    make_role_user("alex", "Agents")
    now = timezone.localtime()
    end = (now + dt.timedelta(hours=2)).replace(second=0, microsecond=0)
    ContactPolicy.objects.update_or_create(
        rule="quiet_hours",
        defaults={
            "enabled": True,
            "parameters": {
                "start": f"{now - dt.timedelta(hours=1):%H:%M}",
                "end": f"{end:%H:%M}",
                "channels": ["SMS", "App Push"],
                "timezone": "Europe/London",
            },
        },
    )
    n = draft(channel="SMS", subject="", original_subject="")
    sign_in(page, "alex")
    mark_page(page)
    card = open_card(page, n.pk)
    card.get_by_role("button", name="Claim to edit").click()
    card.get_by_role("link", name="Send…").click()
    expect(card.locator(".confirm")).to_contain_text(f"until {end:%H:%M}")  # held, not refused
    card.get_by_role("button", name="Send now by SMS").click()
    expect(card.locator(".delivery")).to_contain_text("Sending…")

    assert attempt_delivery(enqueued[0]) == "held"

    expect(page.locator(f"#card-{n.pk} .delivery")).to_contain_text(f"Held until {end:%H:%M}", timeout=LIVE)
    expect(page.locator(f"#line-{n.pk} .qrow__state")).to_have_text(f"Held until {end:%H:%M} (quiet hours)")
    assert Delivery.objects.get(notification=n).status == "held"
    assert not_reloaded(page) and not page.js_errors, page.js_errors


def test_a_failed_send_settles_to_failed_with_the_reason_and_can_be_retried(
    live_server, page, enqueued, sign_in, monkeypatch
):
    make_role_user("alex", "Agents")
    n = draft()
    sign_in(page, "alex")
    send_by_email(page, n)

    class Unavailable:  # the provider, down for longer than the worker's retries
        confirms_delivery = False

        def send(self, message):
            raise TransientDeliveryError("SMTP 451: mail server temporarily unavailable", code="smtp_451")

    monkeypatch.setattr(delivery_service, "get_backend", lambda channel: Unavailable())
    assert attempt_delivery(enqueued[0], final_attempt=True) == "failed"

    reason = "SMTP 451: mail server temporarily unavailable"
    expect(page.locator(f"#card-{n.pk} .delivery")).to_contain_text(f"Failed after 1 attempt: {reason}", timeout=LIVE)
    expect(page.locator(f"#line-{n.pk} .qrow__state")).to_have_text(f"Failed: {reason}")
    assert not_reloaded(page)
    page.locator(f"#card-{n.pk}").get_by_role("button", name="Retry send").click()
    expect(page.locator(f"#card-{n.pk} .delivery")).to_contain_text("Sending…")
    expect(page.locator(f"#line-{n.pk} .qrow__state")).to_have_text("Sending…")
    assert enqueued == [enqueued[0], enqueued[0]]  # the same delivery, handed to the worker again
    assert not [e for e in page.js_errors if "409" not in e], page.js_errors


def test_a_colleagues_claim_appears_within_seconds(live_server, page, sign_in):
    make_role_user("alex", "Agents")
    bea = make_role_user("bea", "Agents", first_name="Bea", last_name="Brown")
    n = draft()
    sign_in(page, "alex")
    mark_page(page)
    state = page.locator(f"#line-{n.pk} .qrow__state")
    expect(state).to_have_text("Free")
    claims.claim(n, user=bea)  # in another browser, in reality
    expect(state).to_have_text("Claimed by Bea Brown", timeout=LIVE)
    assert not_reloaded(page)


def test_keyboard_only_triage_of_three_cards(live_server, page, enqueued, sign_in, artifacts):
    alex = make_role_user("alex", "Agents", first_name="Alex", last_name="Agent")
    first, second, third = (draft(risk_score=score) for score in (9, 8, 7))
    sign_in(page, "alex")

    page.keyboard.press("j")
    assert focused_id(page) == f"open-{first.pk}"
    page.keyboard.press("c")  # claim the first; the focus stays on its row
    expect(page.locator(f"#line-{first.pk} .qrow__state")).to_have_text(re.compile("^Yours until"))
    expect(page.locator(f"#open-{first.pk}")).to_be_focused()

    page.keyboard.press("j")
    expect(page.locator(f"#open-{second.pk}")).to_be_focused()
    page.keyboard.press("d")  # dismiss: the reasons load, the first has the focus
    expect(page.locator(f"#card-{second.pk} input[name=reason]").first).to_be_focused()
    page.keyboard.press("Space")
    page.keyboard.press("Tab")  # the note
    page.keyboard.type("Spoke to them yesterday")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.locator(f"#line-{second.pk} .qrow__state")).to_have_text("Dismissed: already contacted")
    expect(page.locator(f"#open-{second.pk}")).to_be_focused()

    page.keyboard.press("j")
    page.keyboard.press("e")  # edit: claims it and puts the cursor in the message
    body = page.locator(f"#body-{third.pk}")
    expect(body).to_be_focused()
    page.keyboard.press("Control+a")
    page.keyboard.type("Hello, we would like to help you with your recent bill. Please reply to this email.")
    expect(page.locator(f"#card-{third.pk} .save-state")).to_contain_text("Saved at", timeout=10_000)
    page.keyboard.press("Escape")
    expect(page.locator(f"#open-{third.pk}")).to_be_focused()
    page.keyboard.press("s")  # the checks first, with the focus on the send button
    send = page.locator(f"#card-{third.pk}").get_by_role("button", name="Send now by Email")
    expect(send).to_be_focused()
    page.screenshot(path=str(artifacts / "keyboard-triage.png"))
    page.keyboard.press("Enter")
    expect(page.locator(f"#card-{third.pk}")).to_contain_text("Sent by Email")
    expect(page.locator(f"#open-{third.pk}")).to_be_focused()
    assert len(enqueued) == 1  # one delivery task for the one message sent

    page.keyboard.press("?")
    expect(page.locator("#keys-help")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.locator("#keys-help")).to_be_hidden()
    expect(page.locator(f"#open-{third.pk}")).to_be_focused()

    states = {n.pk: n for n in Notification.objects.filter(pk__in=[first.pk, second.pk, third.pk])}
    assert states[first.pk].claimed_by == alex
    assert (states[second.pk].status, states[second.pk].dismiss_note) == ("dismissed", "Spoke to them yesterday")
    assert states[third.pk].status == "sent" and states[third.pk].body.startswith("Hello, we would like to help")
    assert not page.js_errors, page.js_errors


def test_moving_on_before_a_claim_by_key_answers_keeps_the_focus_where_the_agent_is(live_server, page, sign_in):
    make_role_user("alex", "Agents")
    first, second = (draft(risk_score=score) for score in (9, 8))
    sign_in(page, "alex")
    page.keyboard.press("j")
    page.keyboard.press("c")
    expect(page.locator(f"#card-{first.pk}")).to_be_attached()  # the card is open, the claim on its way
    page.keyboard.press("j")  # before the claim has answered: the agent triages on
    expect(page.locator(f"#line-{first.pk} .qrow__state")).to_have_text(re.compile("^Yours until"))
    page.wait_for_timeout(500)  # the card has settled: nothing (the editor's autofocus) may pull the focus back
    expect(page.locator(f"#open-{second.pk}")).to_be_focused()
    expect(page.locator(f"#body-{first.pk}")).not_to_be_focused()
    assert not page.js_errors, page.js_errors


def test_a_call_recorded_end_to_end(live_server, page, sign_in, artifacts):
    make_role_user("alex", "Agents", first_name="Alex", last_name="Agent")
    script = (
        "Call script: open bill query (service call - no offers)\n"
        "- Ask to speak to Morag MacLeod.\n"
        "- Give your name and say you're calling from the Customer Care team.\n"
        "- Close: thank them, and check how they'd like to be kept updated."
    )
    n = draft(customer__name="Morag MacLeod", channel="Phone", subject="", original_subject="", body=script)
    sign_in(page, "alex")
    card = open_card(page, n.pk)
    expect(card.locator(".call__tel")).to_have_text(re.compile(r"^\+447700900\d{3}$"))
    expect(card.locator(".checklist li")).to_have_count(3)
    card.get_by_role("button", name="Claim this call").click()
    card.get_by_role("link", name="Start call…").click()
    expect(card.locator(".confirm")).to_contain_text("Check before calling")
    card.get_by_role("button", name="Start the call").click()
    expect(card).to_contain_text("Call started: ring the number above")
    expect(page.locator(f"#line-{n.pk} .qrow__state")).to_have_text("Call in progress")
    card.locator(".checklist input").first.check()
    card.get_by_label("Reached").check()
    card.get_by_label(re.compile("^Note")).fill("Agreed a payment plan; they want a call next week.")
    follow_up = timezone.localdate() + dt.timedelta(days=7)
    card.get_by_label(re.compile("^Follow-up call")).fill(follow_up.isoformat())
    card.screenshot(path=str(artifacts / "call-outcome.png"))
    card.get_by_role("button", name="Record the call").click()
    expect(card.locator(".call__done")).to_contain_text("Reached: call recorded")
    expect(card.locator(".call__done")).to_contain_text(f"Follow-up call scheduled for {follow_up:%A %-d %B}")
    expect(page.locator(f"#line-{n.pk} .qrow__state")).to_have_text(f"Call: reached · follow-up {follow_up:%-d %b}")
    expect(card).not_to_contain_text("Sent")
    expect(card).not_to_contain_text("sent")
    expect(page.locator(f"#line-{n.pk}")).not_to_contain_text("Sent")
    card.screenshot(path=str(artifacts / "call-recorded.png"))
    d = Delivery.objects.get(notification=n)
    assert (d.status, d.call_outcome, d.call_follow_up) == ("called", "reached", follow_up)
    assert Notification.objects.filter(customer=n.customer, status="snoozed").exists()
    assert not page.js_errors, page.js_errors


def test_request_send_back_approve_send(live_server, page, browser, enqueued, sign_in, artifacts):
    make_role_user("alex", "Agents", first_name="Alex", last_name="Agent")
    make_role_user("sue", "Supervisors", first_name="Sue", last_name="Super")
    ApprovalPolicy(high_priority=True).save()
    n = draft(customer__name="Morag MacLeod", priority="High", body="Hello Morag, about your recent bill.")
    sign_in(page, "alex")
    mark_page(page)
    line = page.locator(f"#line-{n.pk}")

    # Before any edit the agent sees that a supervisor must approve it, and there is no Send.
    expect(line.locator(".tag")).to_have_text("Needs approval")
    card = open_card(page, n.pk)
    expect(card.locator(".approval")).to_contain_text("Needs a supervisor's approval before it goes")
    card.get_by_role("button", name="Claim to edit").click()
    expect(card.get_by_role("button", name="Request approval")).to_be_visible()
    expect(card.get_by_role("link", name="Send…")).to_have_count(0)
    body = card.get_by_label(re.compile("^Message"))
    body.fill("Hello Morag, we will refund £480 to your account.")
    body.press_sequentially(" ")
    expect(card.locator(".save-state")).to_contain_text("Saved at", timeout=10_000)
    card.get_by_role("button", name="Request approval").click()
    expect(card.locator(".approval")).to_contain_text("Approval requested")
    expect(line.locator(".tag")).to_have_text("Approval requested")

    # The supervisor: the pending count, the list, the checks on the text; an amount the data does not
    # hold cannot be approved, so it goes back with a note in one click.
    supervisor = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    sue = supervisor.new_page()
    sign_in(sue, "sue")
    expect(sue.locator('[data-stat="awaiting-approval"]')).to_have_text("1")
    sue.get_by_role("link", name="Approvals").first.click()
    item = sue.locator(f"#appr-{n.pk}")
    expect(item).to_contain_text("Asked by Alex Agent")
    blocking = "Blocks sending This money is not in the customer's data. £480"
    expect(item.locator(".warning--blocking")).to_have_text(blocking)
    item.get_by_role("button", name="Approve").click()
    expect(item.get_by_role("alert")).to_contain_text("Not approved: the draft cannot be sent as it is")
    item.get_by_label(re.compile("^Note to the agent")).fill("No refund is due: take the amount out")
    item.get_by_role("button", name="Send back").click()
    expect(item).to_contain_text("Sent back to Alex Agent with your note.")

    # The agent's card and line follow without a reload.
    expect(card.locator(".approval")).to_contain_text("“No refund is due: take the amount out”", timeout=LIVE)
    expect(card.locator(".approval")).to_contain_text("Sent back by Sue Super")
    expect(line.locator(".tag")).to_have_text("Sent back")
    body.fill("Hello Morag, we would like to help you with your recent bill. Please reply to this email.")
    body.press_sequentially(" ")
    expect(card.locator(".save-state")).to_contain_text("Saved at", timeout=10_000)
    card.get_by_role("button", name="Request approval").click()
    expect(card.locator(".approval")).to_contain_text("Approval requested")

    # Read, corrected and approved in one click.
    sue.reload()
    item = sue.locator(f"#appr-{n.pk}")
    expect(item.locator(".warning")).to_have_count(0)
    item.get_by_label(re.compile("^Message")).fill(
        "Hello Morag, we would like to help you with your recent bill. Please reply to this email or call us."
    )
    item.get_by_label(re.compile("^Note to the agent")).fill("Added the phone option")
    sue.screenshot(path=str(artifacts / "approvals-list.png"))
    item.get_by_role("button", name="Approve").click()
    expect(item).to_contain_text("Approved version 4: Alex Agent can send it now.")
    sue.get_by_role("link", name="← Back to the queue").click()
    expect(sue.locator('[data-stat="awaiting-approval"]')).to_have_text("0")
    supervisor.close()

    # The agent's card follows without a reload, with the supervisor's text, and it can be sent.
    expect(card.locator(".approval")).to_contain_text("Approved by Sue Super", timeout=LIVE)
    expect(card.locator(".approval")).to_contain_text("“Added the phone option”")
    expect(line.locator(".tag")).to_have_text("Approved")
    expect(card.get_by_label(re.compile("^Message"))).to_have_value(re.compile("or call us.$"))
    card.get_by_role("link", name="Send…").click()
    expect(card.locator(".confirm .policy--pass", has_text="Approval")).to_contain_text("version 4")
    card.get_by_role("button", name="Send now by Email").click()
    expect(card).to_contain_text("Sent by Email")
    assert Notification.objects.get(pk=n.pk).status == "sent" and len(enqueued) == 1
    kinds = list(Notification.objects.get(pk=n.pk).events.order_by("pk").values_list("kind", flat=True))
    assert kinds == [
        "edited",
        "approval_asked",
        "sent_back",
        "edited",
        "approval_asked",
        "edited",
        "approved",
        "send_requested",
    ]
    assert not_reloaded(page) and not page.js_errors, page.js_errors


def test_the_empty_queue_tells_each_role_what_to_do(live_server, page, browser, sign_in):
    make_role_user("alex", "Agents")
    make_role_user("sue", "Supervisors")
    sign_in(page, "alex")
    empty = page.locator(".empty")
    expect(empty).to_contain_text("No analysis yet — ask a supervisor to run one.")
    expect(empty.get_by_role("button", name="Run analysis")).to_have_count(0)  # agents may not start one
    page.keyboard.press("?")  # the help works on an empty page too
    expect(page.locator("#keys-help")).to_be_visible()

    supervisor = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    sue = supervisor.new_page()
    sign_in(sue, "sue")
    empty = sue.locator(".empty")
    expect(empty.get_by_role("heading")).to_have_text("No analysis yet")
    expect(empty).not_to_contain_text("ask a supervisor")
    expect(empty.get_by_role("button", name="Run analysis")).to_be_visible()  # pressed in test_workspace.py
    supervisor.close()
