"""Approvals in the flow: the agent sees the need before editing and asks; a supervisor decides in one click."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from notifications.queue.models import Approval, ApprovalPolicy, Notification, NotificationEvent
from notifications.staff.models import AuditEvent
from tests.factories import AccountActivityFactory, NotificationFactory, make_role_user

HX = {"HX-Request": "true"}
APPROVALS = reverse("notifications:approvals")


@pytest.fixture
def sue(db):
    return make_role_user("sue", "Supervisors", first_name="Sue", last_name="Super")


@pytest.fixture
def policy(db):
    ApprovalPolicy(high_priority=True).save()


def held_by(agent, priority="High", **kwargs) -> Notification:
    n = NotificationFactory(priority=priority, claimed_by=agent, claimed_at=timezone.now(), **kwargs)
    AccountActivityFactory(customer=n.customer, account_status="Active")
    return n


def card(client, n) -> str:
    return client.get(reverse("notifications:card", args=[n.pk]), headers=HX).content.decode()


def ask(client, n):
    return client.post(reverse("notifications:request_approval", args=[n.pk]), headers=HX)


def decide(client, n, decision, **fields):
    data = {"decision": decision, "version": n.version, "subject": n.subject, "body": n.body, **fields}
    return client.post(reverse("notifications:decide", args=[n.pk]), data, headers=HX)


def test_the_agent_sees_the_need_before_claiming_and_cannot_send(agent_client, agent, policy):
    n = NotificationFactory(priority="High")
    row = agent_client.get(reverse("notifications:queue")).content.decode()
    assert ">Needs approval</span>" in row
    html = card(agent_client, n)
    assert "Needs a supervisor's approval" in html and "(High priority drafts)" in html
    assert "Claim it, make your changes, then request approval." in html
    mine = held_by(agent)
    html = card(agent_client, mine)
    assert "Request approval</button>" in html and "Send…" not in html  # no Send until approved


def test_asking_records_it_on_both_trails(agent_client, agent, policy):
    n = held_by(agent)
    response = ask(agent_client, n)
    assert response.status_code == 200 and "Approval requested" in response.content.decode()
    n.refresh_from_db()
    assert (n.approval_state, n.approval_by) == ("requested", agent)
    event = NotificationEvent.objects.get(notification=n, kind="approval_asked")
    assert (event.user, event.metadata) == (agent, {"version": 1, "why": "High priority"})
    audit = AuditEvent.objects.get(action="approval_requested")
    assert audit.summary == "Approval of version 1 requested (High priority)" and audit.object_id == str(n.pk)
    assert ask(agent_client, n).status_code == 200  # a second click adds nothing
    assert NotificationEvent.objects.filter(notification=n, kind="approval_asked").count() == 1


def test_asking_needs_the_claim_and_a_policy_that_names_the_draft(agent_client, agent, colleague, policy):
    theirs = NotificationFactory(priority="High", claimed_by=colleague, claimed_at=timezone.now())
    response = ask(agent_client, theirs)
    assert response.status_code == 409
    assert "Claim this customer before asking for approval." in response.content.decode()
    low = held_by(agent, priority="Low")
    assert "does not need a supervisor&#x27;s approval" in ask(agent_client, low).content.decode()
    assert Notification.objects.filter(approval_state="requested").count() == 0


def test_supervisors_see_a_pending_count_and_the_list(client, agent, sue, policy):
    n = held_by(agent, customer__name="Morag MacLeod", body="Hello Morag, we can help with your bill.")
    n.approval_state, n.approval_by, n.approval_at = "requested", agent, timezone.now()
    n.save()
    client.force_login(sue)
    page = client.get(reverse("notifications:queue")).content.decode()
    assert 'data-stat="awaiting-approval">1</a>' in page and "awaiting your approval" in page
    html = client.get(APPROVALS).content.decode()
    assert "Morag MacLeod" in html and "Hello Morag, we can help with your bill." in html
    assert "Asked by Alex Agent" in html and "Needs approval: High priority" in html


def test_agents_cannot_open_the_list_or_decide(agent_client, agent, policy):
    n = held_by(agent)
    assert agent_client.get(APPROVALS).status_code == 403
    assert decide(agent_client, n, "approve").status_code == 403
    assert not Approval.objects.exists()


def test_approve_with_an_edit_in_one_click(client, agent, sue, policy):
    n = held_by(agent, channel="SMS", subject="", body="Hello, we can help with your bill. Reply HELP.")
    client.force_login(sue)
    response = decide(client, n, "approve", body="Hello, we can help with your recent bill. Reply HELP.")
    assert response.status_code == 200
    assert "Approved version 2: Alex Agent can send it now." in response.content.decode()
    n.refresh_from_db()
    assert (n.body, n.version, n.approval_state, n.approval_by) == (
        "Hello, we can help with your recent bill. Reply HELP.",
        2,
        "approved",
        sue,
    )
    assert Approval.objects.get(notification=n).version == 2  # the version the supervisor left
    kinds = list(NotificationEvent.objects.filter(notification=n).values_list("kind", "source"))
    assert kinds == [("edited", "supervisor"), ("approved", "supervisor")]
    assert list(AuditEvent.objects.filter(object_id=str(n.pk)).values_list("action", flat=True).order_by("id")) == [
        "edited",
        "approved",
    ]
    assert "queueChanged" in response["HX-Trigger"]  # the pending count in the header


def test_the_agent_sees_the_approval_and_can_send(client, agent, sue, policy):
    n = held_by(agent)
    client.force_login(sue)
    decide(client, n, "approve", note="Fine to go")
    client.force_login(agent)
    html = card(client, n)
    assert "Approved</strong> by Sue Super" in html and "“Fine to go”" in html and "Send…" in html
    sent = client.post(reverse("notifications:send", args=[n.pk]), {"version": 1}, headers=HX)
    assert sent.status_code == 200
    assert Notification.objects.get(pk=n.pk).status == "sent"


def test_send_back_needs_a_note_and_the_agent_sees_it(client, agent, sue, policy):
    n = held_by(agent)
    client.force_login(sue)
    refused = decide(client, n, "send_back")
    assert refused.status_code == 422 and "Say what to change" in refused.content.decode()
    response = decide(client, n, "send_back", note="Mention the payment plan")
    assert "Sent back to Alex Agent with your note." in response.content.decode()
    n.refresh_from_db()
    assert (n.approval_state, n.approval_note) == ("returned", "Mention the payment plan")
    assert NotificationEvent.objects.get(notification=n, kind="sent_back").metadata == {
        "version": 1,
        "note": "Mention the payment plan",
    }
    client.force_login(agent)
    html = card(client, n)
    assert "Sent back</strong> by Sue Super" in html and "“Mention the payment plan”" in html
    assert "Request approval</button>" in html and "Send…" not in html


def test_a_decision_on_text_the_supervisor_has_not_seen_is_refused(client, agent, sue, policy):
    n = held_by(agent)
    client.force_login(sue)
    Notification.objects.filter(pk=n.pk).update(version=3, body="Changed by the agent meanwhile.")
    response = decide(client, n, "approve")  # posts version 1
    assert response.status_code == 409 and "changed while you were reading it" in response.content.decode()
    assert not Approval.objects.exists()


def test_an_edit_after_approval_needs_a_new_one(agent_client, agent, sue, policy):
    from notifications.queue.services import approvals

    n = held_by(agent)
    approvals.decide(n, user=sue, decision="approve", expected_version=1)
    agent_client.post(
        reverse("notifications:draft", args=[n.pk]),
        {"subject": n.subject, "body": "Hello, we would like to help with your bill.", "version": 1},
        headers=HX,
    )
    n.refresh_from_db()
    assert (n.version, n.approval_state) == (2, "")
    assert "Needs a supervisor's approval" in card(agent_client, n)


def test_the_list_shows_the_oldest_requests_first_and_says_how_many_wait(client, agent, sue, policy, monkeypatch):
    from notifications.workspace.views import approvals as views

    monkeypatch.setattr(views, "PAGE", 2)
    now = timezone.now()
    for minutes, name in ((30, "Oldest"), (20, "Middle"), (10, "Newest")):
        NotificationFactory(
            priority="High",
            customer__name=name,
            approval_state="requested",
            approval_by=agent,
            approval_at=now - timezone.timedelta(minutes=minutes),
        )
    client.force_login(sue)
    html = client.get(APPROVALS).content.decode()
    assert html.index("Oldest") < html.index("Middle") and "Newest" not in html
    assert "The oldest 2 of 3 waiting" in html


def test_the_list_shows_what_would_block_the_draft(client, agent, sue, policy):
    n = held_by(agent, body="Hello, we will refund £480 to you. Let us organize a call.")
    n.approval_state, n.approval_by, n.approval_at = "requested", agent, timezone.now()
    n.save()
    client.force_login(sue)
    html = client.get(APPROVALS).content.decode()
    assert (
        '<span class="warning__label">Blocks sending</span> This money is not in the customer&#x27;s data. '
        "<q>£480</q>" in html
    )
    assert '<span class="warning__label">Check</span> American spelling: use &#x27;organise&#x27;.' in html


def test_a_draft_the_send_gate_would_refuse_is_not_approved_and_the_supervisors_text_is_kept(
    client, agent, sue, policy
):
    n = held_by(agent, body="Hello, we can help with your bill.")
    client.force_login(sue)
    typed = "Hello, we will refund £480 to your account."
    response = decide(client, n, "approve", body=typed, note="Added the refund")
    html = response.content.decode()
    assert response.status_code == 422
    assert (
        "Not approved: the draft cannot be sent as it is (correct it, or send it back with a note): "
        "This money is not in the customer&#x27;s data. (“£480”)" in html
    )
    assert f">{typed}</textarea>" in html and 'value="Added the refund"' in html  # what the supervisor wrote
    n.refresh_from_db()
    assert (n.body, n.version, n.approval_state) == ("Hello, we can help with your bill.", 1, "")  # nothing saved
    assert not Approval.objects.exists()
    assert not NotificationEvent.objects.filter(notification=n).exists()

    fixed = decide(client, n, "approve", body="Hello, we can help with your recent bill.")
    assert "Approved version 2: Alex Agent can send it now." in fixed.content.decode()


def test_the_admins_bulk_approve_refuses_a_draft_the_send_gate_would_refuse(agent, sue, policy):
    from notifications.supervision.services import approvals as bulk

    fine = held_by(agent, body="Hello, we can help with your bill.")
    blocked = held_by(agent, body="Hello, we will refund £480 to your account.")
    outcome = bulk.approve(Notification.objects.filter(pk__in=[fine.pk, blocked.pk]).order_by("pk"), user=sue)
    assert outcome.done == 1
    assert outcome.refused == [
        f"{blocked.customer.customer_id}: Not approved: the draft cannot be sent as it is (correct it, or send it "
        "back with a note): This money is not in the customer's data. (“£480”)"
    ]
    assert list(Approval.objects.values_list("notification_id", flat=True)) == [fine.pk]


def _request_approvals(agent, count: int) -> None:
    for _ in range(count):
        n = held_by(agent, body="Hello, we will refund £480 to you.")
        n.approval_state, n.approval_by, n.approval_at = "requested", agent, timezone.now()
        n.save()


def test_the_list_reads_every_drafts_checks_in_the_same_few_queries(client, agent, sue, policy):
    # Each draft's checks need its customer's profile: loaded for the whole page at once, not per draft.
    client.force_login(sue)
    _request_approvals(agent, 2)
    with CaptureQueriesContext(connection) as two:
        assert client.get(APPROVALS).content.decode().count("Blocks sending") == 2
    _request_approvals(agent, 8)
    with CaptureQueriesContext(connection) as ten:
        assert client.get(APPROVALS).content.decode().count("Blocks sending") == 10
    assert len(ten.captured_queries) == len(two.captured_queries)
    assert len(ten.captured_queries) <= 16
