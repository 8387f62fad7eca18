"""Pipeline benchmark: the cost of the job machinery, and Bedrock concurrency.

    .venv/bin/python bench/pipeline_bench.py [--customers 20000] [--value-seekers 500] [--latency 1.0]
                                             [--skip-offline] [--skip-bedrock]
                                             [--database-url postgres://user@host:5432/any] [--broker-url URL]

Self-contained: a throwaway SQLite database and embedded broker under var/,
its own worker processes (`celery worker -P prefork -c 2`), removed at the end.
With --database-url (PostgreSQL) a scratch database named bench_<random> is
created on that server (the URL's own database is only used to connect) and
dropped at the end; --broker-url (e.g. redis://127.0.0.1:6379/0) replaces the
embedded broker.

(a) Offline: N generated customers through the whole pipeline (profiles,
    hashes, policies, analysis, decisions, queue, counters) on 2 worker
    processes, against the analyst alone in one process (load_profiles +
    analyse_customer in a loop). Target: pipeline wall time <= 1.5x.
(b) Bedrock: M contactable Value Seekers against the local fake Bedrock
    server (tests/fakes/bedrock_server.py) answering every call after
    `latency` seconds. Sequential baseline computed, not run. Target >= 10x.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(BASE_DIR))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from queue_bench import scratch_database  # noqa: E402 - a sibling script, found through the path above


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--value-seekers", type=int, default=500)
    parser.add_argument("--latency", type=float, default=1.0, help="fake Bedrock seconds per call")
    parser.add_argument("--concurrency", type=int, default=50, help="ANALYST_CONCURRENCY for (b)")
    parser.add_argument("--rpm", type=int, default=6000, help="BEDROCK_MAX_RPM for (b)")
    parser.add_argument("--skip-offline", action="store_true")
    parser.add_argument("--skip-bedrock", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep the throwaway directory")
    parser.add_argument("--database-url", help="PostgreSQL server to create a scratch database on (default SQLite)")
    parser.add_argument("--broker-url", help="Celery broker (default: embedded SQLAlchemy broker under var/)")
    args = parser.parse_args()

    (BASE_DIR / "var").mkdir(exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="pipeline-bench-", dir=BASE_DIR / "var"))
    queue = f"bench-{uuid.uuid4().hex[:8]}"
    database_url, drop = (
        scratch_database(args.database_url) if args.database_url else (f"sqlite:///{work / 'bench.sqlite3'}", None)
    )
    env = {
        "DATABASE_URL": database_url,
        "CELERY_BROKER_URL": args.broker_url or f"sqla+sqlite:///{work / 'broker.sqlite3'}",
        "CELERY_QUEUE": queue,
        "AI_PROVIDER": "offline",
        "LOG_LEVEL": "WARNING",
    }
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "notification_engine.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    try:
        call_command("migrate", verbosity=0)
        print(f"database: {connection.vendor}; broker: {env['CELERY_BROKER_URL'].split('://')[0]}")
        if not args.skip_offline:
            bench_offline(args, work, env)
        if not args.skip_bedrock:
            bench_bedrock(args, work, env)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
        if drop:
            from django.db import connections

            connections.close_all()
            drop()


# --- workers ---------------------------------------------------------------------------------


class Worker:
    def __init__(self, env: dict[str, str], work: Path, concurrency: int = 2) -> None:
        self.log = work / f"worker-{uuid.uuid4().hex[:6]}.log"
        cmd = [
            str(BASE_DIR / ".venv" / "bin" / "celery"), "-A", "notification_engine", "worker", "-P", "prefork",
            "-c", str(concurrency), "-Q", env["CELERY_QUEUE"], "-l", "info",
            "--without-gossip", "--without-mingle", "--without-heartbeat",
        ]  # fmt: skip
        self.proc = subprocess.Popen(
            cmd, cwd=BASE_DIR, env={**os.environ, **env}, stdout=self.log.open("wb"), stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"worker died:\n{self.log.read_text()[-3000:]}")
            if b" ready." in self.log.read_bytes():
                return
            time.sleep(0.2)
        raise SystemExit("worker not ready after 60 s")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def run_job(provider: str, timeout: float = 1800):
    from notifications.jobs.services import start_job

    started = time.perf_counter()
    job = start_job(provider=provider, force=True)
    while True:
        job.refresh_from_db()
        if job.is_finished:
            return job, time.perf_counter() - started
        if time.perf_counter() - started > timeout:
            raise SystemExit(f"job {job.pk} not finished after {timeout}s: {job.status} {job.processed}/{job.total}")
        time.sleep(0.05)  # a coarse poll would add up to its own period to the measured wall time


# --- (a) offline -------------------------------------------------------------------------------


def bench_offline(args, work: Path, env: dict[str, str]) -> None:
    from django.core.management import call_command

    from customers.demo_data.writer import generate_dataset
    from customers.models import Customer
    from notifications.analysis.services.analyse import analyse_customer, get_analyst
    from notifications.profiles.selectors import load_profiles

    data = work / "csv"
    data.mkdir()
    t = time.perf_counter()
    generate_dataset(data, customers=args.customers, seed=42)
    call_command("import_datasets", str(data), verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    n = Customer.objects.count()
    print(f"(a) data: {n:,} generated customers imported in {time.perf_counter() - t:.1f}s")

    pks = list(Customer.objects.order_by("pk").values_list("pk", flat=True))
    analyst = get_analyst("offline")
    t = time.perf_counter()
    for start in range(0, len(pks), 250):  # the same batches the pipeline loads
        for profile in load_profiles(pks[start : start + 250]).values():
            analyse_customer(profile, analyst)
    alone = time.perf_counter() - t
    print(f"(a) analyst alone, 1 process: {alone:.1f}s  {n / alone:,.0f} customers/s")

    worker = Worker(env, work, concurrency=2)
    try:
        job, wall = run_job("offline")
    finally:
        worker.stop()
    assert job.status == "succeeded" and job.done + job.failed + job.skipped == job.total == n, job
    print(
        f"(a) pipeline, 2 worker processes: {wall:.1f}s  {n / wall:,.0f} customers/s  "
        f"(segments {job.segment_counts}; Value Seekers {job.value_seekers:,}, contactable {job.contactable:,}, "
        f"drafts {job.drafts:,}, failed {job.failed})"
    )
    print(f"(a) pipeline / analyst alone = {wall / alone:.2f}x wall time (target <= 1.5x)")


# --- (b) Bedrock ---------------------------------------------------------------------------------


def bench_bedrock(args, work: Path, env: dict[str, str]) -> None:
    from customers.models import AccountActivity, Customer, Interaction
    from notifications.analysis.models import AICall
    from notifications.queue.models import Notification
    from notifications.supervision.services.erasure import allow_erasure
    from tests.fakes.bedrock_server import FakeBedrock

    with allow_erasure():  # part (a)'s drafts and their event trails are append-only in the database
        Notification.objects.all().delete()
        Customer.objects.all().delete()
    _value_seekers(args.value_seekers, Customer, AccountActivity, Interaction)

    with FakeBedrock(latency=args.latency) as server:
        bedrock_env = {
            **env,
            "AI_PROVIDER": "bedrock",
            "BEDROCK_ENDPOINT_URL": server.url,
            "AWS_ACCESS_KEY_ID": "bench",
            "AWS_SECRET_ACCESS_KEY": "bench",
            "ANALYST_CONCURRENCY": str(args.concurrency),
            "ANALYSIS_COMMIT_EVERY": str(args.concurrency),
            "BEDROCK_MAX_RPM": str(args.rpm),
            "BEDROCK_CONFIDENCE_THRESHOLD": "1.0",  # every customer to the fake: this part measures concurrency
        }
        worker = Worker(bedrock_env, work, concurrency=2)
        try:
            job, wall = run_job("bedrock")
        finally:
            worker.stop()
    calls = AICall.objects.filter(job=job).count()
    n = args.value_seekers
    print(
        f"(b) fake Bedrock, {args.latency:.1f}s per call, {n} Value Seekers, 2 worker processes x "
        f"ANALYST_CONCURRENCY={args.concurrency}, BEDROCK_MAX_RPM={args.rpm}: {wall:.1f}s "
        f"({job.status}; done {job.done}, fallbacks {job.fallbacks}, drafts {job.drafts}, {calls} calls, "
        f"£{job.cost_gbp:.4f})"
    )
    brief = n * args.latency
    honest = calls * args.latency
    print(
        f"(b) vs sequential {n} calls x {args.latency:.0f}s = {brief:.0f}s: {brief / wall:.1f}x faster (target >= 10x)"
    )
    print(
        f"(b) vs sequential {calls} real calls (segment+prioritise+draft) = {honest:.0f}s: {honest / wall:.1f}x faster"
    )
    print(f"(b) RPM bound: {calls} calls at {args.rpm}/min need at least {60 * calls / args.rpm:.0f}s")


def _value_seekers(n: int, Customer, AccountActivity, Interaction) -> None:  # noqa: N803
    """Contactable Value Seekers for the offline rules the fake model follows (bulk insert)."""
    import datetime as dt
    from decimal import Decimal

    from django.utils import timezone

    now = timezone.now()
    customers = Customer.objects.bulk_create(
        Customer(
            customer_id=f"BENCH{i:06d}", name=f"Morag Bench{i}", age=46, location="Dundee", preferred_channel="Email",
            source_segment="Engaged", opted_in=True, income_bracket="Low", customer_since=dt.date(2019, 4, 1),
            satisfaction_score=2,
        )
        for i in range(n)
    )  # fmt: skip
    AccountActivity.objects.bulk_create(
        AccountActivity(
            customer=c, account_status="Active", last_transaction="Tariff Switch",
            last_login=now - dt.timedelta(days=20), recent_activity="Viewed bill", engagement_score=50,
            account_tenure_years=Decimal("3"), subscription_type="Basic", churn_risk_score=Decimal("85"),
        )
        for c in customers
    )  # fmt: skip
    Interaction.objects.bulk_create(
        Interaction(
            customer=c, channel="Email", occurred_at=now - dt.timedelta(days=10), interaction_type="Complaint",
            sentiment="Negative", summary="Unhappy that the bill went up again; asked for a cheaper tariff.",
            response_time_minutes=30, resolution_status="Pending", agent_id="AG-1",
        )
        for c in customers
    )  # fmt: skip


if __name__ == "__main__":
    main()
