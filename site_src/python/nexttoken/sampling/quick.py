"""A quick path for one-off draws: the token and the top of the distribution, no sorted vocabulary.

``prepare`` sorts all the logits because the playground's sliders ask many questions of one
step. Generation asks one: which token, and what were the most likely ones. For the settings
generation mostly uses, the answer depends on the head of the distribution only:

- greedy (temperature 0): the largest logit (``max``, in C);
- top-k: the k largest (``heapq.nlargest``), then top-p within them;
- top-p alone: the largest logits, taken in growing batches until their mass reaches p of
  the total, which is summed without sorting (``math.fsum``, exactly rounded in any order).

``choose`` returns exactly what ``prepare(logits, history).result(params)`` followed by
``sample(result, rng)`` and ``result.top(n)`` return (the same floats, the same draw), or None
for anything it does not handle, leaving ``rng`` untouched so that the caller takes the full
path: other samplers, penalties, masked (-inf) or invalid logits (whose error the full path
raises), more kept tokens than ``Result.sparse`` lists, and a top-p cut so close to p that
rounding could decide it (``MARGIN``).
"""
import math
from dataclasses import replace
from heapq import nlargest
from itertools import accumulate, repeat
from bisect import bisect_right
from operator import sub, truediv

from .params import SamplingParams
from .result import SCATTER_MAX
from .rng import sample

# Below this many logits (x T) under the top, a token's weight is under exp(-40) = 4e-18 of the
# top's: the top-p cut sums only the tokens above, and bounds the rest.
TAIL_LOGITS = 40.0
# A top-p cut is trusted when the head's share of the mass is this far from p. Everything
# the full path's rounding can move it by is far smaller (a running sum over 50,257
# probabilities: under 50,257 x 2.2e-16 ~ 1.1e-11; the tail: 50,257 x 4e-18 ~ 2e-13).
MARGIN = 1e-9
FIRST_BATCH = 64  # head tokens fetched first; then 4 times as many, up to SCATTER_MAX + 1
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


def _head(values, count: int) -> list:
    """Ids of the ``count`` largest logits in the full path's order: logit descending, ties by
    id descending (``nlargest`` keeps the iteration order among ties)."""
    n = len(values)
    return nlargest(count, range(n - 1, -1, -1), key=values.__getitem__)


def _top_k(values, k: int):
    """transformers' top-k: the k largest and every token tied with the k-th (None: more
    than ``SCATTER_MAX``)."""
    count = k + 16
    while k <= SCATTER_MAX:
        head = _head(values, count)
        kth = values[head[k - 1]]
        if values[head[-1]] < kth or len(head) == len(values):
            kept = [i for i in head if values[i] >= kth]
            return kept if len(kept) <= SCATTER_MAX else None
        count *= 2
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
    total = math.fsum(map(exp, scaled))          # within u of the near tokens' exact sum
    tail = (len(values) - len(near)) * math.exp(-TAIL_LOGITS)  # the rest weigh at most this
    count = FIRST_BATCH
    while True:
        head = _head(values, min(count, SCATTER_MAX + 1))
        running = list(accumulate(_weights(values, head, temperature), initial=0.0))
        # the first position whose mass above reaches p of the total is the first removed
        end = next((i for i, mass in enumerate(running) if mass >= p * total), None)
        if end is not None:
            break
        if len(head) > SCATTER_MAX or len(head) == len(values):
            return None
        count *= 4
    if end == 0:  # p = 0: whether the top token's own share counts is rounding's call
        return None
    above = math.fsum(_weights(values, head[:end], temperature))        # the first removed
    below = math.fsum(_weights(values, head[:end - 1], temperature)) if end > 1 else 0.0
    certain = above / (total + tail) >= p + MARGIN and below / total <= p - MARGIN
    return head[:end] if certain else None
