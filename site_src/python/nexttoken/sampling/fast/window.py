"""A Window: the kept run ``[lo, hi)`` of a View at a temperature, and its sums.

Every sampler here keeps a run of consecutive candidates in logit order (top-k, top-p, min-p,
epsilon, eta and top-nσ keep a head; typical keeps a band of logits around a centre; greedy
keeps one). So the state between stages is just ``(lo, hi)``, and removed tokens stay in the
View, masked by being outside the run.

Sums over the window (the softmax denominator, the entropy, a running mass) are exact --
``math.fsum`` over per-token weights -- for windows up to ``fast_above`` tokens, and use the
band power sums of ``buckets`` for larger ones, visiting per token only the bands where that
is needed for 1e-16 relative accuracy (see ``buckets``). Both leave out the tokens from where
the rest cannot reach 1e-20 of the top token's weight: the band walk, and, for a view whose
values are computed as they are read (``lazy``: quadratic sampling's), the token sums, which
then never compute that tail.
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
        self.fast = view.banded and hi - lo > prepared.fast_above \
            and prepared.bands(need=True) is not None
        self._weights = None
        self._head = None
        self._pieces = None
        self._total = None
        self._entropy = None
        self._cuts = {}     # target -> position (a redraw's chains ask the same cut)
        self._walked = {}   # piece start -> weights of the piece a banded cut walked
        self._coef = None

    def __len__(self):
        return self.hi - self.lo

    def weights(self) -> list:
        """exp((v - ref) / T) for every token of the window (exact; O(window))."""
        if self._weights is None:
            self._weights = scaled_weights(self.view.values, self.lo, self.hi,
                                           self.temperature, self.ref)
        return self._weights

    def summed(self) -> list:
        """The weights the token sums add: all of them, or for a lazy view's window of more
        than ``fast_above`` tokens those before the position from which the rest provably sums
        to less than 1e-20 of the top (the band walk's rule, ``_negligible``), which the view
        finds (``negligible_from``)."""
        if self._weights is not None or not self.view.lazy \
                or self.hi - self.lo <= self.view.prepared.fast_above:
            return self.weights()
        if self._head is None:
            lo, hi, ref, temperature = self.lo, self.hi, self.ref, self.temperature
            end = self.view.negligible_from(lo, hi, ref, temperature)
            self._head = self.weights() if end >= hi else \
                scaled_weights(self.view.values, lo, end, temperature, ref)
        return self._head

    def forget_weights(self):
        """Drop the per-token weights kept (the sums stay)."""
        self._weights = None
        self._head = None
        self._walked = {}

    def scaled(self, count=None) -> list:
        """(v - ref) / T for the first ``count`` tokens of the window (all if None): the log
        of ``weights``."""
        ref, temperature = self.ref, self.temperature
        hi = self.hi if count is None else self.lo + count
        return [(v - ref) / temperature for v in self.view.values[self.lo:hi]]

    def total(self) -> float:
        """The softmax denominator: sum of ``weights`` (>= 1, the top token's weight)."""
        if self._total is None:
            if self.fast:
                self._total = math.fsum(mass for _, _, mass, _ in self.pieces())
            else:
                self._total = math.fsum(self.summed())
        return self._total

    def entropy(self) -> float:
        """Entropy in nats of the window's softmax."""
        if self._entropy is None:
            total = self.total()
            if self.fast:
                # wsum is in logit units; scale it to the temperature's units
                wsum = math.fsum(w for _, _, _, w in self.pieces()) / self.temperature
            else:
                weights = self.summed()
                wsum = dot(weights, self.scaled(len(weights)))
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
        if target not in self._cuts:
            self._cuts[target] = self._cut(target)
        return self._cuts[target]

    def _cut(self, target: float) -> int:
        if not self.fast:
            running = [0.0, *accumulate(self.weights())]
            return min(self.lo + bisect_left(running, target), self.hi)
        running = 0.0
        for start, end, mass, _ in self.pieces():
            if running + mass < target:
                running += mass
                continue
            # the target falls in this piece (or just after it): in a whole band, find the
            # stored piece first; then add its tokens one by one
            for start, end, mass, _ in self._walk(start, end, False):
                if running + mass < target:
                    running += mass
                    continue
                found, running = self._cut_in(start, end, running, target)
                if found is not None:
                    return found
        return self.hi

    def _cut_in(self, start: int, end: int, running: float, target: float) -> tuple:
        """(first position of [start, end) whose mass above reaches ``target``, or None; the
        running mass after the piece)."""
        if running >= target:
            return start, running
        weights = self._walked[start] = scaled_weights(self.view.values, start, end,
                                                       self.temperature, self.ref)
        sums = list(accumulate(weights, initial=running))
        at = bisect_left(sums, target)
        return (start + at if at < len(sums) else None), sums[-1]

    def head(self, end: int) -> "Window":
        """The window [lo, end) at this temperature. Its pieces are this window's up to
        ``end``, then a walk from the piece ``end`` cuts: the pieces a walk of [lo, end)
        would make (a walk's choices depend only on where it is), without walking it all."""
        head = Window(self.view, self.lo, end, self.temperature)
        if head.fast and self._pieces is not None:
            pieces = []
            for piece in self._pieces:
                if piece[0] >= end:
                    break
                if piece[1] > end:
                    pieces += self._walk(piece[0], end, True)
                    break
                pieces.append(piece)
            head._pieces = pieces
        return head

    def _negligible(self, start: int, ref: float) -> bool:
        """Whether nothing from ``start`` on can reach 1e-20 of the top (the walk stops)."""
        values = self.view.values
        return (len(values) - start) * math.exp((values[start] - ref) / self.temperature) \
            < NEGLIGIBLE

    def pieces(self) -> list:
        """[(start, end, mass, wsum)] covering [lo, hi) in order (banded windows only).

        ``mass`` is the sum of weights over the piece; ``wsum`` the sum of weight * (v - ref) in
        logit units, ref being the window's top logit.
        """
        if self._pieces is None:
            self._pieces = list(self._walk(self.lo, self.hi, True))
        return self._pieces

    def _walk(self, start: int, hi: int, merge: bool):
        """Pieces covering [start, hi): a whole band in one series when ``merge`` and that is
        accurate enough, else a stored piece's series, else its tokens one by one."""
        view, temperature, ref = self.view, self.temperature, self.ref
        bands, rows, edges = view.layout()
        band_rows = view.band_rows() if merge else {}
        error = series_error(bands.width, 1.0 / temperature)
        last = len(bands.centres)
        band = bisect_right(edges, start) - 1
        while start < hi:
            end = hi if band >= last else min(edges[band + 1], hi)
            if self._negligible(start, ref):
                yield start, hi, 0.0, 0.0  # nothing left here can reach 1e-20 of the top
                return
            following = band + 1
            row = rows[band] if band < last and start == edges[band] and end == edges[band + 1] \
                else None  # a stored piece, whole
            if row is not None and band in band_rows and edges[bands.band_end[band]] <= hi:
                whole_band = band_rows[band]
                if self._series_ok(whole_band, band, error):
                    row, following = whole_band, bands.band_end[band]
                    end = edges[following]
            if row is not None and self._series_ok(row, band, error):
                yield (start, end) + self._series(band, row, start, end)
            else:
                yield (start, end) + self._exact(start, end, ref)
            start = end
            band = following

    def _series_ok(self, row, band, error) -> bool:
        """Whether the series error of ``row`` (bounded with its band's highest possible
        base logit) is small enough."""
        upper = self.view.layout()[0].uppers[band]
        try:
            bound = row[0] * math.exp((upper - self.ref) / self.temperature) * error
        except OverflowError:
            return False
        return bound <= SERIES_OK  # False for an infinite error (and NaN: 0 x inf)

    def _series(self, band, row, start, end):
        """(mass, wsum) of [start, end): ``row``'s series about ``band``'s centre, plus the
        moved ids inserted there, exactly."""
        bands, view, ref = self.view.layout()[0], self.view, self.ref
        s = 1.0 / self.temperature
        if self._coef is None:
            self._coef = series_coefficients(s)
        coef = self._coef
        first_extra = bisect_left(view.extra_pos, start)
        end_extra = bisect_left(view.extra_pos, end)
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
        walked = self._walked.get(start)  # the piece a cut walked, when ``head`` sums it
        if walked is not None and len(walked) >= end - start:
            weights = walked[:end - start]
        else:
            weights = scaled_weights(values, start, end, self.temperature, self.ref)
        return math.fsum(weights), dot(weights, map(sub, values[start:end], repeat(ref)))
