"""Fast weighted sampling and small numeric helpers.

`random.Random.choices` builds a list on every call; at a million rows that
cost dominates, so weights are turned into cumulative tables once and sampled
with `bisect`.
"""

from __future__ import annotations

import random
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from typing import Generic, TypeVar

T = TypeVar("T")


class Weighted(Generic[T]):
    """A fixed weighted choice; `pick` costs one random number and one bisect."""

    __slots__ = ("items", "cum", "total")

    def __init__(self, pairs: Iterable[tuple[T, float]]) -> None:
        items: list[T] = []
        cum: list[float] = []
        total = 0.0
        for item, weight in pairs:
            if weight <= 0:
                continue
            total += weight
            items.append(item)
            cum.append(total)
        if not items:
            raise ValueError("a weighted choice needs at least one positive weight")
        self.items: Sequence[T] = tuple(items)
        self.cum: Sequence[float] = tuple(cum)
        self.total = total

    @classmethod
    def of(cls, mapping: dict[T, float]) -> Weighted[T]:
        # dict order is insertion order, so the table (and the output) is deterministic
        return cls(mapping.items())

    def pick(self, rng: random.Random) -> T:
        return self.items[bisect_right(self.cum, rng.random() * self.total)]


def clamp(value: float, low: float, high: float) -> float:
    return low if value < low else high if value > high else value


def gauss_int(rng: random.Random, mu: float, sigma: float, low: int, high: int) -> int:
    return int(clamp(round(rng.gauss(mu, sigma)), low, high))


def decimal_text(value: float, places: int = 2) -> str:
    """'72.5', '72.45' or '72': real exports drop trailing zeros, and so do we."""
    text = f"{value:.{places}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
