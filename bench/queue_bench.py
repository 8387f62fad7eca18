"""The agent queue page at scale: latency and SQL queries per view, then load with 50 agents.

    .venv/bin/python bench/queue_bench.py [--customers 100000 --drafts 25000]
        [--database-url postgres://postgres@127.0.0.1:5432/queue_bench] [--load 60]

1. Seeds a throwaway database (a temp SQLite file, or a scratch PostgreSQL
   database created next to the URL's and dropped afterwards) with bulk_create:
   customers, one analysis per draft, waiting drafts, and some sent and
   dismissed items so the header figures have work to do.
2. With Django's test client, measures median and p95 in ms and the SQL query
   count for: a trivial login-required view (the floor: session + user +
   middleware), the first queue page, a filtered page, a name search, an ID
   search, a deep page, and the header stats.
3. With `--load N`: gunicorn (2 workers) on 127.0.0.1 and `wrk` for N seconds
   with 50 connections, each carrying a logged-in agent's session cookie;
   prints requests/s, p50/p95/p99 and errors (non-2xx included).

Never touches the project's own database.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
FIRST = [
    "Morag",
    "Iain",
    "Flora",
    "Callum",
    "Eilidh",
    "Hamish",
    "Isla",
    "Fraser",
    "Ailsa",
    "Angus",
    "Mhairi",
    "Ewan",
    "Kirsty",
    "Ruaridh",
    "Catriona",
    "Alasdair",
]
LAST = [
    "MacLeod",
    "Stewart",
    "Fraser",
    "Campbell",
    "Murray",
    "Kerr",
    "Grant",
    "Robertson",
    "Reid",
    "Ross",
    "Paterson",
    "Wallace",
    "Hunter",
    "Baird",
]
PRIORITIES = [("High", 0), ("Medium", 1), ("Low", 2)]
URGENCIES = ["Immediate", "Within 24 hours", "Within a week", "Routine"]
CHANNELS = ["Email", "SMS", "App Push", "Phone"]


def scratch_database(url: str | None) -> tuple[str, callable]:
    """A throwaway database URL and the function that removes it."""
    if not url:
        folder = tempfile.mkdtemp(prefix="queue-bench-")
        return f"sqlite:///{folder}/bench.sqlite3", lambda: shutil.rmtree(folder, ignore_errors=True)
    import psycopg

    parts = urlsplit(url)
    name = f"queue_bench_{os.getpid()}"
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return urlunsplit(parts._replace(path=f"/{name}")), drop


def setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "notification_engine.settings")
    os.environ["DEBUG"] = "False"  # no per-query logging, as in production
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def seed_customers(customers: int, rng: random.Random) -> None:
    """`customers` plausible profiles, CUST000001…, in batches (the benches share this)."""
    import datetime as dt

    from customers.models import Customer

    Customer.objects.bulk_create(
        (
            Customer(
                customer_id=f"CUST{i:06d}",
                name=f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                age=rng.randint(18, 90),
                location="Inverness",
                preferred_channel=rng.choice(CHANNELS),
                source_segment="Engaged",
                opted_in=rng.random() < 0.7,
                income_bracket=rng.choice(["Low", "Medium", "High"]),
                customer_since=dt.date(2015, 1, 1) + dt.timedelta(days=rng.randint(0, 3500)),
                satisfaction_score=rng.randint(1, 10),
            )
            for i in range(1, customers + 1)
        ),
        batch_size=5000,
    )


def seed_analyses(
    customer_pks: list[int],
    rng: random.Random,
    *,
    provider: Callable[[], str] = lambda: "offline",
    segment: Callable[[], str] = lambda: "Value Seekers",
) -> dict[int, int]:
    """One analysis per customer (the benches share this); returns customer pk → analysis pk.

    `provider` and `segment` are called per row before its own random figures, so a bench's seed
    gives the same data as when each bench built its rows itself.
    """
    from notifications.analysis.models import CustomerAnalysis
    from tests.factories import SAMPLE_DETAIL

    CustomerAnalysis.objects.bulk_create(
        (
            CustomerAnalysis(
                customer_id=pk,
                provider=provider(),
                profile_hash="bench",
                segment=segment(),
                segment_confidence=round(rng.uniform(0.5, 1), 2),
                risk_score=rng.randint(1, 10),
                priority="High",
                urgency="Routine",
                detail=SAMPLE_DETAIL,
                should_contact=True,
            )
            for pk in customer_pks
        ),
        batch_size=5000,
    )
    return dict(CustomerAnalysis.objects.values_list("customer_id", "pk"))


def seed(customers: int, drafts: int, rng: random.Random) -> dict[str, float]:
    import datetime as dt
    from decimal import Decimal

    from django.core.management import call_command
    from django.utils import timezone

    from customers.models import Customer
    from notifications.queue.models import Notification
    from tests.factories import make_role_user

    timings = {}
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    timings["migrate_s"] = time.perf_counter() - started

    started = time.perf_counter()
    seed_customers(customers, rng)
    pks = list(Customer.objects.order_by("pk").values_list("pk", flat=True))
    chosen = rng.sample(pks, drafts + drafts // 10)
    waiting, closed = chosen[:drafts], chosen[drafts:]
    analysis_of = seed_analyses(chosen, rng)
    now = timezone.now()
    agent = make_role_user("bench-agent", "Agents", first_name="Bench", last_name="Agent")

    def item(pk: int, status: str) -> Notification:
        priority, rank = rng.choice(PRIORITIES)
        channel = rng.choice(CHANNELS)
        body = "Hello, we noticed your recent bill query and would like to help you sort it out. " * 3
        extra = {}
        if status == "sent":
            extra = {"sent_at": now - dt.timedelta(minutes=rng.randint(0, 600)), "sent_by": agent}
        elif status == "dismissed":
            extra = {"dismissed_at": now, "dismiss_reason": "other"}
        return Notification(
            customer_id=pk,
            analysis_id=analysis_of[pk],
            status=status,
            priority=priority,
            priority_rank=rank,
            risk_score=rng.randint(1, 10),
            urgency=rng.choice(URGENCIES),
            churn_risk=Decimal(rng.randint(0, 10000)) / 100,
            is_fallback=rng.random() < 0.03,
            channel=channel,
            kind="marketing" if rng.random() < 0.3 else "service",
            situation="billing_support",
            original_subject="About your bill" if channel == "Email" else "",
            original_body=body,
            subject="About your bill" if channel == "Email" else "",
            body=body,
            **extra,
        )

    items = [item(pk, "waiting") for pk in waiting]
    items += [item(pk, "sent" if i % 2 else "dismissed") for i, pk in enumerate(closed)]
    Notification.objects.bulk_create(items, batch_size=5000)
    timings["seed_s"] = time.perf_counter() - started
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return timings


def measure(client, path: str, runs: int, headers: dict | None = None) -> dict[str, float]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(5):  # warm caches and connections
        assert client.get(path, headers=headers or {}).status_code == 200, path
    with CaptureQueriesContext(connection) as captured:
        client.get(path, headers=headers or {})
    queries = len(captured.captured_queries)  # now: later requests reset the connection's query log
    times, cpu = [], []
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        response = client.get(path, headers=headers or {})
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
        assert response.status_code == 200
    times.sort()
    return {
        "median_ms": statistics.median(times),
        "p95_ms": times[int(0.95 * (len(times) - 1))],
        # this process's CPU only (not the database server's): steadier than wall time on a shared machine
        "cpu_ms": statistics.median(cpu),
        "queries": queries,
        "kb": len(response.content) / 1024,
    }


def floor_urlconf() -> None:
    """The project's URLs plus a trivial login-required view (the floor every page pays)."""
    import types

    from django.conf import settings
    from django.contrib.auth.decorators import login_required
    from django.http import HttpResponse
    from django.urls import include, path

    module = types.ModuleType("queue_bench_urls")
    module.urlpatterns = [
        path("floor/", login_required(lambda request: HttpResponse("ok"))),
        path("", include("notification_engine.urls")),
    ]
    sys.modules["queue_bench_urls"] = module
    settings.ROOT_URLCONF = "queue_bench_urls"


