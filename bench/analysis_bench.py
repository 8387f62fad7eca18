"""Offline analysis at scale, segmentation quality, draft trust checks, and Bedrock cost and quality.

    .venv/bin/python bench/analysis_bench.py --customers 100000
    .venv/bin/python bench/analysis_bench.py --customers 20000 --database-url postgres://postgres@127.0.0.1:5432/bench
    .venv/bin/python bench/analysis_bench.py --customers 5000 --no-scaling   # the Bedrock figures alone, quickly

Self-contained: a throwaway SQLite database (or --database-url, whose tables are
emptied first), demo data from the generator with its hidden personas, imported
with the project's importer. Timed: `load_profiles` for every customer plus
`analyse_customer` with the offline analyst (segmentation for all; priority,
draft and trust checks for Value Seekers). Runs at N/10 and N to show scaling.
Import time is reported but not counted.

Then Bedrock (bench/bedrock_costs.py): the first --bedrock-customers customers
analysed through a real boto3 client against the local fake, at the default
settings and in the variants named, for £ per 1,000 notifications from the
tokens the fake reports, the share of customers sent to Bedrock, and the
macro-F1 against the planted personas beside the offline scorer's on the same
customers.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import os
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from statistics import mean

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TARGET_100K_SECONDS = 20.0
TARGET_SCALING = 11.0
TARGET_F1 = 0.9
TARGET_GBP_PER_1000 = 0.50
ROUTING_THRESHOLDS = (0.35, 0.4, 0.45, 0.5, 0.55, 0.6)


def setup_django(database_url: str | None, workdir: Path) -> None:
    os.environ["DATABASE_URL"] = database_url or f"sqlite:///{workdir / 'bench.sqlite3'}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "notification_engine.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def empty_tables() -> None:
    """Empty the five datasets (children first) with plain SQL: the bench owns this database."""
    from django.db import connection

    from customers import models

    with connection.cursor() as cursor:
        for model in (models.AccountActivity, models.Interaction, models.NotificationHistory,
                      models.RecommendedAction, models.Customer):  # fmt: skip
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")


def generate_and_import(directory: Path, customers: int, seed: int, as_of: dt.date) -> tuple[dict[str, str], float]:
    from django.core.management import call_command

    from customers.demo_data import generate_dataset
    from tests.fakes.generated import _rows

    generate_dataset(directory, customers=customers, seed=seed, with_personas=True, as_of=as_of)
    empty_tables()
    started = time.perf_counter()
    call_command("import_datasets", str(directory), "--json", stdout=open(os.devnull, "w"))  # noqa: SIM115
    took = time.perf_counter() - started
    personas = {row["Customer_ID"]: row["Persona"] for row in _rows(directory / "personas.csv")}
    return personas, took


CHUNK = 5_000  # customers per task, like the job layer's chunks (which are smaller)


def analyse_chunk(task: tuple[list[int], dt.date]) -> dict:
    """One chunk, as a job worker would do it: load the profiles in bulk, analyse each customer."""
    from notifications.analysis.analysts.offline import OfflineAnalyst
    from notifications.analysis.services.analyse import analyse_customer
    from notifications.profiles.selectors import load_profiles

    pks, today = task
    analyst = OfflineAnalyst(today=today)
    started, cpu_started = time.perf_counter(), time.process_time()
    profiles = load_profiles(pks)
    loaded, cpu_loaded = time.perf_counter(), time.process_time()
    results = [(profile, analyse_customer(profile, analyst)) for profile in profiles.values()]
    finished, cpu_finished = time.perf_counter(), time.process_time()
    drafted = [(p, r) for p, r in results if r.draft is not None]
    warnings = Counter(w.split(":", 1)[0] for _, r in drafted for w in r.warnings)
    return {
        "load_s": loaded - started,
        "analyse_s": finished - loaded,
        # CPU seconds: what the work costs, whatever else shares the 2 cores at the time.
        "load_cpu": cpu_loaded - cpu_started,
        "analyse_cpu": cpu_finished - cpu_loaded,
        "segments": [(p.customer_id, r.segmentation.segment.value) for p, r in results],
        "value_seekers": sum(1 for _, r in results if r.priority is not None),
        "drafts": len(drafted),
        "drafts_with_warnings": sum(1 for _, r in drafted if r.warnings),
        "warnings": warnings,
        "mix": Counter((r.draft.situation, r.draft.channel) for _, r in drafted),
    }


def run_analysis(today: dt.date, workers: int) -> tuple[list[dict], float]:
    from django.db import connections

    from customers.models import Customer

    pks = list(Customer.objects.order_by("pk").values_list("pk", flat=True))
    tasks = [(pks[i : i + CHUNK], today) for i in range(0, len(pks), CHUNK)]
    connections.close_all()  # forked workers open their own connections
    # The bench's own data (personas, earlier runs) lives in this parent: keep it out of the workers'
    # garbage-collector passes, as a long-running job worker would not have it at all.
    gc.collect()
    gc.freeze()
    started = time.perf_counter()
    if workers == 1:
        chunks = [analyse_chunk(task) for task in tasks]
    else:
        import multiprocessing

        with multiprocessing.get_context("fork").Pool(workers) as pool:
            chunks = pool.map(analyse_chunk, tasks, chunksize=1)
    return chunks, time.perf_counter() - started


def macro_f1(segments: list[tuple[str, str]], personas: dict[str, str]) -> tuple[float, dict[str, float]]:
    from customers.demo_data import SEGMENT_FOR_PERSONA

    pairs = Counter((SEGMENT_FOR_PERSONA[personas[cid]], segment) for cid, segment in segments)
    segments_ = sorted(set(SEGMENT_FOR_PERSONA.values()))
    scores = {}
    for s in segments_:
        tp = pairs[(s, s)]
        fp = sum(pairs[(t, s)] for t in segments_ if t != s)
        fn = sum(pairs[(s, t)] for t in segments_ if t != s)
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        scores[s] = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return mean(scores.values()), scores


def bedrock_figures(n: int, personas: dict[str, str], today: dt.date, poisoned_share: float) -> None:
    from bedrock_costs import scenarios
    from django.conf import settings

    from customers.demo_data import SEGMENT_FOR_PERSONA
    from customers.models import Customer
    from notifications.analysis.analysts.offline import OfflineAnalyst
    from notifications.profiles.selectors import load_profiles

    pks = list(Customer.objects.order_by("pk").values_list("pk", flat=True)[:n])
    profiles = list(load_profiles(pks).values())
    offline = OfflineAnalyst(today=today)
    segmented = [(p.customer_id, offline.segment(p)) for p in profiles]
    baseline, _ = macro_f1([(cid, s.segment.value) for cid, s in segmented], personas)
    print("\nrouting: offline confidence threshold -> share of customers sent to Bedrock; how often the rules alone "
          "are right about those customers")  # fmt: skip
    for threshold in ROUTING_THRESHOLDS:
        unsure = [(cid, s) for cid, s in segmented if s.confidence <= threshold]
        right = sum(SEGMENT_FOR_PERSONA[personas[cid]] == s.segment.value for cid, s in unsure)
        print(f"  <= {threshold:.2f}: {len(unsure) / len(segmented):6.1%} of customers; rules right for "
              f"{right / max(1, len(unsure)):.0%} of them")  # fmt: skip
    started = time.perf_counter()
    runs = scenarios(profiles, poisoned_share)
    print(
        f"\nBedrock through a real boto3 client against the local fake ({time.perf_counter() - started:.0f} s), "
        f"{len(profiles):,} customers; defaults: segmentation and priority on {settings.BEDROCK_BULK_MODEL_ID}, "
        f"drafts on {settings.BEDROCK_MODEL_ID}, Bedrock only where the offline confidence is <= "
        f"{settings.BEDROCK_CONFIDENCE_THRESHOLD}; tokens as the fake reports them; prices of 2026-12-01 at "
        f"USD_TO_GBP {settings.USD_TO_GBP}:"
    )
    print(f"  offline scorer alone on these customers: macro-F1 {baseline:.3f} (the baseline)")
    for r in runs:
        f1, _ = macro_f1(r.segments, personas)
        print(
            f"  {r.name}: £{r.per_1000:.2f} per 1,000 notifications (£{r.cost:.2f} for {r.notifications:,}); "
            f"{r.share:.1%} of customers sent to Bedrock; macro-F1 {f1:.3f} = {f1 / baseline:.3f}x the offline; "
            f"{r.fallbacks:,} fallbacks, {r.disputes:,} disputes flagged"
        )
        print(f"      {'; '.join(r.per_call(op) for op in ('segment', 'prioritise', 'draft'))}")
    by_name = {r.name: r for r in runs}
    default, no_cache, draft_only = by_name["default"], by_name["default, prompt caching off"], by_name["draft only"]
    sonnet, sonnet_no_cache = by_name["every step on the draft model"], by_name[
        "every step on the draft model, caching off"]  # fmt: skip
    f1, _ = macro_f1(default.segments, personas)
    verdict = "OK" if default.per_1000 <= TARGET_GBP_PER_1000 else "MISSED"
    print(f"  default settings: £{default.per_1000:.2f} per 1,000 notifications vs <= £{TARGET_GBP_PER_1000:.2f}  "
          f"[{verdict}]; draft only £{draft_only.per_1000:.2f}")  # fmt: skip
    verdict = "OK" if f1 >= baseline else "MISSED"
    print(f"  hybrid macro-F1 {f1:.3f} vs >= offline {baseline:.3f}  [{verdict}]; {default.share:.1%} sent to Bedrock")
    worst = runs[-1]  # every customer to a model that invents segment answers for some of them
    f1, _ = macro_f1(worst.segments, personas)
    verdict = "OK" if f1 >= baseline else "MISSED"
    print(f"  {worst.name}: macro-F1 {f1:.3f} vs >= offline {baseline:.3f}  [{verdict}] ({worst.fallbacks:,} "
          "answers rejected and replaced by the rules' segment)")  # fmt: skip
    saved = no_cache.cost - default.cost
    sonnet_saved = sonnet_no_cache.cost - sonnet.cost
    print(
        f"  prompt caching saves £{saved:.4f} at the default settings and £{sonnet_saved:.4f} "
        f"({sonnet_saved / sonnet_no_cache.cost:.0%}) with every step on the draft model"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--database-url", default=None, help="default: a throwaway SQLite file")
    parser.add_argument("--no-scaling", action="store_true", help="skip the N/10 run")
    parser.add_argument("--drafts", type=int, default=10_000, help="at least this many drafts must be checked")
    parser.add_argument("--workers", type=int, default=2, help="processes (the machine has 2 cores)")
    parser.add_argument("--bedrock-customers", type=int, default=5_000, help="customers for the Bedrock figures")
    parser.add_argument("--poisoned-share", type=float, default=0.3, help="share of customers given invented "
                        "segment answers in the poisoned runs")  # fmt: skip
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="analysis-bench-") as tmp:
        workdir = Path(tmp)
        setup_django(args.database_url, workdir)
        from django.db import connection
        from django.utils import timezone

        today = timezone.localdate()
        print(f"database: {connection.vendor}; today: {today}; 2 cores expected (nproc={os.cpu_count()})")
        sizes = [args.customers] if args.no_scaling else [max(1, args.customers // 10), args.customers]
        timings: dict[int, float] = {}
        cpu: dict[int, float] = {}
        print(f"load average before: {os.getloadavg()[0]:.2f} (other work on the 2 shared cores inflates wall time)")
        for size in sizes:
            personas, import_s = generate_and_import(workdir / f"data-{size}", size, args.seed, today)
            chunks, wall = run_analysis(today, args.workers)
            timings[size] = wall
            load_s = sum(c["load_cpu"] for c in chunks)
            analyse_s = sum(c["analyse_cpu"] for c in chunks)
            cpu[size] = load_s + analyse_s
            vs = sum(c["value_seekers"] for c in chunks)
            drafts = sum(c["drafts"] for c in chunks)
            print(
                f"\n{size:,} customers (import {import_s:.1f} s, not counted), {args.workers} process(es): "
                f"{wall:.2f} s wall -> {size / wall:,.0f} customers/s; CPU: load_profiles {load_s:.2f} s + analysis "
                f"{analyse_s:.2f} s = {cpu[size]:.2f} s ({cpu[size] / size * 1e6:.0f} us/customer, "
                f"{size / cpu[size]:,.0f} customers per CPU-second); {vs:,} Value Seekers, {drafts:,} drafts; "
                f"load average now {os.getloadavg()[0]:.2f}"
            )
        big = sizes[-1]
        if big >= 100_000:
            wall, ideal = timings[big], cpu[big] / args.workers
            verdict = "OK" if wall < TARGET_100K_SECONDS else "MISSED"
            print(f"100k target: {wall:.2f} s wall vs < {TARGET_100K_SECONDS:.0f} s  [{verdict}]; CPU {cpu[big]:.2f} s "
                  f"= {ideal:.2f} s on {args.workers} idle cores")  # fmt: skip
        if len(sizes) == 2:
            ratio, cpu_ratio = timings[sizes[1]] / timings[sizes[0]], cpu[sizes[1]] / cpu[sizes[0]]
            verdict = "OK" if min(ratio, cpu_ratio) <= TARGET_SCALING else "MISSED"
            print(f"scaling: 10x customers cost {ratio:.2f}x the wall time, {cpu_ratio:.2f}x the CPU time vs <= "
                  f"{TARGET_SCALING:.0f}x  [{verdict}]")  # fmt: skip

        f1, per_segment = macro_f1([s for c in chunks for s in c["segments"]], personas)
        detail = ", ".join(f"{s} {v:.3f}" for s, v in per_segment.items())
        verdict = "OK" if f1 >= TARGET_F1 else "MISSED"
        print(f"\nsegmentation macro-F1 vs personas ({big:,} customers): {f1:.3f} vs >= {TARGET_F1}  [{verdict}]")
        print(f"  per segment: {detail}")

        flagged = sum(c["drafts_with_warnings"] for c in chunks)
        warnings = sum((c["warnings"] for c in chunks), Counter())
        mix = sum((c["mix"] for c in chunks), Counter())
        verdict = "OK" if flagged == 0 and drafts >= args.drafts else "CHECK"
        print(
            f"\ntrust checks (grounding, British English, length, opt-out, consent, promotional, names) over all "
            f"{drafts:,} offline drafts (target: >= {args.drafts:,} drafts): {flagged} drafts with a violation vs "
            f"target 0  [{verdict}]"
        )
        if warnings:
            print(f"  by kind: {dict(warnings)}")
        print(f"  drafts by situation/channel: {dict(sorted(mix.items()))}")

        bedrock_figures(min(args.bedrock_customers, big), personas, today, args.poisoned_share)
        if args.database_url:
            empty_tables()


if __name__ == "__main__":
    main()
