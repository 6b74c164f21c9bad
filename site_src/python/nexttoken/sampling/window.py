"""A Window: the kept run ``[lo, hi)`` of a View at a temperature, and its sums.

Every sampler here keeps a run of consecutive candidates in logit order (top-k, top-p, min-p,
epsilon, eta and top-nσ keep a head; typical keeps a band of logits around a centre; greedy
keeps one). So the state between stages is just ``(lo, hi)``, and removed tokens stay in the
View, masked by being outside the run.

Sums over the window (the softmax denominator, the entropy, a running mass) are exact --
``math.fsum`` over per-token weights -- for windows up to ``fast_above`` tokens, and use the
band power sums of ``buckets`` for larger ones, visiting per token only the bands where that
is needed for 1e-16 relative accuracy (see ``buckets``).
"""
import math
from bisect import bisect_left, bisect_right
from itertools import accumulate, repeat
from operator import sub, truediv

from .buckets import NEGLIGIBLE, SERIES_OK, series_coefficients, series_error
from .view import dot, scaled_weights


class Window:
    """Sums over ``view.values[lo:hi]`` at ``temperature`` (> 0)."""

    def __init__(self, view, lo: int, hi: int, temperature: float):
        self.view, self.lo, self.hi, self.temperature = view, lo, hi, temperature
        self.ref = view.values[lo]  # the window's top logit: weights are exp((v - ref) / T)
        prepared = view.prepared
        self.fast = hi - lo > prepared.fast_above and prepared.bands(need=True) is not None
        self._weights = None
        self._pieces = None
        self._total = None
        self._entropy = None

    def __len__(self):
        return self.hi - self.lo

    def weights(self) -> list:
        """exp((v - ref) / T) for every token of the window (exact; O(window))."""
        if self._weights is None:
            self._weights = scaled_weights(self.view.values, self.lo, self.hi,
                                           self.temperature, self.ref)
        return self._weights

    def scaled(self) -> list:
        """(v - ref) / T for every token of the window (the log of ``weights``)."""
        ref, temperature = self.ref, self.temperature
        return [(v - ref) / temperature for v in self.view.values[self.lo:self.hi]]

    def total(self) -> float:
        """The softmax denominator: sum of ``weights`` (>= 1, the top token's weight)."""
        if self._total is None:
            if self.fast:
                self._total = math.fsum(mass for _, _, mass, _ in self.pieces())
            else:
                self._total = math.fsum(self.weights())
        return self._total

    def entropy(self) -> float:
        """Entropy in nats of the window's softmax."""
        if self._entropy is None:
            total = self.total()
            if self.fast:
                # wsum is in logit units; scale it to the temperature's units
                wsum = math.fsum(w for _, _, _, w in self.pieces()) / self.temperature
            else:
                wsum = dot(self.weights(), self.scaled())
            self._entropy = max(math.log(total) - wsum / total, 0.0)
        return self._entropy

    def probabilities(self, count=None) -> list:
        """Normalised probabilities of the first ``count`` tokens of the window."""
        hi = self.hi if count is None else min(self.hi, self.lo + count)
        if hi == self.hi and self._weights is not None:
            weights = self._weights
        else:
            weights = scaled_weights(self.view.values, self.lo, hi, self.temperature, self.ref)
        return list(map(truediv, weights, repeat(self.total())))

    def cut(self, target: float) -> int:
        """First position j in [lo, hi) whose mass above (sum of weights of lo..j-1) >= target.

        Returns ``hi`` when the whole window's mass stays below the target.
        """
        if not self.fast:
            running = [0.0, *accumulate(self.weights())]
            return min(self.lo + bisect_left(running, target), self.hi)
        running = 0.0
        values, temperature, ref = self.view.values, self.temperature, self.ref
        for start, end, mass, _ in self.pieces():
            if running + mass < target:
                running += mass
                continue
            # the target falls in this piece (or just after it): walk its tokens exactly
            for offset, weight in enumerate(scaled_weights(values, start, end, temperature, ref)):
                if running >= target:
                    return start + offset
                running += weight
        return self.hi

    def pieces(self) -> list:
        """[(start, end, mass, wsum)] covering [lo, hi) in order (banded windows only).

        ``mass`` is the sum of weights over the piece; ``wsum`` the sum of weight * (v - ref) in
        logit units, ref being the window's top logit.
        """
        if self._pieces is None:
            self._pieces = list(self._walk())
        return self._pieces

    def _walk(self):
        view, lo, hi, temperature = self.view, self.lo, self.hi, self.temperature
        bands, rows, edges = view.layout()
        values, extra_pos, size = view.values, view.extra_pos, len(view.values)
        ref, s = values[lo], 1.0 / temperature
        coef = series_coefficients(s)
        error = series_error(bands.width, s)
        last = len(bands.centres)
        band = bisect_right(edges, lo) - 1
        start = lo
        while start < hi:
            end = hi if band >= last else min(edges[band + 1], hi)
            if (size - start) * math.exp((values[start] - ref) / temperature) < NEGLIGIBLE:
                yield start, hi, 0.0, 0.0  # nothing left here can reach 1e-20 of the top
                return
            row = rows[band] if band < last else None
            whole = row is not None and start == edges[band] and end == edges[band + 1]
            upper = bands.top - band * bands.width  # the band's highest possible base logit
            if whole and row[0] * math.exp((upper - ref) / temperature) * error <= SERIES_OK:
                yield (start, end) + self._series(band, row, coef, ref, s,
                                                  bisect_left(extra_pos, start),
                                                  bisect_left(extra_pos, end))
            else:
                yield (start, end) + self._exact(start, end, ref)
            start = end
            band += 1

    def _series(self, band, row, coef, ref, s, first_extra, end_extra):
        bands, view = self.view.layout()[0], self.view
        offset = bands.centres[band] - ref
        scale = math.exp(offset * s) if row[0] else 0.0
        f = dot(row, coef) if row[0] else 0.0
        mass = scale * f
        wsum = scale * (offset * f + dot(row[1:], coef)) if row[0] else 0.0
        for k in range(first_extra, end_extra):
            value = view.values[view.extra_pos[k]]
            weight = math.exp((value - ref) / self.temperature)
            mass += weight
            wsum += weight * (value - ref)
        return mass, wsum

    def _exact(self, start, end, ref):
        values = self.view.values
        weights = scaled_weights(values, start, end, self.temperature, self.ref)
        return math.fsum(weights), dot(weights, map(sub, values[start:end], repeat(ref)))
