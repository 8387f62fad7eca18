"""The draft: autosave with optimistic locking, counter, inline checks, revert, confirm and send."""

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from notifications.queue.models import Notification
from tests.factories import AccountActivityFactory, InteractionFactory, NotificationFactory

HX = {"HX-Request": "true"}


def claimed(user, **kwargs) -> Notification:
    """A draft the user holds, for an active customer the contact policies allow."""
    n = NotificationFactory(claimed_by=user, claimed_at=timezone.now(), **kwargs)
    AccountActivityFactory(customer=n.customer, account_status="Active")
    return n


def url(name, n):
    return reverse(f"notifications:{name}", args=[n.pk])


def save(client, n, body, version, subject="About your bill"):
    return client.post(url("draft", n), {"subject": subject, "body": body, "version": version}, headers=HX)


def test_autosave_saves_bumps_version_and_says_saved(agent_client, agent):
    n = claimed(agent)
    response = save(agent_client, n, "Hello, we can help with your bill.", 1)
    html = response.content.decode()
    assert response.status_code == 200 and "Saved at" in html
    assert 'name="version" value="2"' in html
    n.refresh_from_db()
    assert (n.body, n.version, n.edited_by) == ("Hello, we can help with your bill.", 2, agent)
    assert n.original_body.startswith("Hello, we noticed")  # the original is kept


def test_stale_save_is_refused_naming_who_changed_it(agent_client, agent, colleague):
    n = claimed(agent)
    Notification.objects.filter(pk=n.pk).update(version=3, edited_by=colleague, edited_at=timezone.now(), body="Bea's")
    response = save(agent_client, n, "My text", 2)
    assert response.status_code == 409
    html = response.content.decode()
    assert "Not saved: Bea Brown changed this draft" in html and "version 3" in html
    assert Notification.objects.get(pk=n.pk).body == "Bea's"  # never silently overwritten


def test_save_without_claim_is_refused(agent_client, colleague):
    n = NotificationFactory()
    assert save(agent_client, n, "x", 1).status_code == 409
    n2 = claimed(colleague)
    response = save(agent_client, n2, "x", 1)
    assert response.status_code == 409 and "Bea Brown has claimed" in response.content.decode()


def test_expired_claim_cannot_save(agent_client, agent):
    n = NotificationFactory(claimed_by=agent, claimed_at=timezone.now() - dt.timedelta(minutes=31))
    response = save(agent_client, n, "late", 1)
    assert response.status_code == 409 and "claim this customer first" in response.content.decode()


def test_sms_counter_counts_segments_and_encoding(agent_client, agent):
    n = claimed(agent, channel="SMS", original_subject="", subject="")
    html = save(agent_client, n, "a" * 161, 1, subject="").content.decode()
    assert "161 characters · 2 SMS segments (GSM-7; limit 306)" in html
    html = save(agent_client, n, "Thanks ✓", 2, subject="").content.decode()
    assert "UCS-2" in html and "1 SMS segment " in html


def test_inline_checks_flag_american_spelling_and_invented_facts(agent_client, agent):
    n = claimed(agent, customer__name="Morag MacLeod")
    html = save(
        agent_client, n, "Dear Morag, we will analyze your bill of £987.65 to find a better color.", 1
    ).content.decode()
    assert "American spelling" in html and "analyse" in html
    assert "not in the customer" in html and "£987.65" in html


def test_revert_to_original(agent_client, agent):
    n = claimed(agent)
    save(agent_client, n, "Edited text", 1)
    response = agent_client.post(url("revert", n), {"version": 2}, headers=HX)
    assert response.status_code == 200 and "Back to the original draft." in response.content.decode()
    n.refresh_from_db()
    assert n.body == n.original_body and n.version == 3


def test_send_confirmation_shows_exactly_what_will_go(agent_client, agent):
    n = claimed(agent, subject="Your <b>bill</b>", body="Line one\nLine two")
    html = agent_client.get(url("send_confirm", n), headers=HX).content.decode()
    assert "will go by <strong>Email</strong>" in html
    assert "Your &lt;b&gt;bill&lt;/b&gt;" in html and "Line one\nLine two" in html
    assert "Send now by Email" in html and 'type="submit" disabled' not in html
    assert "Account status" in html and "Passed" in html  # the policies, by their admin names


def test_send_marks_sent_and_shows_who_and_when(agent_client, agent):
    n = claimed(agent)
    response = agent_client.post(url("send", n), {"version": 1}, headers=HX)
    html = response.content.decode()
    assert response.status_code == 200 and "queueChanged" in response["HX-Trigger"]
    assert "Sent by Email" in html and "by Alex Agent" in html
    n.refresh_from_db()
    assert n.status == "sent" and n.sent_by == agent and n.sent_at is not None


def test_send_twice_sends_once(agent_client, agent):
    n = claimed(agent)
    assert agent_client.post(url("send", n), {"version": 1}, headers=HX).status_code == 200
    first_sent_at = Notification.objects.get(pk=n.pk).sent_at
    again = agent_client.post(url("send", n), {"version": 1}, headers=HX)
    assert again.status_code == 422 and "Already sent" in again.content.decode()
    assert Notification.objects.get(pk=n.pk).sent_at == first_sent_at


def test_marketing_to_opted_out_customer_is_refused(agent_client, agent):
    n = claimed(agent, kind="marketing", customer__opted_in=False)
    confirm = agent_client.get(url("send_confirm", n), headers=HX).content.decode()
    assert "Marketing message refused" in confirm and 'type="submit" disabled' in confirm
    response = agent_client.post(url("send", n), {"version": 1}, headers=HX)
    assert response.status_code == 422 and "Marketing message refused" in response.content.decode()
    assert Notification.objects.get(pk=n.pk).status == "waiting"


def test_marketing_after_unsubscribe_is_refused(agent_client, agent):
    n = claimed(agent, kind="marketing", customer__opted_in=True)
    InteractionFactory(customer=n.customer, interaction_type="Unsubscribe")
    response = agent_client.post(url("send", n), {"version": 1}, headers=HX)
    assert response.status_code == 422 and "unsubscribe" in response.content.decode().lower()


def test_empty_body_and_unclaimed_are_refused(agent_client, agent, colleague):
    n = claimed(agent, body="   ")
    response = agent_client.post(url("send", n), {"version": 1}, headers=HX)
    assert response.status_code == 422 and "The message body is empty." in response.content.decode()
    other = NotificationFactory()
    response = agent_client.post(url("send", other), {"version": 1}, headers=HX)
    assert response.status_code == 422 and "Claim this customer before sending" in response.content.decode()


def test_send_refused_if_the_draft_changed_since_the_confirmation(agent_client, agent):
    n = claimed(agent)
    Notification.objects.filter(pk=n.pk).update(version=2)
    response = agent_client.post(url("send", n), {"version": 1}, headers=HX)
    assert response.status_code == 422 and "changed since you opened the confirmation" in response.content.decode()


def test_sent_card_is_read_only(agent_client, agent):
    n = claimed(agent)
    agent_client.post(url("send", n), {"version": 1}, headers=HX)
    row = agent_client.get(reverse("notifications:queue"), {"status": "sent"}).content.decode()
    assert "Sending…" in row  # the row follows the delivery (no worker here: still queued)
    html = agent_client.get(url("card", n), headers=HX).content.decode()
    assert "Sent by Email" in html and "<textarea" not in html and "Claim to edit" not in html
    assert save(agent_client, n, "after", 2).status_code == 409
