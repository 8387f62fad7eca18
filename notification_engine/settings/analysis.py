"""The analysts: which one runs, AWS Bedrock's models, limits and prices, the AI budget."""

from .base import env

AI_PROVIDER = env("AI_PROVIDER", default="offline")  # offline | bedrock
# AWS Bedrock (Converse API). Credentials come from the usual AWS chain (env, profile, role).
# Claude 4-generation models are invoked on demand only through inference profiles: "eu." keeps the calls
# in EU regions (the UK's nearest geography), "global." routes anywhere for ~10% less. Any model id,
# inference-profile id or ARN is accepted; run `manage.py check_bedrock` after changing one.
BEDROCK_MODEL_ID = env("BEDROCK_MODEL_ID", default="eu.anthropic.claude-sonnet-4-5-20250929-v1:0")  # drafts
# Segmentation and prioritisation (many short, structured calls): the fast, cheap model.
BEDROCK_BULK_MODEL_ID = env("BEDROCK_BULK_MODEL_ID", default="eu.anthropic.claude-haiku-4-5-20251001-v1:0")
BEDROCK_USE_BULK_MODEL = env.bool("BEDROCK_USE_BULK_MODEL", default=False)  # drafts on the bulk model too
BEDROCK_ENDPOINT_URL = env("BEDROCK_ENDPOINT_URL", default=None)  # e.g. a VPC endpoint, or a local fake in tests
BEDROCK_CONTROL_ENDPOINT_URL = env("BEDROCK_CONTROL_ENDPOINT_URL", default=None)  # control plane (check_bedrock)
BEDROCK_CONNECT_TIMEOUT = env.float("BEDROCK_CONNECT_TIMEOUT", default=5.0)
BEDROCK_READ_TIMEOUT = env.float("BEDROCK_READ_TIMEOUT", default=60.0)
# In a client Config, max_attempts counts *retries* (2 → at most 3 attempts, short backoff); the long
# backoff with jitter is the job layer's (Celery autoretry on AnalystUnavailable).
BEDROCK_RETRIES = {"mode": "standard", "max_attempts": env.int("BEDROCK_MAX_ATTEMPTS", default=2)}
BEDROCK_MAX_TOKENS = env.int("BEDROCK_MAX_TOKENS", default=1200)
BEDROCK_TEMPERATURE = env.float("BEDROCK_TEMPERATURE", default=0.2)
# Which steps go to Bedrock for the customers routed to it; the rest are answered by the offline rules.
BEDROCK_OPERATIONS = env.list("BEDROCK_OPERATIONS", default=["segment", "prioritise", "draft"])
# AI only where the rules are unsure: a customer whose offline segment confidence is above this is
# analysed by the offline rules alone; the others go to Bedrock. 1.0 sends everyone, 0 no one. At 0.4,
# the customers whose winning segment has at most 40% of the evidence: ~1.3% of the demo base, where the
# rules alone are right less than half the time (bench/analysis_bench.py prints the table).
BEDROCK_CONFIDENCE_THRESHOLD = env.float("BEDROCK_CONFIDENCE_THRESHOLD", default=0.4)
# A Bedrock segment with less than this share of the offline scorer's evidence is disputed: the rules'
# segment stands and the customer is flagged for review.
BEDROCK_DISPUTE_BELOW_SHARE = env.float("BEDROCK_DISPUTE_BELOW_SHARE", default=0.15)
BEDROCK_PROMPT_CACHING = env.bool("BEDROCK_PROMPT_CACHING", default=True)  # where the model and prefix allow
# USD per 1M tokens, on demand, checked 2026-12-01 from third-party summaries of the AWS price list.
# Verify on https://aws.amazon.com/bedrock/pricing/ before relying on it. Looked up by the exact id first
# (e.g. "global." profiles), then by the bare model id, which carries the regional ("eu."/"us."/"apac."
# profiles, in-region) price: for the 4.5 generation that is 10% over global.
BEDROCK_PRICES_USD_PER_MTOK = {
    "anthropic.claude-haiku-4-5-20251001-v1:0": {"input": 1.10, "output": 5.50},
    "global.anthropic.claude-haiku-4-5-20251001-v1:0": {"input": 1.00, "output": 5.00},
    "anthropic.claude-sonnet-4-5-20250929-v1:0": {"input": 3.30, "output": 16.50},
    "global.anthropic.claude-sonnet-4-5-20250929-v1:0": {"input": 3.00, "output": 15.00},
    "anthropic.claude-opus-4-5-20251101-v1:0": {"input": 5.50, "output": 27.50},
    "global.anthropic.claude-opus-4-5-20251101-v1:0": {"input": 5.00, "output": 25.00},
    "anthropic.claude-sonnet-4-20250514-v1:0": {"input": 3.00, "output": 15.00},
}
BEDROCK_CACHE_READ_MULTIPLIER = 0.1  # cached input tokens cost 0.1x the input price
BEDROCK_CACHE_WRITE_MULTIPLIER = 1.25  # writing the cache (5-minute TTL) costs 1.25x
USD_TO_GBP = env.float("USD_TO_GBP", default=0.79)
# Monthly Bedrock budget in £ (an admin can override it in Provider settings); when this month's
# spend reaches it, new Bedrock calls stop and the offline analyst answers. Set it empty for no limit.
_ai_budget = env.str("AI_MONTHLY_BUDGET_GBP", default="200").strip()
AI_MONTHLY_BUDGET_GBP = float(_ai_budget) if _ai_budget else None
