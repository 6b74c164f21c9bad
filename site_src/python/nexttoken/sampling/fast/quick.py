"""A quick path for one-off draws: the token and the top of the distribution, no sorted vocabulary.

``prepare`` sorts all the logits because the playground's sliders ask many questions of one
step. Generation asks one: which token, and what were the most likely ones. For the settings
generation mostly uses, the answer depends on the head of the distribution only:

- greedy (temperature 0): the largest logit;
- top-k: the k largest, then top-p within them;
- top-p alone: the largest logits until their mass reaches p of the total, which is one sum
  over the vocabulary.

The logits come as ``head.py``'s interface: the head in the full path's order and that sum
are a few calls (in the browser, loops in JavaScript), and only the head is Python's work.

``choose`` returns exactly what ``prepare(logits, history).result(params)`` followed by
``sample(result, rng)`` and ``result.top(n)`` return (the same floats, the same draw), or None
for anything it does not handle, leaving ``rng`` untouched so that the caller takes the full
path: other samplers, penalties, masked (-inf) or invalid logits (whose error the full path
raises), more kept tokens than ``Result.sparse`` lists, and a top-p cut so close to p that
rounding could decide it (``MARGIN``).
"""
import math
from dataclasses import replace
from bisect import bisect_left, bisect_right
from itertools import accumulate, repeat
from operator import neg, truediv

from ..params import SamplingParams
from .head import step_logits
from .result import SCATTER_MAX
from ..rng import sample

# A top-p cut is trusted when the head's share of the mass is this far from p. Everything
# the full path's rounding can move it by is far smaller (a running sum over 50,257
# probabilities: under 50,257 x 2.2e-16 ~ 1.1e-11).
MARGIN = 1e-9
ALL_KEPT = SCATTER_MAX  # as ``top_n``: every kept token (this path keeps at most that many)
FIRST_HEAD = 256        # head tokens asked for first; then four times as many, up to SCATTER_MAX + 1
_DEFAULTS = SamplingParams()


def handles(params: SamplingParams) -> bool:
    """Whether ``params`` use only what this path computes: transformers' order, temperature,
    top-k and top-p (every other sampler at its "off" default)."""
    return params.order == "hf" and replace(params, temperature=1.0, top_k=0, top_p=1.0,
                                            seed=None) == _DEFAULTS


def choose(logits, history: list, params: SamplingParams, rng, top_n: int = 10):
    """``(token, top)`` as the full path gives them, or None (see the module doc).

    ``logits``: a list of floats or ``head.py``'s interface; ``top``: [(id, probability)], most
    likely first.
    """
    logits = step_logits(logits)
    n = len(logits)
    if not n or not handles(params) or not _valid(logits, history, n):
        return None
    temperature, k, p = params.temperature, params.top_k, params.top_p
    if temperature == 0.0:  # greedy: one token kept, ties to the lowest id
        return _done([_greedy(logits, n)], [1.0], rng, top_n)
    if 0 < k < n:
        kept = _top_k(logits, k, n)
        if kept is not None and p < 1.0:
            end = _top_p_within(kept[1], temperature, p)
            kept = (kept[0][:end], kept[1][:end])
    elif p < 1.0:
        kept = _nucleus(logits, temperature, p, n)
    else:
        return None  # the whole vocabulary is kept: the full distribution is the answer
    if kept is None or len(kept[0]) > SCATTER_MAX:
        return None
    weights = _weights(kept[1], temperature)
    return _done(kept[0], list(map(truediv, weights, repeat(math.fsum(weights)))), rng, top_n)


class _Kept:
    """The kept tokens as ``sample`` reads a ``Result``: ids ascending with their weights."""

    def __init__(self, ids, probs):
        self.pairs = sorted(zip(ids, probs))

    def sparse(self):
        return [t for t, _ in self.pairs], [p for _, p in self.pairs]


def _done(kept, probs, rng, top_n):
    """The draw and the top as ``sample(result, rng)`` and ``result.top(top_n)`` make them
    (a single kept token is listed whatever ``top_n``, as ``Result.top`` does)."""
    top = list(zip(kept, probs if len(kept) == 1 else probs[:top_n]))
    return sample(_Kept(kept, probs), rng), top


def _valid(logits, history, n) -> bool:
    # NaN, +inf or -inf (masked): the full path raises or masks.
    if not logits.finite():
        return False
    return not history or (set(map(type, history)) == {int} and min(history) >= 0 and max(history) < n)


def _heads(logits, n, first=FIRST_HEAD):
    """Growing heads of the full path's order, ``(ids, values)``: ``first`` tokens, then four
    times as many, up to SCATTER_MAX + 1 (or the whole vocabulary, if smaller)."""
    count = first
    while True:
        yield logits.top(count)
        if count > SCATTER_MAX or count >= n:
            return
        count = min(4 * count, SCATTER_MAX + 1)


def _run_end(values, value) -> int:
    """The end of the run of ``values`` (descending) that are >= ``value``."""
    return bisect_right(values, -value, key=neg)


def _greedy(logits, n) -> int:
    """The largest logit's id, the lowest among ties (the tie run ends with it)."""
    for ids, values in _heads(logits, n, first=16):
        end = _run_end(values, values[0])
        if end < len(ids) or len(ids) == n:
            return ids[end - 1]
    return logits.values().index(values[0])  # more than SCATTER_MAX tie for the top


def _top_k(logits, k: int, n: int):
    """transformers' top-k: the k largest and every token tied with the k-th, as ``(ids,
    values)`` (None: more than ``SCATTER_MAX``)."""
    for ids, values in _heads(logits, n):
        if len(ids) >= k:
            end = _run_end(values, values[k - 1])
            if end < len(ids) or len(ids) == n:
                return (ids[:end], values[:end]) if end <= SCATTER_MAX else None
    return None


def _weights(values, temperature) -> list:
    """exp((v - ref) / T) as ``view.scaled_weights`` computes it, ref being the top logit."""
    ref, exp = values[0], math.exp
    if temperature == 1.0:
        return [exp(v - ref) for v in values]
    return [exp((v - ref) / temperature) for v in values]


def _top_p_within(values, temperature, p) -> int:
    """``filters.TopP`` in transformers' style on a window that is the whole of the kept
    ``values``: how many stay."""
    weights = _weights(values, temperature)
    total = math.fsum(weights)
    ascending = list(accumulate(reversed(list(map(truediv, weights, repeat(total))))))
    end = len(values) - bisect_right(ascending, 1.0 - p)
    return min(max(end, 1), len(values))


def _nucleus(logits, temperature, p, n):
    """Top-p over the whole vocabulary: the head whose share of the mass first reaches p
    (transformers removes a token when the mass from it down is <= 1 - p), as ``(ids,
    values)``, or None when the cut lies beyond ``SCATTER_MAX`` tokens or within ``MARGIN``
    of p."""
    total = None
    for ids, values in _heads(logits, n):
        if total is None:
            total = logits.mass(values[0], temperature)
        weights = _weights(values, temperature)
        running = list(accumulate(weights, initial=0.0))
        # the first position whose mass above reaches p of the total is the first removed
        end = bisect_left(running, p * total)
        if end < len(running):
            break
    else:
        return None
    if end > SCATTER_MAX or end == 0:  # p = 0: whether the top token's share counts is rounding's call
        return None
    above = math.fsum(weights[:end])        # the kept tokens' mass: reaches p
    below = math.fsum(weights[:end - 1])    # without the last kept: short of p
    certain = above / total >= p + MARGIN and below / total <= p - MARGIN
    return (ids[:end], values[:end]) if certain else None
