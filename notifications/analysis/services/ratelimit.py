"""Requests- and tokens-per-minute limits on Bedrock calls, shared by every worker.

Bedrock quotas are per account and region, so the limit must hold across all
worker processes and machines: with a Redis broker the counter lives in Redis
(a fixed one-minute window, INCR + EXPIRE, atomic in a pipeline). Without Redis
(the embedded demo) each process keeps its own window, which is exact for a
single worker process and conservative enough for the demo.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable

from django.conf import settings


class RateLimiter:
    """Blocks until a request slot is free within the current minute."""

    def __init__(self, max_per_minute: int, *, key: str = "bedrock:rpm", clock: Callable[[], float] = time.time):
        self.max_per_minute = max_per_minute
        self.key = key
        self.clock = clock
        self._lock = threading.Lock()
        self._window = -1
        self._count = 0
        self._redis = _redis_client()

    def acquire(self, cost: int = 1) -> float:
        """Take `cost` slots, sleeping while the minute is full; returns seconds waited."""
        return self._wait_for(lambda window: self._take(window, cost))

    def wait_below(self) -> float:
        """For a budget only known after the fact (tokens): wait while this minute's is spent."""
        return self._wait_for(lambda window: self._used(window) < self.max_per_minute)

    def _wait_for(self, ready: Callable[[int], bool]) -> float:
        """Sleep window by window until `ready(window)`; returns seconds waited (none when unlimited)."""
        if self.max_per_minute <= 0:
            return 0.0
        waited = 0.0
        while True:
            now = self.clock()
            window = int(now // 60)
            if ready(window):
                return waited
            # Sleep to the next window, with jitter so waiting workers do not stampede it.
            pause = (window + 1) * 60 - now + random.uniform(0, 0.5)
            time.sleep(pause)
            waited += pause

    def add(self, amount: int) -> None:
        """Record spend that happened (tokens of a finished call) in the current minute."""
        if self.max_per_minute <= 0 or amount <= 0:
            return
        self._take(int(self.clock() // 60), amount, force=True)

    def _used(self, window: int) -> int:
        if self._redis is not None:
            return int(self._redis.get(f"{self.key}:{window}") or 0)
        with self._lock:
            return self._count if window == self._window else 0

    def _take(self, window: int, cost: int, force: bool = False) -> bool:
        if self._redis is not None:
            key = f"{self.key}:{window}"
            pipe = self._redis.pipeline()
            pipe.incrby(key, cost)
            pipe.expire(key, 120)
            count, _ = pipe.execute()
            return count <= self.max_per_minute
        with self._lock:
            if window != self._window:
                self._window, self._count = window, 0
            if self._count + cost > self.max_per_minute and not force:
                return False
            self._count += cost
            return True


def _redis_client():
    url = settings.CELERY_BROKER_URL
    if not url.startswith(("redis://", "rediss://")):
        return None
    import redis

    return redis.Redis.from_url(url, socket_timeout=5)


_limiters: dict[tuple[str, int], RateLimiter] = {}
_limiters_lock = threading.Lock()


def _shared(name: str, limit: int) -> RateLimiter:
    with _limiters_lock:
        if (name, limit) not in _limiters:
            _limiters[(name, limit)] = RateLimiter(limit, key=name)
        return _limiters[(name, limit)]


def bedrock_limiter() -> RateLimiter:
    """The process-wide limiter for BEDROCK_MAX_RPM (one per process, shared by its threads)."""
    return _shared("bedrock:rpm", settings.BEDROCK_MAX_RPM)


def bedrock_token_limiter() -> RateLimiter:
    """BEDROCK_MAX_TPM: tokens are known only after a call, so calls wait while the minute's budget is spent."""
    return _shared("bedrock:tpm", settings.BEDROCK_MAX_TPM)