def run_views(runs: int) -> list[tuple[str, dict]]:
    from django.contrib.auth.models import User
    from django.test import Client

    floor_urlconf()
    client = Client()
    client.force_login(User.objects.get(username="bench-agent"))
    hx = {"HX-Request": "true"}
    scenarios = [
        ("floor: trivial login-required view", "/floor/", None),
        ("queue: first page (full page)", "/", None),
        ("queue: filtered (High, SMS) partial", "/?priority=High&channel=SMS", hx),
        ("queue: filtered (marketing, fallback)", "/?kind=marketing&fallback=on", hx),
        ("queue: search by name 'morag mac'", "/?q=morag+mac", hx),
        ("queue: search by customer ID", "/?q=CUST004242", hx),
        ("queue: page 100", "/?page=100", hx),
        ("queue: sent today", "/?status=sent", hx),
        ("header stats partial", "/stats/", hx),
    ]
    return [(label, measure(client, path, runs, headers)) for label, path, headers in scenarios]


def run_load(database_url: str, seconds: int, connections: int, think_ms: int = 0) -> str:
    """gunicorn (2 gthread workers) + wrk (1 thread) with a logged-in agent's session cookie; returns the report."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.models import User
    from django.contrib.sessions.backends.db import SessionStore

    if not shutil.which("wrk"):
        return "wrk is not installed (apt-get install -y wrk)"
    user = User.objects.get(username="bench-agent")
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    folder = Path(tempfile.mkdtemp(prefix="queue-load-"))
    script = folder / "agent.lua"
    # Each request is a logged-in agent's queue page (a third filtered); the report adds p95 (wrk prints p99).
    script.write_text(
        f"""
