"""Live rows: the page sends each row's stamp; the server answers 204, or only the rows that changed."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from notifications.queue.models import Delivery, Notification
from tests.factories import NotificationFactory

HX = {"HX-Request": "true"}
LIVE = reverse("notifications:live")


def stamps_on_the_page(client, status: str = "waiting") -> dict[int, str]:
    """What the browser would send: each row's id and data-stamp, read from the queue page."""
    html = client.get(reverse("notifications:queue"), {"status": status}).content.decode()
    return {int(pk): stamp for pk, stamp in re.findall(r'id="line-(\d+)" data-stamp="([0-9a-f]{8})"', html)}


def poll(client, stamps: dict[int, str], open_pks=()):
    rows = ",".join(f"{pk}.{stamp}" + (".o" if pk in open_pks else "") for pk, stamp in stamps.items())
    return client.get(LIVE, {"rows": rows}, headers=HX)


def test_nothing_changed_is_an_empty_204(agent_client):
    NotificationFactory.create_batch(3)
    response = poll(agent_client, stamps_on_the_page(agent_client))
    assert response.status_code == 204 and response.content == b""


def test_a_colleagues_claim_comes_back_as_that_rows_line_only(agent_client, colleague):
    quiet, claimed = NotificationFactory(), NotificationFactory()
    stamps = stamps_on_the_page(agent_client)
    Notification.objects.filter(pk=claimed.pk).update(claimed_by=colleague, claimed_at=timezone.now())
    html = poll(agent_client, stamps).content.decode()
    assert f'id="line-{claimed.pk}"' in html and 'hx-swap-oob="true"' in html
    assert "Claimed by Bea Brown" in html
    assert f'id="line-{quiet.pk}"' not in html and 'id="card-' not in html  # closed row: its line alone


def test_an_open_card_follows_its_delivery_to_delivered(agent_client, agent):
    n = NotificationFactory(status="sent", sent_at=timezone.now(), sent_by=agent)
    d = Delivery.objects.create(notification=n, channel="Email", status="queued")
    stamps = stamps_on_the_page(agent_client, "sent")
    assert "Sending…" in agent_client.get(reverse("notifications:card", args=[n.pk]), headers=HX).content.decode()
    Delivery.objects.filter(pk=d.pk).update(status="delivered", delivered_at=timezone.now(), provider="outbox")
    html = poll(agent_client, stamps, open_pks={n.pk}).content.decode()
    assert f'<article class="card card--closed" id="card-{n.pk}"' in html
    assert "<strong>Delivered</strong>" in html and ">Delivered</span>" in html  # the card and the row's line


def test_my_own_autosave_does_not_bring_my_card_back(agent_client, agent):
    n = NotificationFactory(claimed_by=agent, claimed_at=timezone.now())
    stamps = stamps_on_the_page(agent_client)
    agent_client.post(
        reverse("notifications:draft", args=[n.pk]),
        {"subject": n.subject, "body": "Hello, we can help with your recent bill.", "version": 1},
        headers=HX,
    )
    assert Notification.objects.get(pk=n.pk).version == 2
    assert poll(agent_client, stamps, open_pks={n.pk}).status_code == 204


@pytest.mark.parametrize("rows", ["", "nonsense", "12", "x.y.z,,..", "999999.deadbeef"])
def test_malformed_or_unknown_rows_are_ignored(agent_client, rows):
    assert agent_client.get(LIVE, {"rows": rows}, headers=HX).status_code == 204


def test_a_poll_costs_the_same_queries_for_50_rows(agent_client, django_assert_num_queries):
    NotificationFactory.create_batch(50)
    stamps = stamps_on_the_page(agent_client)
    with django_assert_num_queries(5):  # session, user, 2 × permissions, the stamps of every row
        assert poll(agent_client, stamps).status_code == 204
