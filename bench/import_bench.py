"""Import speed and memory: our import_datasets path against the driver floor.

    .venv/bin/python bench/import_bench.py --customers 200000 [--database-url postgres://postgres@127.0.0.1:5432/x]

Generates the five supplier files (~5 rows per customer) with the demo-data
generator, imports them with the import_datasets command into a throwaway
database, then imports the same files into an identical empty schema with the
bare minimum a CSV import needs, as the floor:

* SQLite: csv.reader + Yes/No → 0/1 + Customer_ID → pk, `sqlite3.executemany`
  plain INSERTs (no validation, no time zones, no hashing);
* PostgreSQL: the same with psycopg `COPY … FROM STDIN` straight into the table.

Each phase runs in its own interpreter so ru_maxrss is that phase's peak.
Never touches the project's own db.sqlite3: SQLite runs use a temp file,
PostgreSQL runs create and drop scratch databases next to the URL's database.
"""

import argparse
import csv
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
FILES = [
    ("Customer Profiles.csv", "customers_customer"),
    ("Account Activity Logs.csv", "customers_accountactivity"),
    ("Interaction History.csv", "customers_interaction"),
    ("Notification History.csv", "customers_notificationhistory"),
    ("Recommended Actions.csv", "customers_recommendedaction"),
]
# Source column → table column, with a light conversion for the floor.
COLUMNS = {
    "customers_customer": "customer_id name age location preferred_channel source_segment opted_in income_bracket "
    "customer_since satisfaction_score",
    "customers_accountactivity": "customer_id account_status last_transaction last_login recent_activity "
    "engagement_score account_tenure_years subscription_type churn_risk_score",
    "customers_interaction": "customer_id channel occurred_at interaction_type sentiment summary "
    "response_time_minutes resolution_status agent_id",
    "customers_notificationhistory": "notification_id customer_id channel sent_at notification_type opened clicked "
    "action_taken delivery_status notification_priority response_time_hours",
    "customers_recommendedaction": "customer_id scenario recommended_action urgency_level follow_up_required "
    "assigned_team",
}
NULLABLE = {"response_time_minutes", "response_time_hours"}
BOOLEANS = {"opted_in", "opened", "clicked", "follow_up_required"}


def _setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "notification_engine.settings")
    os.environ.setdefault("DEBUG", "False")  # no per-query logging, as in production
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --- phases (each in its own interpreter) ----------------------------------------------


def phase_generate(args: argparse.Namespace) -> dict:
    sys.path.insert(0, str(ROOT))
    from customers.demo_data import generate_dataset

    started = time.perf_counter()
    counts = generate_dataset(Path(args.data), customers=args.customers, seed=args.seed)
    return {"counts": counts, "seconds": time.perf_counter() - started}


def phase_migrate(args: argparse.Namespace) -> dict:
    _setup_django(args.database_url)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return {}


def phase_ours(args: argparse.Namespace) -> dict:
    _setup_django(args.database_url)
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    started = time.perf_counter()
    call_command("import_datasets", args.data, "--json", "--batch-size", str(args.batch_size), stdout=out)
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "summary": json.loads(out.getvalue()), "peak_mb": _peak_mb()}


def _floor_rows(path: Path, table: str, customers: dict[str, int]):
    columns = COLUMNS[table].split()
    with path.open(encoding="utf-8-sig", newline="") as stream:
        reader = csv.reader(stream)
        next(reader)
        fk = columns.index("customer_id") if table != "customers_customer" else -1
        bools = [i for i, c in enumerate(columns) if c in BOOLEANS]
        nulls = [i for i, c in enumerate(columns) if c in NULLABLE]
        yes = {"Yes": True, "No": False}
        for row in reader:
            if fk >= 0:
                row[fk] = customers[row[fk]]
            for i in bools:
                row[i] = yes[row[i]]
            for i in nulls:
                if row[i] == "":
                    row[i] = None
            yield row


def phase_floor(args: argparse.Namespace) -> dict:
    data = Path(args.data)
    started = time.perf_counter()
    if args.database_url.startswith("sqlite"):
        import sqlite3

        db = sqlite3.connect(urlsplit(args.database_url).path)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute("BEGIN IMMEDIATE")
        customers: dict[str, int] = {}
        for filename, table in FILES:
            columns = COLUMNS[table].split() + ["source_hash"]
            extra = [""]
            if table == "customers_customer":
                columns.append("updated_at")
                extra.append("2026-01-01 00:00:00")
            sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
            rows = _floor_rows(data / filename, table, customers)
            while batch := [(*row, *extra) for _, row in zip(range(args.batch_size), rows, strict=False)]:
                db.executemany(sql, batch)
            if table == "customers_customer":
                customers = dict(db.execute("SELECT customer_id, id FROM customers_customer"))
        db.commit()
        db.close()
    else:
        import psycopg

        with psycopg.connect(args.database_url) as db, db.cursor() as cursor:
            # Supplier times are UK local: let the server convert them.
            cursor.execute("SET TIME ZONE 'Europe/London'")
            customers = {}
            for filename, table in FILES:
                columns = COLUMNS[table].split() + ["source_hash"]
                extra: tuple = ("",)
                if table == "customers_customer":
                    columns.append("updated_at")
                    extra = ("", "2026-01-01 00:00:00")
                with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                    for row in _floor_rows(data / filename, table, customers):
                        copy.write_row((*row, *extra))
                if table == "customers_customer":
                    cursor.execute("SELECT customer_id, id FROM customers_customer")
                    customers = dict(cursor.fetchall())
    return {"seconds": time.perf_counter() - started, "peak_mb": _peak_mb()}


