"""Sums of exp(logit / T) over thousands of tokens without visiting each token.

The sorted finite logits are cut into narrow bands of width ``w``. For band ``b`` with centre
``c`` and offsets ``d = v - c`` (|d| <= w/2) we store the power sums ``M_k = sum(d**k)`` once per
model step. Then for any temperature, with ``s = 1/T``::

    sum(exp((v - ref) * s)) = exp((c - ref) * s) * sum_k M_k * s**k / k!

which is a short series (K + 1 terms) per band instead of one exp per token. The series is
cut after K terms; its relative error is below ``x**(K+1) / (K+1)! * e**x`` with ``x = w*s/2``.
Callers only use a band's series when that error, times an upper bound of the band's mass,
is below 1e-17 of the window's top token (whose weight is 1), and otherwise sum the band's
tokens one by one. So the result is exact to ~1e-16 relative at every temperature; only the
amount of per-token work changes.

A band holding more than ``CHUNK`` tokens (flat distributions put most of the vocabulary in a
few bands) is stored as several consecutive pieces with the band's centre, so that a sum
that must stop inside a band (a top-p cut) walks at most ``CHUNK`` tokens one by one, and so
that a piece whose whole band's series is not accurate enough may still use its own. A sum
over whole bands uses one series per band when that is accurate enough.
"""
import math
from bisect import bisect_left
from itertools import chain, repeat
from operator import mul, neg, sub

ORDER = 10          # K: series terms kept (a band needs power sums up to K + 1 for entropy)
WIDTH = 0.1         # band width in logits
MAX_BANDS = 2000    # wide logit ranges get wider bands, not more of them
CHUNK = 1024        # most tokens in one stored piece of a band
NEGLIGIBLE = 1e-20  # a band whose mass bound is below this (top token = 1) is skipped
SERIES_OK = 1e-17   # largest absolute error allowed from one band's truncated series


def series_coefficients(s: float) -> list:
    """[s**k / k! for k in 0..K]."""
    coef = [1.0]
    for k in range(1, ORDER + 1):
        coef.append(coef[-1] * s / k)
    return coef


class Bands:
    """Power sums of the offsets within each piece of a descending list of finite logits.

    A value band holds values in (top - (j+1)*w, top - j*w], centre top - (j+0.5)*w; it is
    stored as one or more pieces of at most ``CHUNK`` tokens. ``starts[b]`` is the position of
    the first logit of piece ``b`` (``starts[-1]`` is the length); ``centres[b]`` and
    ``uppers[b]`` are its band's centre and upper edge; ``rows[b]`` is ``[M_0, ..., M_{K+1}]``
    (``M_0`` is the piece's count). Power sums about one centre add up, so a whole band's row
    is the sum of its pieces' rows.
    """

    def __init__(self, values: list):
        top, bottom = values[0], values[-1]
        self.width = width = max(WIDTH, (top - bottom) / MAX_BANDS)
        count = int((top - bottom) / width) + 1
        edges = [0]
        for j in range(1, count + 1):
            # positions of values > top - j*w (the list is descending; neg makes it ascending)
            edges.append(bisect_left(values, -(top - j * width), key=neg))
        edges[-1] = len(values)
        self.starts, self.centres, self.uppers = [], [], []
        for j in range(count):
            for start in range(edges[j], max(edges[j + 1], edges[j] + 1), CHUNK):
                self.starts.append(start)
                self.centres.append(top - (j + 0.5) * width)
                self.uppers.append(top - j * width)
        self.starts.append(len(values))
        # band_end[b]: the first piece after piece b's band; multi: (first, end) pieces of each
        # band stored as several (a walk may sum such a band in one series)
        self.band_end, self.multi = [], []
        for j, first in enumerate(edges[:-1]):
            pieces = max(1, -(-(edges[j + 1] - first) // CHUNK))
            end = len(self.band_end) + pieces
            if pieces > 1:
                self.multi.append((len(self.band_end), end))
            self.band_end += [end] * pieces
        self.top = top
        self.rows = self._power_sums(values)

    def _power_sums(self, values):
        starts, count = self.starts, len(self.centres)
        sizes = [starts[b + 1] - starts[b] for b in range(count)]
        centre_of_each = chain.from_iterable(map(repeat, self.centres, sizes))
        offsets = list(map(sub, values, centre_of_each))
        rows = [[float(size)] for size in sizes]
        power = offsets
        for k in range(1, ORDER + 2):
            if k > 1:
                power = list(map(mul, power, offsets))
            for b in range(count):
                lo, hi = starts[b], starts[b + 1]
                rows[b].append(math.fsum(power[lo:hi]) if hi > lo else 0.0)
        return rows

    def band_of(self, position: int) -> int:
        """The band holding the logit at ``position``."""
        return bisect_left(self.starts, position + 1) - 1

    def without(self, band: int, row: list, value: float) -> list:
        """``row`` of ``band`` with one logit ``value`` taken out (a copy)."""
        offset = value - self.centres[band]
        out = [row[0] - 1.0]
        power = 1.0
        for k in range(1, ORDER + 2):
            power *= offset
            out.append(row[k] - power)
        if out[0] == 0.0:  # an emptied band must sum to exactly nothing
            out = [0.0] * (ORDER + 2)
        return out


def series_error(width: float, s: float) -> float:
    """Relative error bound of a band's series at scale ``s``."""
    x = width * s / 2
    try:
        return x ** (ORDER + 1) / math.factorial(ORDER + 1) * math.exp(x)
    except OverflowError:  # a temperature so low that no series can serve: sum exactly
        return math.inf
