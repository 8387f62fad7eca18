"""What a collapsed queue row says about its item, and when its live stamp changes."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from notifications.queue.models import ApprovalPolicy, Delivery, Notification
from notifications.workspace.row_html import row_line
from notifications.workspace.rows import approval_badge, row_stamp, row_state
from tests.factories import NotificationFactory

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")


def fresh(n: Notification) -> Notification:
    return Notification.objects.select_related("claimed_by", "delivery").get(pk=n.pk)


def test_an_open_row_says_whose_it_is(agent, colleague):
    now = timezone.now()
    free = NotificationFactory()
    mine = NotificationFactory(claimed_by=agent, claimed_at=dt.datetime(2026, 11, 20, 9, 0, tzinfo=LONDON))
    theirs = NotificationFactory(claimed_by=colleague, claimed_at=now)
    lapsed = NotificationFactory(claimed_by=colleague, claimed_at=now - dt.timedelta(minutes=31))
    at = dt.datetime(2026, 11, 20, 9, 10, tzinfo=LONDON)
    assert row_state(fresh(free), agent) == ("Free", "free", True)
    assert row_state(fresh(mine), agent, at) == ("Yours until 09:30", "mine", True)
    assert row_state(fresh(theirs), agent) == ("Claimed by Bea Brown", "other", True)
    assert row_state(fresh(lapsed), agent).label == "Free"  # a claim lapses after 30 minutes


@pytest.mark.parametrize(
    ("channel", "status", "fields", "expected"),
    [
        ("Email", "queued", {}, ("Sending…", "wait", True)),
        ("Email", "sent", {}, ("With the provider: waiting for the receipt", "wait", True)),
        ("SMS", "held", {"held_until": dt.datetime(2026, 11, 21, 8, 0, tzinfo=LONDON)},
         ("Held until 08:00 (quiet hours)", "wait", False)),
        ("Email", "delivered", {}, ("Delivered", "ok", False)),
        ("Email", "failed", {"last_error": "Mailbox full"}, ("Failed: Mailbox full", "error", False)),
        ("Email", "suppressed", {"last_error": "Consent withdrawn"}, ("Refused at send", "error", False)),
        ("Phone", "call_task", {}, ("Call in progress", "wait", False)),
        ("Phone", "called", {"call_outcome": "no_answer", "call_follow_up": dt.date(2026, 12, 3)},
         ("Call: no answer · follow-up 3 Dec", "muted", False)),
        ("Phone", "called", {"call_outcome": "reached"}, ("Call: reached", "ok", False)),
    ],
)  # fmt: skip
def test_a_sent_row_follows_its_delivery_and_a_call_never_says_sent(agent, channel, status, fields, expected):
    n = NotificationFactory(status="sent", sent_at=timezone.now(), sent_by=agent, channel=channel)
    Delivery.objects.create(notification=n, channel=channel, status=status, **fields)
    assert row_state(fresh(n), agent) == expected


def test_approval_badges_follow_the_conversation():
    policy = ApprovalPolicy(high_priority=True)
    high, low = NotificationFactory(priority="High"), NotificationFactory(priority="Low")
    assert approval_badge(high, policy) == ("Needs approval", "wait")
    assert approval_badge(low, policy) is None  # the policy does not name it
    high.approval_state = "requested"
    assert approval_badge(high, policy) == ("Approval requested", "wait")
    high.approval_state = "returned"
    assert approval_badge(high, policy) == ("Sent back", "error")
    high.approval_state = "approved"
    assert approval_badge(high, policy) == ("Approved", "ok")


def test_the_whole_state_is_on_the_line_for_when_the_column_cuts_it(agent, colleague):
    policy = ApprovalPolicy(high_priority=True)
    theirs = NotificationFactory(priority="High", claimed_by=colleague, claimed_at=timezone.now())
    html = row_line(fresh(theirs), agent, policy)
    assert (
        '<span class="qrow__state state--other" title="Needs approval · Claimed by Bea Brown">'
        '<span class="tag tag--wait">Needs approval</span> Claimed by Bea Brown</span>' in html
    )


def test_the_stamp_ignores_my_own_typing_but_not_a_colleagues(agent, colleague):
    now = timezone.now()
    n = NotificationFactory(claimed_by=agent, claimed_at=now)
    mine, theirs = row_stamp(fresh(n), agent, now), row_stamp(fresh(n), colleague, now)
    Notification.objects.filter(pk=n.pk).update(version=5, body="My new text")
    assert row_stamp(fresh(n), agent, now) == mine  # my own autosave never reloads my card
    assert row_stamp(fresh(n), colleague, now) != theirs  # a colleague watching gets the new version


def test_the_stamp_changes_with_a_claim_a_delivery_or_an_approval(agent, colleague):
    now = timezone.now()
    n = NotificationFactory()
    stamps = {row_stamp(fresh(n), agent, now)}
    Notification.objects.filter(pk=n.pk).update(claimed_by=colleague, claimed_at=now)
    stamps.add(row_stamp(fresh(n), agent, now))
    Notification.objects.filter(pk=n.pk).update(approval_state="requested")
    stamps.add(row_stamp(fresh(n), agent, now))
    Notification.objects.filter(pk=n.pk).update(status="sent", sent_at=now, claimed_by=None)
    d = Delivery.objects.create(notification=n, channel="Email", status="queued")
    stamps.add(row_stamp(fresh(n), agent, now))
    Delivery.objects.filter(pk=d.pk).update(status="delivered")
    stamps.add(row_stamp(fresh(n), agent, now))
    assert len(stamps) == 5
    assert row_stamp(fresh(n), agent, now + dt.timedelta(minutes=45)) == row_stamp(fresh(n), agent, now)