PHASES = {"generate": phase_generate, "migrate": phase_migrate, "ours": phase_ours, "floor": phase_floor}


def _run_phase(name: str, args: argparse.Namespace, database_url: str = "") -> dict:
    command = [
        sys.executable,
        __file__,
        "--phase",
        name,
        "--data",
        str(args.data),
        "--customers",
        str(args.customers),
        "--seed",
        str(args.seed),
        "--batch-size",
        str(args.batch_size),
        "--database-url",
        database_url,
    ]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.stderr.write(done.stdout + done.stderr)
        raise SystemExit(f"phase {name} failed")
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- throwaway databases -------------------------------------------------------------------


class ScratchDatabases:
    """Two empty, migrated databases with the same schema: ours and the floor's."""

    def __init__(self, database_url: str | None, workdir: Path) -> None:
        self.base = database_url
        self.workdir = workdir
        self.pg_names: list[str] = []

    def create(self, args: argparse.Namespace) -> tuple[str, str]:
        if not self.base:
            ours, floor = self.workdir / "ours.sqlite3", self.workdir / "floor.sqlite3"
            _run_phase("migrate", args, f"sqlite:///{ours}")
            shutil.copy(ours, floor)
            return f"sqlite:///{ours}", f"sqlite:///{floor}"
        import psycopg

        parts = urlsplit(self.base)
        suffix = f"{os.getpid()}"
        ours_name, floor_name = f"import_bench_ours_{suffix}", f"import_bench_floor_{suffix}"
        ours_url = urlunsplit(parts._replace(path=f"/{ours_name}"))
        floor_url = urlunsplit(parts._replace(path=f"/{floor_name}"))
        admin_url = urlunsplit(parts._replace(path="/postgres"))
        with psycopg.connect(admin_url, autocommit=True) as db:
            db.execute(f"CREATE DATABASE {ours_name}")
            self.pg_names.append(ours_name)
            _run_phase("migrate", args, ours_url)
            db.execute(f"CREATE DATABASE {floor_name} TEMPLATE {ours_name}")
            self.pg_names.append(floor_name)
        return ours_url, floor_url

    def drop(self) -> None:
        if not self.pg_names:
            return
        import psycopg

        admin_url = urlunsplit(urlsplit(self.base)._replace(path="/postgres"))
        with psycopg.connect(admin_url, autocommit=True) as db:
            for name in self.pg_names:
                db.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--customers", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database-url", default="", help="PostgreSQL server to use (default: a temp SQLite file)")
    parser.add_argument("--batch-size", type=int, default=5_000)
    parser.add_argument("--data", help="reuse generated files from this folder (generated there if missing)")
    parser.add_argument("--phase", choices=PHASES, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.phase:
        print(json.dumps(PHASES[args.phase](args)))
        return

    workdir = Path(tempfile.mkdtemp(prefix="import-bench-"))
    databases = ScratchDatabases(args.database_url or None, workdir)
    try:
        if args.data is None:
            args.data = workdir / "data"
        if not (Path(args.data) / FILES[-1][0]).exists():
            generated = _run_phase("generate", args)
            print(f"generated {sum(generated['counts'].values()):,} rows in {generated['seconds']:.1f}s")
        ours_url, floor_url = databases.create(args)
        engine = "PostgreSQL (floor: COPY)" if args.database_url else "SQLite (floor: sqlite3 executemany)"
        ours = _run_phase("ours", args, ours_url)
        again = _run_phase("ours", args, ours_url)  # same files again: must change nothing
        floor = _run_phase("floor", args, floor_url)
        _report(engine, ours, floor)
        changed = sum(f["created"] + f["updated"] for f in again["summary"]["files"])
        print(f"  re-import of the same files: {again['seconds']:.1f}s, {changed} rows created or updated")
    finally:
        databases.drop()
        shutil.rmtree(workdir, ignore_errors=True)


def _report(engine: str, ours: dict, floor: dict) -> None:
    files = ours["summary"]["files"]
    rows = sum(f["rows"] for f in files)
    for f in files:
        print(f"  {f['file']:<28} {f['rows']:>9,} rows  {f['rows_per_second']:>9,} rows/s")
    ratio = ours["seconds"] / floor["seconds"]
    print(f"{engine}: {rows:,} rows")
    for label, phase in (("ours ", ours), ("floor", floor)):
        rate = rows / phase["seconds"]
        print(f"  {label}: {phase['seconds']:7.1f}s  {rate:>10,.0f} rows/s  peak RSS {phase['peak_mb']:,.0f} MB")
    verdict = "OK" if ratio <= 3 else "ABOVE TARGET"
    print(f"  ratio: {ratio:.2f}× the floor's time (target ≤ 3×: {verdict}); memory target < 1 GB")


if __name__ == "__main__":
    main()
