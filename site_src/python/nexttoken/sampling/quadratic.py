"""Quadratic ("smooth") sampling, as text-generation-webui's QuadraticSamplingLogitsWarper
(``modules/sampler_hijack.py`` at dceb23c76361066f35531cef3808cf172b6d5a5d).

With d = x - max over the current (temperature-scaled) logits, k = (3 - curve) / 2 and
s = (curve - 1) / 2, every finite logit becomes ``-(k·f·d²) + (s·f·d³) + max``. For
curve in [1, 3] the map is monotone, so the candidates keep their order (and exact ties stay
ties; rounding can only make new ties); the run is rewritten into a ``Rewritten`` view whose
values are the new logits at temperature 1. The map is not a temperature, so the band index
cannot sum it: a rewritten run is summed token by token.
"""
import math
from bisect import bisect_left, bisect_right
from itertools import repeat
from operator import add, eq, mul, neg, sub, truediv

INF = math.inf


class Quadratic:
    name = "quadratic"

    def __init__(self, factor: float, curve: float):
        self.factor, self.curve = factor, curve

    def apply(self, state):
        view, lo, hi, temperature = state.view, state.lo, state.hi, state.temperature
        k = (3 - self.curve) / 2
        s = (self.curve - 1) / 2
        kf, sf = k * self.factor, s * self.factor
        values = view.values
        top = values[lo] / temperature
        new = _rewrite(values[lo:hi], temperature, top, kf, sf)
        ids = view.ids_between(lo, hi)
        if not math.isfinite(new[-1]):  # the lowest logit is the farthest from the top
            if math.isnan(math.fsum(new)):
                raise ValueError(f"quadratic sampling overflows: a logit lies "
                                 f"{top - values[hi - 1] / temperature:g} below the top "
                                 "(text-generation-webui would return NaN); use logits "
                                 "closer together")
            finite = bisect_left(new, True, key=lambda v: v == -INF)  # -inf: masked
            new, ids = new[:finite], ids[:finite]
            state.keep(lo, lo + finite, resize=False)
            state.extra += hi - lo - finite
        if any(map(eq, new, new[1:])):  # ties, perhaps new ones: by id descending again
            pairs = sorted(zip(new, ids), reverse=True)
            new, ids = [v for v, _ in pairs], [t for _, t in pairs]
        state.view = Rewritten(view.prepared, view.moved, lo, len(view), new, ids)
        state.temperature = 1.0


def _rewrite(values, temperature, top, kf, sf) -> list:
    """-(kf·d²) + (sf·d³) + top for d = v/T - top, as webui evaluates it, in C-level passes
    (a redraw over the whole vocabulary cannot afford a Python loop per token)."""
    scaled = values if temperature == 1.0 else map(truediv, values, repeat(temperature))
    d = list(map(sub, scaled, repeat(top)))
    squares = list(map(mul, d, d))
    quad = map(mul, repeat(kf), squares)
    if sf == 0.0:  # -(a) + 0·d³ + top == top - a exactly, unless d³ overflows: 0·inf
        if d and not math.isfinite(d[-1] * d[-1] * d[-1]):  # the farthest token's d³
            return [math.nan]
        return list(map(sub, repeat(top), quad))
    cubes = map(mul, repeat(sf), map(mul, squares, d))
    return list(map(add, map(add, map(neg, quad), cubes), repeat(top)))


class Rewritten:
    """A View whose run [lo, lo + len(values)) holds rewritten logits (positions unchanged);
    positions outside the run read +inf before it and -inf after it, so searches that stay
    inside the run behave, and nothing outside it can be mistaken for a kept token. Only
    the run's ids are known (``ids`` is -1 elsewhere)."""

    banded = False

    def __init__(self, prepared, moved, lo: int, size: int, values: list, ids: list):
        self.prepared, self.moved = prepared, moved
        self.lo, self.hi = lo, lo + len(values)
        self.values = [INF] * lo + values + [-INF] * (size - self.hi)
        self.ids = [-1] * lo + ids + [-1] * (size - self.hi)
        self._adjusted = None

    def __len__(self):
        return len(self.values)

    def ids_between(self, a: int, b: int) -> list:
        return self.ids[a:b]

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
            for token, value in zip(self.ids[self.lo:self.hi], self.values[self.lo:self.hi]):
                out[token] = value
            self._adjusted = out
        return self._adjusted

    def without(self, tokens) -> tuple:
        """(this view without ``tokens``, how many of them were in the run) for a late ban."""
        drop = set(tokens)
        pairs = [(v, t) for v, t in zip(self.values[self.lo:self.hi], self.ids[self.lo:self.hi])
                 if t not in drop]
        view = Rewritten(self.prepared, self.moved, self.lo, len(self) - (self.hi - self.lo)
                         + len(pairs), [v for v, _ in pairs], [t for _, t in pairs])
        return view, self.hi - self.lo - len(pairs)


def _above(value):
    return -value
