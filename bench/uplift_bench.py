"""The holdout loop at scale: planted-effect recovery, and the uplift section's latency against a trivial view.

    .venv/bin/python bench/uplift_bench.py [--customers 20000] [--churn-effect -5]
        [--database-url postgres://postgres@127.0.0.1:5432/postgres] [--runs 10]

1. In a throwaway database (a temp SQLite file, or a scratch PostgreSQL database
   next to the URL's, dropped afterwards), runs the whole loop as a user would:
   generate_demo_data → import_datasets → an offline analysis run (in process;
   the holdout holds out 10% of the proactive contacts) → experiment_subjects →
   generate_demo_data --follow-up with the planted churn effect → import_datasets.
2. Prints what uplift_report recovers: the estimate and its 95% interval against
   the planted value.
3. With Django's test client, measures median and p95 in ms and the SQL query
   count of the results page's uplift section (the htmx partial) against a
   trivial login-required view, and prints the ratio.

Never touches the project's own database.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from queue_bench import floor_urlconf, measure, scratch_database, setup_django


def run_loop(customers: int, effect: float, folder: Path) -> dict[str, float]:
    from celery.canvas import group
    from django.core.management import call_command

    from notifications.jobs.pipeline import process_chunk
    from notifications.jobs.services import start_job

    group.apply_async = lambda self, *a, **k: None  # chunks run here, in order, not on a worker
    quiet = {"stdout": io.StringIO(), "stderr": io.StringIO()}
    timings = {}
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("generate_demo_data", "--customers", str(customers), "--out", str(folder / "demo"), **quiet)
    call_command("import_datasets", str(folder / "demo"), **quiet)
    timings["export_s"] = time.perf_counter() - started
    started = time.perf_counter()
    job = start_job(provider="offline")
    for chunk in job.chunks.order_by("index"):
        process_chunk(chunk.pk)
    timings["analysis_s"] = time.perf_counter() - started
    started = time.perf_counter()
    call_command("experiment_subjects", "--output", str(folder / "subjects.csv"), **quiet)
    call_command("generate_demo_data", "--follow-up", str(folder / "subjects.csv"), "--churn-effect", str(effect),
                 "--out", str(folder / "later"), **quiet)  # fmt: skip
    call_command("import_datasets", str(folder / "later"), **quiet)
    timings["follow_up_s"] = time.perf_counter() - started
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--churn-effect", type=float, default=-5.0, help="planted effect on churn, points")
    parser.add_argument("--runs", type=int, default=10, help="timed requests per scenario")
    parser.add_argument("--database-url", default=None, help="a PostgreSQL URL (scratch database next to it)")
    args = parser.parse_args()

    database_url, drop = scratch_database(args.database_url)
    try:
        setup_django(database_url)
        from django.contrib.auth.models import User
        from django.core.management import call_command
        from django.db import connection
        from django.test import Client

        with tempfile.TemporaryDirectory(prefix="uplift-bench-") as folder:
            timings = run_loop(args.customers, args.churn_effect, Path(folder))
        print(f"{connection.vendor}: {args.customers:,} demo customers; export {timings['export_s']:.1f} s, "
              f"analysis {timings['analysis_s']:.1f} s, follow-up {timings['follow_up_s']:.1f} s")  # fmt: skip
        out = io.StringIO()
        call_command("uplift_report", "--json", stdout=out)
        report = json.loads(out.getvalue())
        h = report["headline"]
        inside = h["ci_low"] <= args.churn_effect <= h["ci_high"]
        print(f"planted churn effect {args.churn_effect:+g} points: estimate {h['difference']:+.2f}, 95% interval "
              f"{h['ci_low']:+.2f} to {h['ci_high']:+.2f} ({'contains' if inside else 'MISSES'} the true value); "
              f"{h['treated_n']:,} contacted, {h['control_n']:,} held out")  # fmt: skip
        print(f"verdict: {h['verdict']}")

        User.objects.create_user("bench-supervisor", password=str(random.random()), is_staff=True, is_superuser=True)
        floor_urlconf()
        client = Client()
        client.force_login(User.objects.get(username="bench-supervisor"))
        print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())} ({os.cpu_count()} cores)")
        floor = measure(client, "/floor/", args.runs)
        section = measure(client, "/results/uplift/", args.runs, {"HX-Request": "true"})
        print(f"{'scenario':36} {'median ms':>10} {'p95 ms':>8} {'queries':>8} {'p95 / floor':>12}")
        for label, row in (("floor: trivial login-required view", floor), ("uplift section (htmx partial)", section)):
            print(f"{label:36} {row['median_ms']:10.1f} {row['p95_ms']:8.1f} {row['queries']:8d} "
                  f"{row['p95_ms'] / floor['p95_ms']:11.1f}x")  # fmt: skip
    finally:
        from django.db import connections

        connections.close_all()
        drop()


if __name__ == "__main__":
    main()
