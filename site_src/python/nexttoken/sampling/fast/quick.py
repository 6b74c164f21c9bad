"""A quick path for one-off draws: the token and the top of the distribution, no sorted vocabulary.

``prepare`` sorts all the logits because the playground's sliders ask many questions of one
step. Generation asks one: which token, and what were the most likely ones. For the settings
generation mostly uses, the answer depends on the head of the distribution only:

- greedy (temperature 0): the largest logit (``max``, in C);
- top-k: the k largest, then top-p within them;
- top-p alone: the largest logits until their mass reaches p of the total, which is summed
  without sorting (one pass in C; its rounding is far inside the margin the cut is trusted by).

The largest logits are found as every logit within a distance of the top, the distance
doubling until enough are in, each pass a ``map``/``compress`` in C; only those few are sorted.

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
from itertools import accumulate, compress, repeat
from operator import sub, truediv

from ..params import SamplingParams
from .result import SCATTER_MAX
from ..rng import sample

# Below this many logits (x T) under the top, a token's weight is under exp(-40) = 4e-18 of the
# top's: the top-p cut sums only the tokens above, and bounds the rest.
TAIL_LOGITS = 40.0
# A top-p cut is trusted when the head's share of the mass is this far from p. Everything
# the full path's rounding can move it by is far smaller (a running sum over 50,257
# probabilities: under 50,257 x 2.2e-16 ~ 1.1e-11; the tail: 50,257 x 4e-18 ~ 2e-13).
MARGIN = 1e-9
ALL_KEPT = SCATTER_MAX  # as ``top_n``: every kept token (this path keeps at most that many)
PREFIX_MAX = 4 * SCATTER_MAX  # the most head tokens sorted before leaving it to the full path
_DEFAULTS = SamplingParams()


def handles(params: SamplingParams) -> bool:
    """Whether ``params`` use only what this path computes: transformers' order, temperature,
    top-k and top-p (every other sampler at its "off" default)."""
    return params.order == "hf" and replace(params, temperature=1.0, top_k=0, top_p=1.0,
                                            seed=None) == _DEFAULTS


def choose(values: list, history: list, params: SamplingParams, rng, top_n: int = 10):
    """``(token, top)`` as the full path gives them, or None (see the module doc).

    ``values``: the logits as a list of floats; ``top``: [(id, probability)], most likely first.
    """
    n = len(values)
    if not n or not handles(params) or not _valid(values, history, n):
        return None
    temperature, k, p = params.temperature, params.top_k, params.top_p
    if temperature == 0.0:  # greedy: one token kept, ties to the lowest id
        return _done([values.index(max(values))], [1.0], rng, top_n)
    if 0 < k < n:
        kept = _top_k(values, k)
        if kept is not None and p < 1.0:
            kept = kept[:_top_p_within(values, kept, temperature, p)]
    elif p < 1.0:
        kept = _nucleus(values, temperature, p)
    else:
        return None  # the whole vocabulary is kept: the full distribution is the answer
    if kept is None or len(kept) > SCATTER_MAX:
        return None
    weights = _weights(values, kept, temperature)
    return _done(kept, list(map(truediv, weights, repeat(math.fsum(weights)))), rng, top_n)


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


def _valid(values, history, n) -> bool:
    # NaN, +inf or -inf (masked) make the sum non-finite: the full path raises or masks.
    if not math.isfinite(sum(values)):
        return False
    return not history or (set(map(type, history)) == {int} and min(history) >= 0 and max(history) < n)


def _heads(values, step: float, top: float):
    """Growing prefixes of the full path's order (logit descending, ties by id descending): the
    logits within ``step``, 2 ``step``, 4 ``step``, ... of the ``top`` one (halving back towards
    the last prefix when one would pass ``PREFIX_MAX`` tokens), until they hold every logit or
    cannot grow under ``PREFIX_MAX``. Each prefix is one pass in C (no Python loop over the
    vocabulary) and a sort of the few ids it finds."""
    bottom, ids_down = min(values), range(len(values) - 1, -1, -1)
    gap, last = step, 0.0
    while True:
        cutoff = max(top - gap, bottom)
        ids = list(compress(ids_down, map(cutoff.__le__, reversed(values))))
        if len(ids) > PREFIX_MAX:
            if gap - last < step / 8:
                return
            gap = (gap + last) / 2
            continue
        ids.sort(key=values.__getitem__, reverse=True)  # stable: ties keep descending ids
        yield ids
        if cutoff == bottom:
            return
        last, gap = gap, gap * 2


def _top_k(values, k: int):
    """transformers' top-k: the k largest and every token tied with the k-th (None: more
    than ``SCATTER_MAX``, or no prefix small enough to find them)."""
    for head in _heads(values, 1.0, max(values)):
        if len(head) >= k:
            kth = values[head[k - 1]]
            kept = head[:bisect_right(head, -kth, key=lambda i: -values[i])]
            return kept if len(kept) <= SCATTER_MAX else None
    return None


def _weights(values, ids, temperature) -> list:
    """exp((v - ref) / T) as ``view.scaled_weights`` computes it, ref being the top logit."""
    ref, exp = values[ids[0]], math.exp
    if temperature == 1.0:
        return [exp(values[i] - ref) for i in ids]
    return [exp((values[i] - ref) / temperature) for i in ids]


def _top_p_within(values, kept, temperature, p) -> int:
    """``filters.TopP`` in transformers' style on a window that is the whole of ``kept``."""
    weights = _weights(values, kept, temperature)
    total = math.fsum(weights)
    ascending = list(accumulate(reversed(list(map(truediv, weights, repeat(total))))))
    end = len(kept) - bisect_right(ascending, 1.0 - p)
    return min(max(end, 1), len(kept))


def _nucleus(values, temperature, p):
    """Top-p over the whole vocabulary: the head whose share of the mass first reaches p
    (transformers removes a token when the mass from it down is <= 1 - p), or None when
    the cut lies beyond ``SCATTER_MAX`` tokens or within ``MARGIN`` of p."""
    ref, exp = max(values), math.exp
    floor = ref - TAIL_LOGITS * temperature
    near = list(filter(floor.__le__, values))
    scaled = map(sub, near, repeat(ref))
    if temperature != 1.0:
        scaled = map(truediv, scaled, repeat(temperature))
    # Summed in order, within 50,257 x 2.2e-16 ~ 1.1e-11 of the exact sum (Python 3.12's sum,
    # Pyodide's, is compensated besides): far inside MARGIN, at half the cost of math.fsum.
    total = sum(map(exp, scaled))
    tail = (len(values) - len(near)) * math.exp(-TAIL_LOGITS)  # the rest weigh at most this
    for head in _heads(values, temperature, ref):
        running = list(accumulate(_weights(values, head, temperature), initial=0.0))
        # the first position whose mass above reaches p of the total is the first removed
        end = bisect_left(running, p * total)
        if end < len(running):
            break
    else:
        return None
    if end > SCATTER_MAX:
        return None
    if end == 0:  # p = 0: whether the top token's own share counts is rounding's call
        return None
    above = math.fsum(_weights(values, head[:end], temperature))        # the first removed
    below = math.fsum(_weights(values, head[:end - 1], temperature)) if end > 1 else 0.0
    certain = above / (total + tail) >= p + MARGIN and below / total <= p - MARGIN
    return head[:end] if certain else None
