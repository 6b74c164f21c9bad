"""Picking a token: a seeded random source and inverse-CDF sampling (greedy is temperature 0:
filters.Temperature, quick.py).

Python's Mersenne Twister gives the same stream for the same seed in CPython and in Pyodide,
and the cumulative sum below adds floats one by one in id order, so a seed, a distribution and
a uniform draw choose the same token in both.
"""
import os
import random
from bisect import bisect_left, bisect_right
from itertools import accumulate


class Rng:
    """A seeded random source owned by its caller (never the module-level ``random``).

    ``Rng(None)`` draws a fresh seed from the operating system; ``seed`` tells which seed is in
    use so that a run can be shown and reproduced.
    """

    def __init__(self, seed=None):
        if seed is None:
            seed = int.from_bytes(os.urandom(4), "little")
        if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
            raise ValueError(f"seed must be None or an integer >= 0, got {seed!r}")
        self.seed = seed
        self._random = random.Random(seed)

    def random(self) -> float:
        """A uniform float in [0, 1)."""
        return self._random.random()

    def __repr__(self):
        return f"Rng(seed={self.seed})"


class FixedDraw:
    """A random source whose every draw is ``value``: maps a known uniform number to the token
    ``sample`` gives for it (a session's k-th draw, a figure's u slider)."""

    def __init__(self, value: float):
        self.value = value

    def random(self) -> float:
        return self.value


def sample(probs, rng) -> int:
    """Draw one token id from ``probs`` with one uniform draw (inverse CDF, in id order).

    ``probs`` is a full-length sequence of non-negative weights (need not sum exactly to 1) or a
    ``Result``; ``rng`` is anything with a ``random()`` method, usually an ``Rng``.
    A token with probability 0.0 is never chosen.
    """
    sparse = probs.sparse() if hasattr(probs, "sparse") else None
    if sparse is not None:  # a Result with few kept tokens: skip the zeros
        ids, weights = sparse
        return ids[_pick(weights, rng)]
    if hasattr(probs, "distribution"):
        probs = probs.distribution()
    return _pick(probs, rng)


def _pick(probs, rng) -> int:
    cumulative = list(accumulate(probs))
    if not cumulative or not cumulative[-1] > 0.0:
        raise ValueError("sample needs a distribution with positive total mass")
    target = rng.random() * cumulative[-1]
    # The first index whose running total exceeds the target: zero-probability tokens never
    # raise the running total, so they are never the first to exceed it.
    index = bisect_right(cumulative, target)
    if index == len(cumulative):  # u * total rounded up to total: take the last real token
        index = bisect_left(cumulative, cumulative[-1])
    return index
