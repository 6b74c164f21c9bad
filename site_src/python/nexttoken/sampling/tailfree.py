"""Tail-free sampling, as text-generation-webui's TailFreeLogitsWarper (``modules/
sampler_hijack.py`` at dceb23c76361066f35531cef3808cf172b6d5a5d), deciding from the head of
the window when a bound on the tail makes the answer certain.

webui sorts the whole vocabulary tensor (removed and masked tokens are trailing zeros), takes
|second differences| of the probabilities, normalises them by their sum and cuts position
j + 1 once their running sum up to j exceeds z. The normaliser cancels: the cumulative sums are
ratios of sums of |second differences| of the weights exp((v - top)/T), so no softmax total
is needed, only the weights of the tokens looked at.

The tail is bounded instead of visited: the weights decrease along the window (with the
trailing zeros), so first differences are >= 0 and, telescoping, the |second differences| from
position m on sum to at most 2·w_m. With S_j the head's running sums and S the head's sum, the
true ratio at j lies in [S_j / (S + 2·w_m), S_j / S]. When every position before some j is
surely <= z and j is surely > z -- with a margin that covers the rounding of this head and of
the whole-vocabulary computation (see ``_margin``) -- the cut is that of the whole computation;
otherwise a longer head is tried, and past an eighth of the window the whole is computed,
as before.
"""
import math
from bisect import bisect_right
from itertools import accumulate, islice, repeat
from operator import sub, truediv

from .fast.view import scaled_weights

EPS = 2.0 ** -52
FIRST_HEAD = 64     # tokens of the first head tried (a peaked distribution cuts within it)
WHOLE_AFTER = 8     # past 1/8 of the window, one pass over all of it costs about as much


class TailFree:
    """Keep the tokens up to webui's tail-free cut (the first token always stays, the
    vocabulary's last position always goes)."""

    name = "tfs"
    changes_logits = False

    def __init__(self, z: float):
        self.z = z

    def apply(self, state):
        lo, hi, n = state.lo, state.hi, state.prepared.n
        first = _from_head(state, self.z) if hi - lo > 1 else None
        if first is None:
            first = _whole(state, self.z)
        keep = min(first + 1, hi - lo, n - 1)
        state.keep(lo, lo + max(keep, 1))


def _whole(state, z) -> int:
    """The first j whose normalised running sum exceeds z, over the whole window."""
    lo, hi, n = state.lo, state.hi, state.prepared.n
    probs = state.window().probabilities() if hi - lo > 1 else [1.0]
    trailing = min(n - (hi - lo), 2)  # zeros that reach a second difference
    d2 = _second_differences(probs + [0.0] * trailing)
    total = math.fsum(d2)  # torch sums in its own order; the difference is rounding
    if total > 0.0:
        cdf = list(accumulate(map(truediv, d2, repeat(total))))
        return bisect_right(cdf, z)  # first j with cdf > z
    return len(d2)  # 0/0: every comparison with NaN is False, nothing but the last goes


def _from_head(state, z):
    """The cut, from heads of growing length when the tail's bound decides it; else None."""
    lo, hi, view, temperature = state.lo, state.hi, state.view, state.temperature
    size = hi - lo
    ref = view.values[lo]
    m = FIRST_HEAD
    while m + 2 <= size // WHOLE_AFTER:
        weights = scaled_weights(view.values, lo, lo + m + 2, temperature, ref)
        running = list(accumulate(_second_differences(weights)))  # S_0 .. S_{m-1}
        head = running[-1]
        if head > 0.0:
            tail = 2.0 * weights[m] * (1.0 + 1e-12)  # exp's rounding, generously
            mass = math.fsum(weights) + (size - m - 2) * weights[m + 1] * (1.0 + 1e-12)
            margin = _margin(size, mass / head)
            surely_not = bisect_right(running, (z - margin) * head)  # first not surely <= z
            surely = bisect_right(running, (z + margin) * (head + tail))  # first surely > z
            if surely == surely_not < m:
                return surely
        m *= 4
    return None


def _margin(size: int, spread: float) -> float:
    """A bound, with room to spare, on how far rounding can move a normalised running sum,
    here or in ``_whole``, from its exact value; ``spread``: the window's weight over the
    head's sum of |second differences|.

    Each weight is exp of a scaled logit x off by |x|·eps relative (x = (v - top)/T rounds
    twice, exp once more); a second difference reads four weights, so the sum of their errors
    is at most 4·eps·sum(w·(|x| + 3)) <= 4·eps·W·(log(size) + 3) (sum(p·|x|) is at most the
    entropy). Numerator and denominator both move by that, relative to the sum S of
    |second differences|: 2·that/S. Running sums add one rounding per position: size·eps.
    Factors of 4 on top of both.
    """
    return EPS * (4 * size + 32 + 32 * spread * (math.log(size) + 4))


def _second_differences(q) -> list:
    """|(q[j] - q[j+1]) - (q[j+1] - q[j+2])| in C-level passes (a Python loop per token costs
    too much over a whole vocabulary)."""
    d1 = list(map(sub, q, islice(q, 1, None)))
    return list(map(abs, map(sub, d1, islice(d1, 1, None))))
