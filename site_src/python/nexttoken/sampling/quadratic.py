"""Quadratic ("smooth") sampling, as text-generation-webui's QuadraticSamplingLogitsWarper
(``modules/sampler_hijack.py`` at dceb23c76361066f35531cef3808cf172b6d5a5d).

With d = x - max over the current (temperature-scaled) logits, k = (3 - curve) / 2 and
s = (curve - 1) / 2, every finite logit becomes ``-(k·f·d²) + (s·f·d³) + max``. For
curve in [1, 3] the map is monotone, so the candidates keep their order (and exact ties stay
ties; rounding can only make new ties); the run is rewritten into a ``Rewritten`` view whose
values are the new logits at temperature 1. The map is not a temperature, so the band index
cannot sum it: a rewritten run is summed token by token.

A large run is rewritten as it is read: the map pulls the tail far below the top (the farthest
tokens' weights are exp(-f·d²)), so the sums stop where the rest cannot reach 1e-20 of the top
(window.py), and the stages that follow mostly read a head; only what reads the whole run
(the full distribution, top-nσ's spread, a top-p or typical pass) pays for all of it.
"""
import math
from bisect import bisect_left, bisect_right
from collections import deque
from itertools import islice, repeat
from operator import add, eq, mul, neg, sub, truediv

from .fast.buckets import NEGLIGIBLE

INF = math.inf
STEP = 0.5 * math.log(2.0)  # bins where the weight falls by a factor sqrt(2)
FIRST_PIECE = 256  # the fewest tokens a lazy rewrite adds (and at least as many as it has)


class Quadratic:
    name = "quadratic"
    changes_logits = False

    def __init__(self, factor: float, curve: float):
        self.factor, self.curve = factor, curve

    def apply(self, state):
        view, lo, hi, temperature = state.view, state.lo, state.hi, state.temperature
        k = (3 - self.curve) / 2
        s = (self.curve - 1) / 2
        values = view.values
        rewrite = Rewrite(temperature, values[lo] / temperature, k * self.factor,
                          s * self.factor)
        # the farthest token is the lowest: when it is finite, every token is
        if hi - lo > state.prepared.fast_above and math.isfinite(rewrite.one(values[hi - 1])):
            state.view = Rewritten(view.prepared, view.moved, lo, len(view), hi - lo,
                                   source=(view, rewrite))
            state.temperature = 1.0
            return
        new = rewrite.many(values[lo:hi])
        ids = view.ids_between(lo, hi)
        if not math.isfinite(new[-1]):
            if math.isnan(math.fsum(new)):
                raise ValueError(f"quadratic sampling overflows: a logit lies "
                                 f"{rewrite.top - values[hi - 1] / temperature:g} below the "
                                 "top (text-generation-webui would return NaN); use logits "
                                 "closer together")
            finite = bisect_left(new, True, key=lambda v: v == -INF)  # -inf: masked
            new, ids = new[:finite], ids[:finite]
            state.keep(lo, lo + finite, resize=False)
            state.extra += hi - lo - finite
        new, ids = _ties_by_id(new, ids)
        state.view = Rewritten(view.prepared, view.moved, lo, len(view), len(new), new, ids)
        state.temperature = 1.0


