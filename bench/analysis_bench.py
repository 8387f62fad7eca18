"""Offline analysis at scale, segmentation quality, draft trust checks, and Bedrock prompt cost.

    .venv/bin/python bench/analysis_bench.py --customers 100000
    .venv/bin/python bench/analysis_bench.py --customers 20000 --database-url postgres://postgres@127.0.0.1:5432/bench

Self-contained: a throwaway SQLite database (or --database-url, whose tables are
emptied first), demo data from the generator with its hidden personas, imported
with the project's importer. Timed: `load_profiles` for every customer plus
`analyse_customer` with the offline analyst (segmentation for all; priority,
draft and trust checks for Value Seekers). Runs at N/10 and N to show scaling.
Import time is reported but not counted.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
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
TARGET_GBP_PER_1000_BULK = 0.50
# Anthropic adds a tool-use system prompt when tools are given; ~350 tokens for Claude 3 with a forced tool.
TOOL_OVERHEAD_TOKENS = 350
CHARS_PER_TOKEN = 4  # estimate (no tokenizer shipped for Claude 3): ~4 characters of English/JSON per token


def setup_django(database_url: str | None, workdir: Path) -> None:
    os.environ["DATABASE_URL"] = database_url or f"sqlite:///{workdir / 'bench.sqlite3'}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "notification_engine.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def empty_tables() -> None:
    from customers.models import Customer

    Customer.objects.all().delete()  # cascades to the four other datasets


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


def run_analysis(today: dt.date):
    from customers.models import Customer
    from notifications.analysts.offline import OfflineAnalyst
    from notifications.selectors.profiles import load_profiles
    from notifications.services.analysis import analyse_customer

    analyst = OfflineAnalyst(today=today)
    started = time.perf_counter()
    pks = list(Customer.objects.values_list("pk", flat=True))
    profiles = load_profiles(pks)
    loaded = time.perf_counter()
    results = [(profile, analyse_customer(profile, analyst)) for profile in profiles.values()]
    finished = time.perf_counter()
    return results, loaded - started, finished - loaded


def macro_f1(results, personas: dict[str, str]) -> tuple[float, dict[str, float], Counter]:
    from customers.demo_data import SEGMENT_FOR_PERSONA

    pairs = Counter((SEGMENT_FOR_PERSONA[personas[p.customer_id]], r.segmentation.segment.value) for p, r in results)
    segments = sorted(set(SEGMENT_FOR_PERSONA.values()))
    scores = {}
    for s in segments:
        tp = pairs[(s, s)]
        fp = sum(pairs[(t, s)] for t in segments if t != s)
        fn = sum(pairs[(s, t)] for t in segments if t != s)
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        scores[s] = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return mean(scores.values()), scores, pairs


def draft_checks(results, today: dt.date, limit: int) -> tuple[int, Counter, Counter]:
    """(drafts checked, violations by kind, drafts by situation/channel) over the first `limit` drafts."""
    from notifications.analysts.checks import check_message

    checked, violations, mix = 0, Counter(), Counter()
    for profile, result in results:
        if result.draft is None:
            continue
        for issue in check_message(profile, result.draft, today=today):
            violations[issue.kind] += 1
        mix[(result.draft.situation, result.draft.channel)] += 1
        checked += 1
        if checked >= limit:
            break
    return checked, violations, mix


def prompt_costs(results, today: dt.date, sample: int = 1000) -> dict:
    """Tokens and £ per 1,000 Value Seeker notifications from the real prompts (chars/4 estimate)."""
    from notifications.analysts.bedrock import prompts
    from notifications.analysts.bedrock.pricing import cost_gbp
    from notifications.analysts.bedrock.tools import tool_config

    vs = [(p, r) for p, r in results if r.priority is not None and r.draft is not None][:sample]
    tokens = {op: [0, 0] for op in ("segment", "prioritise", "draft")}
    for profile, result in vs:
        for op, output, analysis in (
            ("segment", result.segmentation, None),
            ("prioritise", result.priority, None),
            ("draft", result.draft, result.priority),
        ):
            request = {
                "system": prompts.SYSTEM[op],
                "user": prompts.user_message(op, profile, today, analysis),
                "tools": tool_config(op),
            }
            tokens[op][0] += len(json.dumps(request, ensure_ascii=False)) // CHARS_PER_TOKEN + TOOL_OVERHEAD_TOKENS
            tokens[op][1] += len(output.model_dump_json()) // CHARS_PER_TOKEN
    per = {op: (i / len(vs), o / len(vs)) for op, (i, o) in tokens.items()}
    vs_share = sum(1 for _, r in results if r.priority is not None) / len(results)
    out = {"per_call_tokens": per, "vs_share": vs_share, "sample": len(vs), "models": {}}
    for model_id in ("anthropic.claude-3-sonnet-20240229-v1:0", "anthropic.claude-3-haiku-20240307-v1:0"):

        def per_1000(ops, model_id=model_id):
            return sum(float(cost_gbp(model_id, int(per[op][0] * 1000), int(per[op][1] * 1000))) for op in ops)

        out["models"][model_id] = {
            "draft_only": per_1000(["draft"]),
            "prioritise_draft": per_1000(["prioritise", "draft"]),
            "all_three": per_1000(["segment", "prioritise", "draft"]),
            # Segmenting everyone to find the Value Seekers: 1/vs_share customers per notification.
            "segment_everyone": per_1000(["segment"]) / vs_share,
        }
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--database-url", default=None, help="default: a throwaway SQLite file")
    parser.add_argument("--no-scaling", action="store_true", help="skip the N/10 run")
    parser.add_argument("--drafts", type=int, default=10_000, help="drafts to run the trust checks over")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="analysis-bench-") as tmp:
        workdir = Path(tmp)
        setup_django(args.database_url, workdir)
        from django.db import connection
        from django.utils import timezone

        today = timezone.localdate()
        print(f"database: {connection.vendor}; today: {today}; 2 cores expected (nproc={os.cpu_count()})")
        sizes = [args.customers] if args.no_scaling else [max(1, args.customers // 10), args.customers]
        timings = {}
        for size in sizes:
            personas, import_s = generate_and_import(workdir / f"data-{size}", size, args.seed, today)
            results, load_s, analyse_s = run_analysis(today)
            total = load_s + analyse_s
            timings[size] = total
            vs = sum(1 for _, r in results if r.priority is not None)
            drafts = sum(1 for _, r in results if r.draft is not None)
            print(
                f"\n{size:,} customers (import {import_s:.1f} s, not counted): load_profiles {load_s:.2f} s + "
                f"analysis {analyse_s:.2f} s = {total:.2f} s -> {size / total:,.0f} customers/s; "
                f"{vs:,} Value Seekers, {drafts:,} drafts"
            )
        big = sizes[-1]
        if big >= 100_000:
            verdict = "OK" if timings[big] * 100_000 / big < TARGET_100K_SECONDS else "MISSED"
            print(f"100k target: {timings[big]:.2f} s vs < {TARGET_100K_SECONDS:.0f} s  [{verdict}]")
        if len(sizes) == 2:
            ratio = timings[sizes[1]] / timings[sizes[0]]
            verdict = "OK" if ratio <= TARGET_SCALING else "MISSED"
            print(f"scaling: 10x customers cost {ratio:.2f}x the time vs <= {TARGET_SCALING:.0f}x  [{verdict}]")

        f1, per_segment, _pairs = macro_f1(results, personas)
        detail = ", ".join(f"{s} {v:.3f}" for s, v in per_segment.items())
        print(f"\nsegmentation macro-F1 vs personas: {f1:.3f} vs >= {TARGET_F1}  [{'OK' if f1 >= TARGET_F1 else 'MISSED'}]")
        print(f"  per segment: {detail}")

        checked, violations, mix = draft_checks(results, today, args.drafts)
        bad = sum(violations.values())
        print(
            f"\ntrust checks over {checked:,} offline drafts: {bad} violations (grounding, British English, length, "
            f"opt-out, consent, promotional) vs target 0  [{'OK' if bad == 0 and checked >= args.drafts else 'CHECK'}]"
        )
        if violations:
            print(f"  by kind: {dict(violations)}")
        print(f"  drafts by situation/channel: {dict(sorted(mix.items()))}")

        costs = prompt_costs(results, today)
        print(
            f"\nBedrock prompt cost, from the real prompts of {costs['sample']} Value Seekers (tokens = chars/"
            f"{CHARS_PER_TOKEN} + {TOOL_OVERHEAD_TOKENS} tool-use overhead; output = size of a valid answer):"
        )
        for op, (i, o) in costs["per_call_tokens"].items():
            print(f"  {op:10} ~{i:,.0f} input + ~{o:,.0f} output tokens per call")
        print(f"  Value Seekers are {costs['vs_share']:.0%} of customers")
        for model_id, c in costs["models"].items():
            print(
                f"  {model_id}: £ per 1,000 Value Seeker notifications: draft only {c['draft_only']:.2f}; "
                f"prioritise+draft {c['prioritise_draft']:.2f}; segment+prioritise+draft {c['all_three']:.2f}; "
                f"plus segmenting every customer to find them {c['segment_everyone']:.2f}"
            )
        haiku = costs["models"]["anthropic.claude-3-haiku-20240307-v1:0"]["draft_only"]
        verdict = "OK" if haiku <= TARGET_GBP_PER_1000_BULK else "MISSED"
        print(
            f"  bulk setting (Haiku, BEDROCK_OPERATIONS=draft; offline segmentation and scores): £{haiku:.2f} per "
            f"1,000 vs <= £{TARGET_GBP_PER_1000_BULK:.2f}  [{verdict}]"
        )
        if args.database_url:
            empty_tables()


if __name__ == "__main__":
    main()
