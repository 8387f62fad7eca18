"""A phone item is a call task: the number, the script as steps, Start call, the outcome. Never "sent"."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from customers.models import CustomerContact
from notifications.queue.models import Delivery, Notification, NotificationEvent
from tests.factories import AccountActivityFactory, NotificationFactory

HX = {"HX-Request": "true"}
SCRIPT = (
    "Call script: open bill query (service call - no offers)\n"
    "- Ask to speak to Morag MacLeod.\n"
    "- \"I'm calling about the bill query you raised. I'm sorry it's taken this long.\"\n"
    "- Close: send a written summary."
)


def call(agent=None, **kwargs) -> Notification:
    claim = {"claimed_by": agent, "claimed_at": timezone.now()} if agent else {}
    kwargs.setdefault("customer__name", "Morag MacLeod")  # the name the script asks for
    n = NotificationFactory(
        channel="Phone", subject="", original_subject="", body=SCRIPT, original_body=SCRIPT, **claim, **kwargs
    )
    AccountActivityFactory(customer=n.customer, account_status="Active")
    return n


def card(client, n) -> str:
    return client.get(reverse("notifications:card", args=[n.pk]), headers=HX).content.decode()


def start(client, n):
    return client.post(reverse("notifications:send", args=[n.pk]), {"version": n.version}, headers=HX)


def record(client, n, **data):
    return client.post(reverse("delivery:call_outcome", args=[n.pk]), data, headers=HX)


def test_the_card_shows_the_number_and_the_script_as_steps(agent_client):
    n = call()
    CustomerContact.objects.create(customer=n.customer, phone="+447700900123")
    html = card(agent_client, n)
    assert 'href="tel:+447700900123">+447700900123</a>' in html and "demo number" not in html
    assert '<p class="call__title">Call script: open bill query (service call - no offers)</p>' in html
    steps = [
        "Ask to speak to Morag MacLeod.",
        "&quot;I&#x27;m calling about the bill query you raised. I&#x27;m sorry it&#x27;s taken this long.&quot;",
        "Close: send a written summary.",
    ]
    for step in steps:
        assert f'<input type="checkbox" name="step"> <span>{step}</span>' in html
    assert "Claim this call" in html and "Send" not in html.replace("send a written", "")


def test_without_a_stored_contact_the_demo_number_is_shown_and_nothing_is_written(agent_client):
    n = call()
    html = card(agent_client, n)
    assert f"+447700900{n.customer.pk % 1000:03d}" in html and "demo number" in html
    assert not CustomerContact.objects.exists()  # reading a card never writes


def test_start_call_is_a_call_in_progress_not_a_send(agent_client, agent):
    n = call(agent)
    assert "Start call…" in card(agent_client, n)
    confirm = agent_client.get(reverse("notifications:send_confirm", args=[n.pk]), headers=HX).content.decode()
    assert "Check before calling" in confirm and "Start the call</button>" in confirm and "Send now" not in confirm
    response = start(agent_client, n)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Call started: ring the number above, then record how it went." in html
    assert "Record the call</button>" in html and 'name="follow_up"' in html
    assert "Sent by" not in html and ">Call in progress</span>" in html  # the card and its row line
    assert Delivery.objects.get(notification=n).status == "call_task"


def test_recording_the_outcome_with_a_follow_up_puts_the_call_back_in_the_queue(agent_client, agent):
    n = call(agent)
    assert start(agent_client, n).status_code == 200
    follow_up = timezone.localdate() + dt.timedelta(days=2)
    response = record(
        agent_client, n, outcome="no_answer", note="Rang twice, no answer.", follow_up=follow_up.isoformat()
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<strong>No answer</strong>: call recorded" in html and "Note: Rang twice, no answer." in html
    assert f"Follow-up call scheduled for <strong>{follow_up:%A %-d %B}</strong>" in html
    assert "Sent" not in html and "Call: no answer · follow-up" in html
    d = Delivery.objects.get(notification=n)
    assert (d.status, d.call_outcome, d.call_follow_up, d.delivered_at) == ("called", "no_answer", follow_up, None)
    again = Notification.objects.get(customer=n.customer, status="snoozed")
    assert (again.channel, again.body, again.priority) == ("Phone", SCRIPT, "High")
    assert timezone.localtime(again.snoozed_until) == timezone.make_aware(dt.datetime.combine(follow_up, dt.time(9)))
    assert NotificationEvent.objects.get(notification=again).source == "call_follow_up"


@pytest.mark.parametrize(
    ("follow_up", "message"),
    [
        (dt.date(2020, 1, 1), "must be on a later day than today"),
        ("not-a-date", "a valid follow-up date"),
    ],
)
def test_a_follow_up_date_must_be_a_later_day(agent_client, agent, follow_up, message):
    n = call(agent)
    start(agent_client, n)
    response = record(agent_client, n, outcome="reached", follow_up=str(follow_up))
    assert response.status_code == 422 and message in response.content.decode()
    assert Delivery.objects.get(notification=n).status == "call_task"


def test_a_follow_up_for_a_customer_already_in_the_queue_keeps_the_date_only(agent_client, agent):
    n = call(agent)
    start(agent_client, n)
    NotificationFactory(customer=n.customer)  # a newer analysis queued them again
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    assert record(agent_client, n, outcome="voicemail", follow_up=tomorrow.isoformat()).status_code == 200
    assert Delivery.objects.get(notification=n).call_follow_up == tomorrow
    assert Notification.objects.filter(customer=n.customer, status="snoozed").count() == 0


def test_calls_to_record_is_a_view_of_its_own(agent_client, agent):
    n = call(agent, customer__customer_id="CUST000777")
    assert start(agent_client, n).status_code == 200
    html = agent_client.get(reverse("notifications:queue"), {"status": "calls"}).content.decode()
    assert "CUST000777" in html and ">Call in progress</span>" in html
    record(agent_client, n, outcome="reached")
    html = agent_client.get(reverse("notifications:queue"), {"status": "calls"}).content.decode()
    assert "CUST000777" not in html and "No calls waiting for an outcome" in html


def test_only_the_caller_or_a_supervisor_records_how_a_call_went(agent_client, agent, client):
    from tests.factories import make_role_user

    n = call(agent)
    assert start(agent_client, n).status_code == 200
    colleague = make_role_user("bea", "Agents", first_name="Bea", last_name="Brown")
    client.force_login(colleague)
    html = card(client, n)
    assert "Record the call</button>" not in html
    assert "by Alex Agent, who records how it went." in html
    refused = record(client, n, outcome="reached", note="Not my call")
    assert refused.status_code == 403
    assert "Alex Agent started this call: only they, or a supervisor, can record how it went." in (
        refused.content.decode().replace("&#x27;", "'")
    )
    assert Delivery.objects.get(notification=n).status == "call_task"

    supervisor = make_role_user("sue", "Supervisors", first_name="Sue", last_name="Super")
    client.force_login(supervisor)
    assert "Record the call</button>" in card(client, n)
    assert record(client, n, outcome="voicemail", note="Recorded for Alex").status_code == 200
    d = Delivery.objects.get(notification=n)
    assert (d.status, d.call_outcome, d.called_by) == ("called", "voicemail", supervisor)
