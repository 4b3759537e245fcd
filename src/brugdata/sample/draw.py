"""Random draws shared by the sample generator's modules (all from a seeded `random.Random`)."""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from typing import TypeVar

__all__ = ["pick", "pick_int", "split", "weighted_sample"]

T = TypeVar("T")


def pick(rng: random.Random, weights: Mapping[str, float]) -> str:
    """One key of `weights`, drawn with those weights (dict order is insertion order)."""
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def pick_int(rng: random.Random, weights: Mapping[int, float]) -> int:
    """One integer key of `weights`, drawn with those weights."""
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def weighted_sample(
    rng: random.Random, items: Sequence[T], weights: Sequence[float], k: int
) -> list[T]:
    """`k` distinct items drawn without replacement, proportional to `weights`."""
    pool = list(zip(items, weights, strict=True))
    chosen: list[T] = []
    while pool and len(chosen) < k:
        index = rng.choices(range(len(pool)), weights=[w for _, w in pool])[0]
        chosen.append(pool.pop(index)[0])
    return chosen


def split(total: int, sizes: Sequence[int]) -> list[int]:
    """Split `total` over parts proportional to `sizes` (largest remainder, stable order)."""
    whole = sum(sizes)
    exact = [total * size / whole for size in sizes]
    parts = [int(x) for x in exact]
    order = sorted(range(len(sizes)), key=lambda i: (-(exact[i] - parts[i]), i))
    for i in order[: total - sum(parts)]:
        parts[i] += 1
    return parts
