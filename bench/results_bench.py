"""The results page at scale: latency and SQL queries against a trivial view, as the data grows.

    .venv/bin/python bench/results_bench.py [--customers 100000 --sent 25000]
        [--database-url postgres://postgres@127.0.0.1:5432/postgres] [--runs 30]

1. Seeds a throwaway database (a temp SQLite file, or a scratch PostgreSQL
   database created next to the URL's and dropped afterwards) with bulk_create:
   customers, one analysis per sent draft (four segments, two analysts), the
   sent notifications spread over the last 12 weeks (a share edited by agents),
   their deliveries (some failed, bounced, unconfirmed, or phone calls) and the
   event trail: drafted, edited, approved, sent, delivered/failed/bounced, then
   human opens (~40%), clicks (~10%), actions (~3%) and scanner opens flagged
   machine-suspected. Plus a queue of waiting drafts the page must not read.
2. With Django's test client, measures median and p95 in ms and the SQL query
   count of the results page (4, 12 and 52 week windows) against a trivial
   login-required view (the floor: session + user + middleware), and prints
   each page's ratio to the floor. The page has no htmx partials.

Never touches the project's own database.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from queue_bench import (
    PRIORITIES,
    floor_urlconf,
    measure,
    scratch_database,
    seed_analyses,
    seed_customers,
    setup_django,
)

SEGMENTS = (("Value Seekers", 0.35), ("Traditionalists", 0.25), ("Digital Natives", 0.25), ("Eco Savers", 0.15))
SENT_CHANNELS = (("Email", 0.5), ("SMS", 0.25), ("App Push", 0.15), ("Phone", 0.10))
BODY = (
    "Hello, we noticed your recent bill was higher than usual and wanted to check everything is all right. "
    "Your smart meter readings suggest your heating use went up in the cold snap. We can spread the cost "
    "over the next few months, move you to a fixed tariff, or book a free energy check. Reply to this "
    "message or call us on 0800 123 4567 and we will sort it out together. Kind regards, the Customer Care team"
)
WORDS = BODY.split()
EDITS = ("Dear", "please", "kindly", "straight", "away", "today", "Thanks", "Morag", "direct", "debit")


def pick(rng: random.Random, weighted) -> str:
    return rng.choices([v for v, _ in weighted], [w for _, w in weighted])[0]


def edited_text(rng: random.Random) -> str:
    """The AI's body with a few words replaced, inserted or deleted, as an agent would."""
    words = list(WORDS)
    for _ in range(rng.choice((1, 2, 3, 5, 8, 13))):
        at = rng.randrange(len(words))
        action = rng.random()
        if action < 0.5:
            words[at] = rng.choice(EDITS)
        elif action < 0.8:
            words.insert(at, rng.choice(EDITS))
        elif len(words) > 10:
            del words[at]
    return " ".join(words)


