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
from operator import eq

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
        new = [-(kf * (d * d)) + (sf * (d * d * d)) + top
               for d in (v / temperature - top for v in values[lo:hi])]
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
