"""The Bedrock requests-per-minute limit: blocks past the limit; shared across workers through Redis."""

from __future__ import annotations

import uuid

import pytest
from django.conf import settings

from notifications.analysis.services import ratelimit
from notifications.analysis.services.analyst_calls import ThrottledAnalyst
from notifications.analysis.services.ratelimit import RateLimiter


class FakeClock:
    def __init__(self, now: float = 600.0) -> None:
        self.now = now
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


@pytest.fixture
def clock(monkeypatch):
    clock = FakeClock()
    monkeypatch.setattr(ratelimit.time, "sleep", clock.sleep)
    return clock


def _limiter(limit: int, clock: FakeClock, key: str) -> RateLimiter:
    return RateLimiter(limit, key=key, clock=clock)


def test_calls_beyond_the_limit_wait_for_the_next_minute(clock):
    limiter = _limiter(3, clock, f"test:{uuid.uuid4().hex}")
    assert [limiter.acquire() for _ in range(3)] == [0.0, 0.0, 0.0]
    waited = limiter.acquire()
    assert 60.0 <= waited <= 60.5  # the window started at 600 s: the 4th call waits for 660 s
    assert clock.now >= 660.0


def test_a_zero_limit_means_no_limit(clock):
    limiter = _limiter(0, clock, "unused")
    assert all(limiter.acquire() == 0.0 for _ in range(1000))


def test_the_limit_is_shared_by_every_worker_when_the_broker_is_redis(clock):
    key = f"test:{uuid.uuid4().hex}"
    one, two = _limiter(2, clock, key), _limiter(2, clock, key)  # two worker processes
    assert one.acquire() == 0.0 and two.acquire() == 0.0
    if settings.CELERY_BROKER_URL.startswith("redis://"):
        assert one._redis is not None
        assert two.acquire() > 0  # the shared budget of 2 is spent
    else:  # embedded broker: each process keeps its own window
        assert one._redis is None
        assert two.acquire() == 0.0


def test_every_paid_call_takes_a_slot(clock):
    class Inner:
        name = "bedrock"
        model_id = "m"

        def segment(self, profile):
            return "segmentation"

        def prioritise(self, profile):
            return "priority"

        def draft(self, profile, analysis):
            return "draft"

    limiter = _limiter(2, clock, f"test:{uuid.uuid4().hex}")
    analyst = ThrottledAnalyst(Inner(), limiter)
    assert (analyst.segment(None), analyst.prioritise(None)) == ("segmentation", "priority")
    assert clock.slept == []
    assert analyst.draft(None, None) == "draft"  # third call in the minute: waited
    assert clock.slept and analyst.name == "bedrock" and analyst.model_id == "m"


def test_the_token_budget_holds_calls_once_the_minute_is_spent(clock):
    from decimal import Decimal

    from notifications.profiles.schemas import CallUsage

    class Inner:
        name = "bedrock"

        def segment(self, profile):
            return "segmentation"

        def take_usage(self):
            return [CallUsage(provider="bedrock", model_id="m", operation="segment", input_tokens=900,
                              output_tokens=200, cost_gbp=Decimal("0.01"))]  # fmt: skip

    rpm = _limiter(0, clock, "unused")
    tpm = _limiter(1000, clock, f"test:{uuid.uuid4().hex}")
    analyst = ThrottledAnalyst(Inner(), rpm, tpm)
    analyst.segment(None)
    assert [u.input_tokens for u in analyst.take_usage()] == [900]  # usage passes through, counted
    assert clock.slept == []
    analyst.segment(None)  # 1,100 tokens spent this minute: wait for the next
    assert clock.slept and clock.now >= 660.0


def test_customers_the_rules_decide_alone_take_no_slot(clock):
    """With AI only where the rules are unsure, most customers make no call and must not wait for the quota."""
    from notifications.analysis.analysts.bedrock import BedrockAnalyst
    from tests.fakes.bedrock_server import FakeBedrock
    from tests.fakes.profiles import TODAY, make_profile

    sure = make_profile()  # offline confidence 0.9
    unsure = make_profile(customer_id="CUST000002", age=72, preferred_channel="Phone")  # 0.5
    limiter = _limiter(1, clock, f"test:{uuid.uuid4().hex}")
    with FakeBedrock() as server:
        inner = BedrockAnalyst(server.client(), "eu.anthropic.claude-haiku-4-5-20251001-v1:0", today=TODAY,
                               confidence_threshold=0.5, operations=["segment"])  # fmt: skip
        analyst = ThrottledAnalyst(inner, limiter)
        for _ in range(5):
            analyst.segment(sure)
        assert clock.slept == [] and server.requests == []
        analyst.segment(unsure)  # the minute's one slot
        assert clock.slept == []
        analyst.segment(unsure)  # a second call in the minute: waits
        assert clock.slept and len(server.requests) == 2