wrk.headers["Cookie"] = "{settings.SESSION_COOKIE_NAME}={session.session_key}"
local paths = {{"/", "/", "/?priority=High&channel=SMS"}}
local think = {think_ms}
n = 0
if think > 0 then
  -- an agent reads between requests: a random pause around `think` ms
  function delay()
    return math.random(math.floor(think / 2), math.floor(think * 3 / 2))
  end
end

function request()
  n = n + 1
  return wrk.format("GET", paths[(n % #paths) + 1])
end

function done(summary, latency, requests)
  io.write(string.format("requests/s: %.1f\\n", summary.requests / (summary.duration / 1e6)))
  io.write(string.format("latency ms: p50 %.1f  p95 %.1f  p99 %.1f  max %.1f\\n",
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
  local e = summary.errors
  io.write(string.format("socket errors: connect %d, read %d, write %d, timeout %d; %d requests, %.0f KB each\\n",
    e.connect, e.read, e.write, e.timeout, summary.requests, summary.bytes / summary.requests / 1024))
end
"""
    )
    env = {**os.environ, "DATABASE_URL": database_url, "DEBUG": "False", "LOG_LEVEL": "WARNING"}
    access_log = folder / "access.log"  # one status code per line: every non-200 is counted as an error
    port = "8765"
    gunicorn = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "notification_engine.wsgi:application",
            "--workers",
            "2",
            # gthread: a connection that is open but has not sent its request yet (wrk's pause
            # between requests, a slow client) waits in the poller instead of blocking a worker,
            # as nginx's buffering would do in production. CPU parallelism is still 2 processes.
            "--worker-class",
            "gthread",
            "--threads",
            "4",
            "--keep-alive",
            "5",  # longer than an agent's pause, so wrk's idle connections are not cut between requests
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "--access-logfile",
            str(access_log),
            "--access-logformat",
            "%(s)s",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        import urllib.request

        for _ in range(100):  # wait for the workers to answer
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        # The cookie must open the queue itself (a 302 to the login page would measure the wrong thing).
        probe = urllib.request.Request(
            f"http://127.0.0.1:{port}/", headers={"Cookie": f"{settings.SESSION_COOKIE_NAME}={session.session_key}"}
        )
        with urllib.request.urlopen(probe, timeout=30) as answer:
            body = answer.read().decode()
            if answer.status != 200 or "drafts waiting" not in body:
                return f"the session cookie does not open the queue (HTTP {answer.status})"
        # Warm both workers (imports, template compilation), then forget the warm-up's log lines.
        wrk = ["wrk", "-t1", f"-c{connections}", "--timeout", "10s", "-s", str(script), f"http://127.0.0.1:{port}/"]
        subprocess.run([*wrk, "-d5s"], capture_output=True, check=False)
        time.sleep(1)
        access_log.write_text("")
        result = subprocess.run(
            [*wrk, f"-d{seconds}s"],
            capture_output=True,
            text=True,
            check=False,
        )
        time.sleep(1)  # let the workers flush their access log
        statuses = Counter(access_log.read_text().split())
        not_ok = sum(count for status, count in statuses.items() if status != "200")
        return result.stdout + result.stderr + f"HTTP statuses: {dict(statuses)}; errors (non-200): {not_ok}\n"
    finally:
        gunicorn.terminate()
        gunicorn.wait(timeout=30)
        shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--drafts", type=int, default=25_000)
    parser.add_argument("--runs", type=int, default=60, help="timed requests per scenario")
    parser.add_argument("--database-url", default=None, help="a PostgreSQL URL; default a temp SQLite file")
    parser.add_argument("--load", type=int, default=0, help="seconds of wrk load against gunicorn (0: skip)")
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument(
        "--think-ms", type=int, default=0, help="also run the load with agents pausing ~this long between requests"
    )
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args()

    database_url, drop = scratch_database(args.database_url)
    try:
        setup_django(database_url)
        from django.db import connection

        timings = seed(args.customers, args.drafts, random.Random(args.seed))
        print(
            f"{connection.vendor}: {args.customers:,} customers, {args.drafts:,} waiting drafts "
            f"(seeded in {timings['seed_s']:.1f} s)"
        )
        print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())} ({os.cpu_count()} cores)")
        print(f"{'scenario':42} {'median ms':>10} {'p95 ms':>8} {'CPU ms':>7} {'queries':>8} {'KB':>6}")
        for label, row in run_views(args.runs):
            print(
                f"{label:42} {row['median_ms']:10.1f} {row['p95_ms']:8.1f} {row['cpu_ms']:7.1f} "
                f"{row['queries']:8d} {row['kb']:6.0f}"
            )
        if args.load:
            connection.close()
            print(f"\nload: gunicorn 2 gthread workers, wrk {args.connections} connections, {args.load} s, no pause")
            print(run_load(database_url, args.load, args.connections))
            if args.think_ms:
                print(f"load: the same {args.connections} agents, each pausing ~{args.think_ms} ms between requests")
                print(run_load(database_url, args.load, args.connections, args.think_ms))
    finally:
        from django.db import connections

        connections.close_all()
        drop()


if __name__ == "__main__":
    main()
