"""£ per 1,000 notifications and segmentation quality of the Bedrock analyst, from real calls to the local fake.

Used by analysis_bench.py. Each scenario builds the analyst exactly as a job does
(`BedrockAnalyst.from_settings()`, with the settings named in the scenario and
everything else at its default) and runs `analyse_customer` for every customer
over a real boto3 client against tests/fakes/bedrock_server.py. The fake
answers like a model that follows the offline rules and reports token counts
from its own tokenizer estimate (the forced-tool prompt, the tool schema, the
instructions and the record), with prompt caching where the prefix reaches the
model's minimum. Cost is Bedrock's reported tokens priced with the project's
table (settings.BEDROCK_PRICES_USD_PER_MTOK, USD_TO_GBP): the ledger's figure.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

THREADS = 8  # calls in flight, like ANALYST_CONCURRENCY


@dataclass
class Run:
    name: str
    segments: list[tuple[str, str]]  # (customer_id, segment)
    customers: int
    to_bedrock: int  # customers with at least one Bedrock call
    notifications: int  # drafts
    cost: Decimal
    calls: Counter = field(default_factory=Counter)
    tokens: dict[str, list[int]] = field(default_factory=dict)  # operation -> [input, output, cache read, write]
    fallbacks: int = 0
    disputes: int = 0

    @property
    def per_1000(self) -> float:
        return float(self.cost) / self.notifications * 1000 if self.notifications else 0.0

    @property
    def share(self) -> float:
        return self.to_bedrock / self.customers

    def per_call(self, operation: str) -> str:
        n = self.calls[operation]
        if not n:
            return f"{operation}: no calls"
        i, o, r, w = (t / n for t in self.tokens[operation])
        cache = f" (cache read {r:,.0f}, write {w:,.0f})" if r or w else ""
        return f"{operation}: {n:,} calls, ~{i:,.0f} input + ~{o:,.0f} output tokens{cache}"


def run(name: str, profiles: list, overrides: dict[str, Any], responder: Callable | None = None) -> Run:
    from django.test import override_settings

    from notifications.analysis.analysts.bedrock import BedrockAnalyst
    from notifications.analysis.services.analyse import analyse_customer
    from tests.fakes.bedrock_server import FakeBedrock, offline_responder

    os.environ.setdefault("AWS_ACCESS_KEY_ID", "bench")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "bench")
    with FakeBedrock(responder=responder or offline_responder) as server, override_settings(
        BEDROCK_ENDPOINT_URL=server.url, BEDROCK_RETRIES={"mode": "standard", "max_attempts": 0}, **overrides
    ):  # fmt: skip
        analyst = BedrockAnalyst.from_settings()
        with ThreadPoolExecutor(THREADS) as pool:
            results = list(pool.map(lambda p: analyse_customer(p, analyst), profiles))
    out = Run(name, [(r.customer_id, r.segmentation.segment.value) for r in results], len(results), 0, 0, Decimal(0))
    for result in results:
        paid = [u for u in result.usage if u.provider == "bedrock"]
        out.to_bedrock += bool(paid)
        out.notifications += result.draft is not None
        out.fallbacks += result.fallback
        out.disputes += any(w.startswith("Segment needs review") for w in result.warnings)
        for u in paid:
            out.cost += u.cost_gbp
            out.calls[u.operation] += 1
            totals = out.tokens.setdefault(u.operation, [0, 0, 0, 0])
            for k, v in enumerate((u.input_tokens, u.output_tokens, u.cache_read_tokens, u.cache_write_tokens)):
                totals[k] += v
    return out


def scenarios(profiles: list, poisoned_share: float) -> list[Run]:
    from django.conf import settings

    from tests.fakes.bedrock_server import poisoning_responder

    everyone = {"BEDROCK_CONFIDENCE_THRESHOLD": 1.0}
    draft_only = {**everyone, "BEDROCK_OPERATIONS": ["draft"]}
    sonnet = {"BEDROCK_BULK_MODEL_ID": settings.BEDROCK_MODEL_ID}
    return [
        run("default", profiles, {}),
        run("default, prompt caching off", profiles, {"BEDROCK_PROMPT_CACHING": False}),
        run("BEDROCK_CONFIDENCE_THRESHOLD=0.5", profiles, {"BEDROCK_CONFIDENCE_THRESHOLD": 0.5}),
        run("draft only", profiles, draft_only),
        run("draft only on the bulk model", profiles, {**draft_only, "BEDROCK_USE_BULK_MODEL": True}),
        run("every step on the draft model", profiles, sonnet),
        run("every step on the draft model, caching off", profiles, {**sonnet, "BEDROCK_PROMPT_CACHING": False}),
        run(
            f"default, {poisoned_share:.0%} of segment answers poisoned",
            profiles,
            {},
            poisoning_responder(poisoned_share),
        ),  # fmt: skip
        run(
            f"everyone to Bedrock, {poisoned_share:.0%} poisoned",
            profiles,
            everyone,
            poisoning_responder(poisoned_share),
        ),  # fmt: skip
    ]