class Rewrite:
    """-(kf·d²) + (sf·d³) + top for d = v/T - top, as webui evaluates it. ``many`` works in
    C-level passes (a redraw over the whole vocabulary cannot afford a Python loop per
    token); ``one`` is the same operations in the same order on one logit, so both give the
    same floats."""

    def __init__(self, temperature: float, top: float, kf: float, sf: float):
        self.temperature, self.top, self.kf, self.sf = temperature, top, kf, sf

    def one(self, value: float) -> float:
        d = (value if self.temperature == 1.0 else value / self.temperature) - self.top
        square = d * d
        if self.sf == 0.0:
            return self.top - self.kf * square if math.isfinite(square * d) else math.nan
        return -(self.kf * square) + self.sf * (square * d) + self.top

    def many(self, values) -> list:
        top, kf, sf = self.top, self.kf, self.sf
        scaled = values if self.temperature == 1.0 else \
            map(truediv, values, repeat(self.temperature))
        d = list(map(sub, scaled, repeat(top)))
        if sf == 0.0:  # -(a) + 0·d³ + top == top - a exactly, unless d³ overflows: 0·inf
            if d and not math.isfinite(d[-1] * d[-1] * d[-1]):  # the farthest token's d³
                return [math.nan]
            return list(map(sub, repeat(top), map(mul, repeat(kf), map(mul, d, d))))
        squares = list(map(mul, d, d))
        quad = map(mul, repeat(kf), squares)
        cubes = map(mul, repeat(sf), map(mul, squares, d))
        return list(map(add, map(add, map(neg, quad), cubes), repeat(top)))

    def below(self, value: float) -> float:
        """About the logit v (before the rewrite) whose rewritten value is ``value`` (<= top):
        u = top - v/T solves kf·u² + sf·u³ = top - value, by Newton's method from above (the
        left side is convex in u >= 0). Only a guess: callers check the token they find."""
        kf, sf, tau = self.kf, self.sf, self.top - value
        if not tau > 0.0:
            return math.inf
        u = min(math.sqrt(tau / kf) if kf > 0.0 else math.inf,
                (tau / sf) ** (1 / 3) if sf > 0.0 else math.inf)
        for _ in range(4):
            slope = 2 * kf * u + 3 * sf * u * u
            if not slope > 0.0:
                break
            u -= (kf * u * u + sf * u * u * u - tau) / slope
        return (self.top - u) * self.temperature


def _ties_by_id(new: list, ids: list) -> tuple:
    """Ties (perhaps new ones) by id descending again; the values already descend."""
    if any(map(eq, new, islice(new, 1, None))):
        pairs = sorted(zip(new, ids), reverse=True)
        return [v for v, _ in pairs], [t for _, t in pairs]
    return new, ids


