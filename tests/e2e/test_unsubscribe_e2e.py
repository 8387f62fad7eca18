"""The unsubscribe link in a real browser: open it from the email, see one button, press it, stay unsubscribed.

No login (the customer has none). Opening the link changes nothing (scanners
open links too); the button records the withdrawal in the ledger; the next
marketing send to that customer is refused at send time.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from django.core import mail
from playwright.sync_api import expect

from notifications.contact_rules.models import ConsentChange
from notifications.delivery.services import delivery as service
from notifications.queue.models import Delivery
from tests.notifications.delivery.delivery_helpers import approved

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_customer_unsubscribes_from_the_email_link(live_server, page, artifacts, settings, monkeypatch):
    from notifications.delivery import tasks

    monkeypatch.setattr(tasks.deliver, "delay", lambda pk: None)  # this test sends in-process, not via a broker
    settings.SITE_URL = live_server.url  # absolute links in the email point at this server
    n = approved(kind="marketing", situation="tariff_value")
    service.attempt_delivery(service.queue_delivery(n).pk)
    link = mail.outbox[-1].extra_headers["List-Unsubscribe"].strip("<>")
    assert link.startswith(live_server.url) and link in mail.outbox[-1].body

    page.goto(link)
    expect(page.get_by_role("heading", name="Unsubscribe from marketing messages")).to_be_visible()
    assert not ConsentChange.objects.exists()  # opening the link is not consent withdrawal
    page.screenshot(path=str(artifacts / "unsubscribe-confirm.png"), full_page=True)

    page.get_by_role("button", name="Unsubscribe").click()
    expect(page.get_by_role("heading", name="You are unsubscribed")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text(re.compile(r"We recorded your choice on \d+ \w+ \d{4}"))
    page.screenshot(path=str(artifacts / "unsubscribe-done.png"), full_page=True)
    assert page.js_errors == []
    assert urlsplit(page.url).path == urlsplit(link).path  # one page, no redirect to a login

    change = ConsentChange.objects.get()
    assert (change.customer_id, change.marketing_consent, change.source) == (n.customer_id, False, "unsubscribe_link")

    later = approved(kind="marketing", situation="tariff_value", customer=n.customer)
    d = service.queue_delivery(later)
    assert service.attempt_delivery(d.pk) == "suppressed"
    assert "withdrawn" in Delivery.objects.get(pk=d.pk).last_error
