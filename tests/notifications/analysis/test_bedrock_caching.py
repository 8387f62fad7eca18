"""Prompt caching where the model supports it and the static prefix is long enough, and the cost it saves,
from the token counts the local Bedrock fake reports."""

from __future__ import annotations

from notifications.analysis.analysts.bedrock import BedrockAnalyst
from tests.fakes.bedrock_server import FakeBedrock
from tests.fakes.profiles import TODAY, interaction, make_profile

HAIKU = "eu.anthropic.claude-haiku-4-5-20251001-v1:0"  # caches from 4,096 tokens
SONNET = "eu.anthropic.claude-sonnet-4-5-20250929-v1:0"  # caches from 1,024 tokens


def prioritise_three_customers(model_id: str, caching: bool = True):
    clock = [0.0]
    with FakeBedrock(clock=lambda: clock[0]) as server:
        analyst = BedrockAnalyst(server.client(), model_id, today=TODAY, caching=caching)
        analyst.prioritise(make_profile())
        clock[0] = 60.0  # a minute later: within the 5-minute TTL
        analyst.prioritise(make_profile(customer_id="CUST000002"))
        clock[0] = 60.0 + 301  # more than 5 minutes after the last use: the cache has gone
        analyst.prioritise(make_profile(customer_id="CUST000003"))
        usage = analyst.take_usage()
    has_point = [any("cachePoint" in block for block in r.body["system"]) for r in server.requests]
    return usage, has_point


def test_the_prefix_is_cached_on_sonnet_and_later_calls_read_it_for_less():
    (first, second, third), has_point = prioritise_three_customers(SONNET)
    assert has_point == [True, True, True]
    assert first.cache_write_tokens > 1024 and first.cache_read_tokens == 0
    assert second.cache_read_tokens == first.cache_write_tokens and second.cache_write_tokens == 0
    assert third.cache_write_tokens == first.cache_write_tokens  # expired: written again
    # Reads cost 0.1x the input price and writes 1.25x: the read call is the cheapest.
    assert second.cost_gbp < first.cost_gbp and second.cost_gbp < third.cost_gbp
    uncached, _ = prioritise_three_customers(SONNET, caching=False)
    assert uncached[1].cache_read_tokens == 0 and second.cost_gbp < uncached[1].cost_gbp < first.cost_gbp


def test_no_cache_point_where_the_prefix_is_below_the_models_minimum():
    usage, has_point = prioritise_three_customers(HAIKU)
    assert has_point == [False, False, False]
    assert all(u.cache_read_tokens == u.cache_write_tokens == 0 for u in usage)


def test_reported_tokens_grow_with_the_customers_record():
    with FakeBedrock() as server:
        analyst = BedrockAnalyst(server.client(), HAIKU, today=TODAY)
        analyst.segment(make_profile())
        long_history = tuple(interaction(summary=f"Asked about the bill for the {n}th time.") for n in range(5, 25))
        analyst.segment(make_profile(interactions=long_history))
        short, long = analyst.take_usage()
    # The forced-tool prompt (313 tokens), the tool schema and the instructions come first, whatever the record.
    assert short.input_tokens > 1000 and short.output_tokens > 50
    assert long.input_tokens > short.input_tokens + 20 * 10  # every interaction adds tokens