class Rewritten:
    """A View whose run [lo, hi) holds rewritten logits (positions unchanged); positions
    outside the run read +inf before it and -inf after it, so searches that stay inside the
    run behave, and nothing outside it can be mistaken for a kept token. Only the run's ids
    are known (``ids`` is -1 elsewhere).

    The run is either given (``values``, ``ids``) or rewritten from ``source`` (the View and
    the ``Rewrite``) as far as it is read, in pieces that end between two different values,
    so that sorting each piece's ties by id sorts the whole run's. ``values`` is a sequence
    (``RunValues``) that reads one position without rewriting up to it (a search probes a
    few), and a slice by rewriting up to its end.
    """

    banded = False
    lazy = True  # its windows stop summing where the rest is negligible (window.py)

    def __init__(self, prepared, moved, lo: int, size: int, count: int, values=(), ids=(),
                 source=None):
        self.prepared, self.moved = prepared, moved
        self.lo, self.hi, self.size = lo, lo + count, size
        self._run, self._run_ids = list(values), list(ids)
        self._source = source
        self.values = RunValues(self)
        self._whole = None
        self._adjusted = None

    def __len__(self):
        return self.size

    def value(self, position: int) -> float:
        """``values[position]``, without rewriting the run up to it."""
        j = position - self.lo
        if j < len(self._run):
            return self._run[j] if j >= 0 else INF
        if position >= self.hi:
            return -INF
        view, rewrite = self._source
        return rewrite.one(view.values[position])

    def rewrite_to(self, position: int):
        """Rewrite the run up to ``position`` at least (a piece ends between two values)."""
        done, count = len(self._run), self.hi - self.lo
        if position - self.lo <= done or done == count:
            return
        end = min(count, max(position - self.lo, 2 * done, FIRST_PIECE))
        view, rewrite = self._source
        if end < count:  # extend past the ties of the piece's last value
            last = self.value(self.lo + end - 1)
            end = bisect_left(range(count), True, end, count,
                              key=lambda j: self.value(self.lo + j) < last)
        new, ids = _ties_by_id(rewrite.many(view.values[self.lo + done:self.lo + end]),
                               view.ids_between(self.lo + done, self.lo + end))
        self._run += new
        self._run_ids += ids

    def negligible_from(self, lo: int, hi: int, ref: float, temperature: float) -> int:
        """A position of [lo, hi) from which the weights exp((v - ref)/T) up to ``hi``
        provably sum to less than 1e-20 (``hi`` if none is found; a given run is summed
        whole). The tail is cut into bins where the weight falls by sqrt(2), from 1e-20 down
        to where the whole run could not reach it: a bin weighs at most its size times the weight of
        its first token (the values descend), which is computed, so the guessed bin edges
        (``Rewrite.below``, on the logits before the rewrite) cost tightness only."""
        if self._source is None:
            return hi
        view, rewrite = self._source
        level, floor = math.log(NEGLIGIBLE), math.log(NEGLIGIBLE / (4 * (hi - lo)))
        starts, weights = [], []
        while level > floor:
            edge = rewrite.below(ref + temperature * level)
            start = bisect_right(view.values, -edge, lo, hi, key=neg)  # first below edge
            if start >= hi:
                break
            if not starts or start > starts[-1]:
                starts.append(start)
                weights.append(math.exp((self.value(start) - ref) / temperature))
            level -= STEP
        end, bound = hi, 0.0
        for start, weight in zip(reversed(starts), reversed(weights)):
            bound += (end - start) * weight
            if bound * (1.0 + 1e-9) >= NEGLIGIBLE:  # room for exp's and this sum's rounding
                break
            end = start
        return end

    def between(self, a: int, b: int, run: list, before, after) -> list:
        """``run`` (the rewritten values or ids) read at [a, b), padded outside the run."""
        a, b = max(a, 0), min(b, self.size)
        if b <= a:
            return []
        self.rewrite_to(min(b, self.hi))
        inside = run[max(a, self.lo) - self.lo:max(min(b, self.hi) - self.lo, 0)]
        return [before] * (min(b, self.lo) - a) + inside + [after] * (b - max(a, self.hi))

    def ids_between(self, a: int, b: int) -> list:
        return self.between(a, b, self._run_ids, -1, -1)

    def whole(self) -> tuple:
        """(values, ids): whole-length lists."""
        if self._whole is None:
            self._whole = (self.between(0, self.size, self._run, INF, -INF),
                           self.between(0, self.size, self._run_ids, -1, -1))
        return self._whole

    @property
    def ids(self) -> list:
        return self.whole()[1]

    def tie_end(self, index: int, hi: int) -> int:
        return bisect_right(self.values, -self.values[index], index, hi, key=_above)

    def first_below(self, threshold: float, lo: int, hi: int) -> int:
        return bisect_right(self.values, -threshold, lo, hi, key=_above)

    def sigma(self) -> tuple:
        """(max, population std) of the run's rewritten logits (for top-nσ)."""
        values = self.values[self.lo:self.hi]
        mean = math.fsum(values) / len(values)
        return values[0], math.sqrt(math.fsum((v - mean) * (v - mean) for v in values)
                                    / len(values))

    def adjusted_logits(self) -> list:
        """Logits in id order: the rewritten ones for the run, -inf for everything else."""
        if self._adjusted is None:
            out = [-INF] * self.prepared.n
            values = self.values[self.lo:self.hi]
            deque(map(out.__setitem__, self.ids_between(self.lo, self.hi), values), maxlen=0)
            self._adjusted = out
        return self._adjusted

    def without(self, tokens) -> tuple:
        """(this view without ``tokens``, how many of them were in the run) for a late ban."""
        drop = set(tokens)
        pairs = [(v, t) for v, t in zip(self.values[self.lo:self.hi],
                                        self.ids_between(self.lo, self.hi)) if t not in drop]
        view = Rewritten(self.prepared, self.moved, self.lo,
                         self.size - (self.hi - self.lo) + len(pairs), len(pairs),
                         [v for v, _ in pairs], [t for _, t in pairs])
        return view, self.hi - self.lo - len(pairs)


class RunValues:
    """``Rewritten.values``: reads a position or a slice without rewriting the whole run
    (a list would need it all before the first read)."""

    __slots__ = ("view",)

    def __init__(self, view):
        self.view = view

    def __len__(self):
        return self.view.size

    def __getitem__(self, key):
        view = self.view
        if isinstance(key, slice):
            a, b, step = key.indices(view.size)
            if step != 1:
                return view.whole()[0][key]
            return view.between(a, b, view._run, INF, -INF)
        if key < 0:
            key += view.size
        if not 0 <= key < view.size:
            raise IndexError("Rewritten.values index out of range")
        return view.value(key)

    def __iter__(self):
        return iter(self.view.whole()[0])


def _above(value):
    return -value
