"""Exactly once under concurrency: many presses of Send and many task runs make one delivery and one message.

Runs on SQLite (the default) and on PostgreSQL (DATABASE_URL=postgres://…), where the
row locks (SELECT … FOR UPDATE) and the OneToOne key are what keep it to one.
"""

from __future__ import annotations

import datetime as dt
import threading
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from notifications.delivery.services import delivery as service
from notifications.queue.models import Delivery, NotificationEvent
from tests.factories import make_role_user
from tests.notifications.delivery.delivery_helpers import approved

NOON = dt.datetime(2026, 11, 24, 12, 0, tzinfo=ZoneInfo("Europe/London"))
THREADS = 6


def _race(target, count: int = THREADS) -> list[object]:
    barrier = threading.Barrier(count)
    results: list[object] = []
    lock = threading.Lock()

    def run() -> None:
        try:
            barrier.wait()
            outcome = target()
        except Exception as exc:  # reported, and asserted on below
            outcome = exc
        finally:
            connection.close()  # each thread has its own connection
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=run) for _ in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


@pytest.mark.concurrent
@pytest.mark.django_db(transaction=True)
def test_concurrent_sends_and_task_runs_make_one_delivery(settings, tmp_path, monkeypatch):
    settings.OUTBOX_DIR = str(tmp_path)
    settings.SMS_BACKEND = "outbox"
    from notifications.delivery import tasks

    monkeypatch.setattr(tasks.deliver, "delay", lambda pk: None)  # the threads play the workers
    agent = make_role_user("alex", "Agents")
    n = approved(user=agent, channel="SMS", subject="")

    def press_send_then_run_the_task() -> str:
        d = service.queue_delivery(n, user=agent, now=NOON)  # double click, two tabs, a retried request
        return service.attempt_delivery(d.pk, now=NOON)  # a redelivered or duplicated task message

    results = _race(press_send_then_run_the_task)
    errors = [r for r in results if isinstance(r, Exception)]
    assert not errors, errors
    assert Delivery.objects.filter(notification=n).count() == 1
    files = list((tmp_path / "sms").glob("*.json"))
    assert len(files) == 1, "the message must reach the provider exactly once"
    d = Delivery.objects.get(notification=n)
    assert (d.status, d.attempts) == ("delivered", 1)
    events = list(NotificationEvent.objects.filter(notification=n).values_list("kind", flat=True))
    assert events.count("send_requested") == 1 and events.count("sent") == 1
    # Every other run found the row already claimed: "sending" while the winner worked, "delivered" after.
    assert set(results) <= {"delivered", "sending"} and "delivered" in results