def seed(customers: int, sent: int, rng: random.Random, weeks: int = 12) -> dict[str, float]:
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from customers.models import Customer
    from notifications.queue.models import Delivery, Notification, NotificationEvent
    from tests.factories import make_role_user

    timings = {}
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    timings["migrate_s"] = time.perf_counter() - started

    started = time.perf_counter()
    seed_customers(customers, rng)
    pks = list(Customer.objects.order_by("pk").values_list("pk", flat=True))
    waiting_n = min(sent // 5, len(pks) - sent)
    chosen = rng.sample(pks, sent + waiting_n)
    analysis_of = seed_analyses(
        chosen,
        rng,
        provider=lambda: "bedrock" if rng.random() < 0.7 else "offline",
        segment=lambda: pick(rng, SEGMENTS),
    )
    now = timezone.now()
    agent = make_role_user("bench-agent", "Agents", first_name="Bench", last_name="Agent")
    make_role_user("bench-supervisor", "Supervisors", first_name="Bench", last_name="Supervisor")
    original = BODY

    items = []
    for i, pk in enumerate(chosen):
        priority, rank = rng.choice(PRIORITIES)
        channel = pick(rng, SENT_CHANNELS)
        subject = "About your bill" if channel == "Email" else ""
        is_sent = i < sent
        edited = is_sent and rng.random() < 0.3
        sent_at = now - dt.timedelta(seconds=rng.randint(3600, weeks * 7 * 86400 - 3600)) if is_sent else None
        items.append(
            Notification(
                customer_id=pk,
                analysis_id=analysis_of[pk],
                status="sent" if is_sent else "waiting",
                priority=priority,
                priority_rank=rank,
                risk_score=rng.randint(1, 10),
                urgency="Routine",
                churn_risk=rng.randint(0, 99),
                channel=channel,
                kind="marketing" if rng.random() < 0.3 else "service",
                situation="billing_support",
                original_subject=subject,
                original_body=original,
                subject=subject,
                body=edited_text(rng) if edited else original,
                version=2 if edited else 1,
                edited_by=agent if edited else None,
                edited_at=sent_at - dt.timedelta(minutes=5) if edited else None,
                sent_at=sent_at,
                sent_by=agent if is_sent else None,
            )
        )
    Notification.objects.bulk_create(items, batch_size=2000)
    timings["notifications_s"] = time.perf_counter() - started

    started = time.perf_counter()
    deliveries, events = [], []

    def event(n_pk: int, kind: str, at: dt.datetime, source: str = "worker", machine: bool = False, **meta) -> None:
        events.append(
            NotificationEvent(
                notification_id=n_pk, kind=kind, occurred_at=at, source=source, machine_suspected=machine, metadata=meta
            )
        )

    sent_rows = Notification.objects.filter(status="sent").values_list("pk", "channel", "sent_at", "edited_at")
    for n_pk, channel, approved_at, edited_at in sent_rows.iterator():
        event(n_pk, "drafted", approved_at - dt.timedelta(days=1), source="bedrock")
        if edited_at:
            event(n_pk, "edited", edited_at, source="agent", word_edits=rng.randint(1, 13))
        event(n_pk, "approved", approved_at, source="agent")
        roll = rng.random()
        handed = approved_at + dt.timedelta(seconds=rng.randint(1, 30))
        sent_at = delivered_at = None
        if channel == "Phone":
            if roll < 0.15:
                status = "call_task"  # not called yet: not in the funnel
            else:
                status, sent_at = "called", handed + dt.timedelta(minutes=rng.randint(5, 600))
                delivered_at = sent_at if roll < 0.7 else None  # reached, or voicemail / no answer
        elif roll < 0.02:
            status = "failed"
            event(n_pk, "failed", handed, error="provider timeout")
        else:
            sent_at = handed
            if roll < 0.04:
                status = "bounced"
                event(n_pk, "bounced", handed + dt.timedelta(minutes=2), source="provider_webhook")
            elif roll < 0.09 and channel != "Email":
                status = "sent"  # no delivery receipt
            else:
                status, delivered_at = "delivered", handed + dt.timedelta(seconds=rng.randint(1, 120))
        if sent_at:
            event(n_pk, "sent", sent_at, source="ses")
        if delivered_at:
            event(n_pk, "delivered", delivered_at, source="ses")
        deliveries.append(
            Delivery(
                notification_id=n_pk,
                channel=channel,
                status=status,
                attempts=1,
                provider="ses" if sent_at else "",
                sent_at=sent_at,
                delivered_at=delivered_at,
            )
        )
        if not delivered_at:
            continue
        if channel == "Email" and rng.random() < 0.15:  # a scanner or image proxy, seconds after delivery
            event(n_pk, "opened", delivered_at + dt.timedelta(seconds=2), source="tracking", machine=True)
            if rng.random() < 0.3:
                event(n_pk, "clicked", delivered_at + dt.timedelta(seconds=3), source="tracking", machine=True)
        engagement = rng.random()
        if engagement < 0.42:  # ~40% of everything sent is opened by a human
            first = delivered_at + dt.timedelta(minutes=int(rng.expovariate(1 / 600)) + 1)
            event(n_pk, "opened", first, source="tracking")
            if rng.random() < 0.3:
                event(n_pk, "opened", first + dt.timedelta(hours=rng.randint(1, 48)), source="tracking")
            if engagement < 0.105:
                event(n_pk, "clicked", first + dt.timedelta(minutes=1), source="tracking")
            if engagement < 0.032:
                event(n_pk, "actioned", first + dt.timedelta(minutes=10), source="provider_webhook", action="Paid")
    Delivery.objects.bulk_create(deliveries, batch_size=5000)
    NotificationEvent.objects.bulk_create(events, batch_size=5000)
    timings["events"] = len(events)
    timings["deliveries_s"] = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # planner statistics, on SQLite as on PostgreSQL
    return timings


def run_views(runs: int) -> list[tuple[str, dict]]:
    from django.contrib.auth.models import User
    from django.test import Client

    floor_urlconf()
    client = Client()
    client.force_login(User.objects.get(username="bench-supervisor"))
    scenarios = [
        ("floor: trivial login-required view", "/floor/"),
        ("results: last 4 weeks", "/results/?weeks=4"),
        ("results: last 12 weeks (default)", "/results/"),
        ("results: last 52 weeks", "/results/?weeks=52"),
    ]
    return [(label, measure(client, path, runs)) for label, path in scenarios]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--sent", type=int, default=25_000, help="notifications sent over the last 12 weeks")
    parser.add_argument("--runs", type=int, default=30, help="timed requests per scenario")
    parser.add_argument(
        "--database-url", default=None, help="a PostgreSQL URL (scratch database made next to it); default SQLite"
    )
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args()
    if args.sent > args.customers:
        parser.error("--sent cannot exceed --customers (one sent notification per customer)")

    database_url, drop = scratch_database(args.database_url)
    try:
        setup_django(database_url)
        from django.db import connection

        timings = seed(args.customers, args.sent, random.Random(args.seed))
        seeded = timings["notifications_s"] + timings["deliveries_s"]
        print(
            f"{connection.vendor}: {args.customers:,} customers, {args.sent:,} sent over 12 weeks, "
            f"{timings['events']:,} events (seeded in {seeded:.1f} s)"
        )
        print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())} ({os.cpu_count()} cores)")
        print(
            f"{'scenario':36} {'median ms':>10} {'p95 ms':>8} {'CPU ms':>7} {'queries':>8} {'KB':>6} "
            f"{'p95 / floor':>12} {'queries - floor':>16}"
        )
        rows = run_views(args.runs)
        floor = rows[0][1]
        for label, row in rows:
            print(
                f"{label:36} {row['median_ms']:10.1f} {row['p95_ms']:8.1f} {row['cpu_ms']:7.1f} "
                f"{row['queries']:8d} {row['kb']:6.0f} {row['p95_ms'] / floor['p95_ms']:11.1f}x "
                f"{row['queries'] - floor['queries']:16d}"
            )
    finally:
        from django.db import connections

        connections.close_all()
        drop()


if __name__ == "__main__":
    main()
