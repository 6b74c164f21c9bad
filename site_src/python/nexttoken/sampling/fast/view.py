"""A View: the finite candidates in order after the logit-changing stages.

Penalties, biases and banned n-grams change the logits of a few ids (the "moved" ids). A View
takes the step's sorted logits, removes the moved ids from their old places and inserts them
at their new ones, using list slices (so the cost is a few memory copies, not a Python loop
over the vocabulary). Order: logit descending, ties by id descending -- the reverse of a
stable ascending sort, which is how torch orders ties in the small vocabularies where its sort
is stable (top-p is the one stage whose result depends on it).
"""
import math
from bisect import bisect_left, bisect_right
from itertools import repeat
from operator import mul, sub, truediv

NEG_INF = -math.inf


class Holes:
    """The sorted candidates with some ids taken out (the ids a penalty or bias moves).

    Moving a penalty slider changes where those ids go but not which ids they are, so this
    part is cached per set of ids by ``Prepared.holes``.
    """

    def __init__(self, prepared, tokens: tuple):
        self.prepared = prepared
        self.positions = positions = sorted(map(prepared.position, tokens))
        values, ids = prepared.sorted_values, prepared.sorted_ids
        if not positions:
            self.values, self.ids = values, ids
        else:
            cuts = [(cursor, at) for cursor, at in zip([0] + [h + 1 for h in positions],
                                                        positions + [len(values)])]
            self.values, self.ids = _joined(values, cuts), _joined(ids, cuts)
        self._rows = None

    def rows(self) -> list:
        """Band power sums with these ids taken out."""
        if self._rows is None:
            bands, prepared = self.prepared.bands(), self.prepared
            rows = list(bands.rows)
            for h in self.positions:
                b = bands.band_of(h)
                rows[b] = bands.without(b, rows[b], prepared.sorted_values[h])
            self._rows = rows
        return self._rows


class View:
    """Finite candidate logits ``values`` (descending) with their ``ids``; see module doc."""

    banded = True  # its windows may use the band index (a rewritten view's may not)
    lazy = False   # its windows sum every token (a rewritten view's stop early: window.py)

    def __init__(self, prepared, moved: dict):
        self.prepared = prepared
        self.moved = moved
        x = prepared.logits
        holes = prepared.holes(tuple(sorted(t for t in moved if x[t] != NEG_INF)))
        extras = sorted(((v, t) for t, v in moved.items() if v != NEG_INF), reverse=True)
        self.holes = holes.positions
        self.extra_at = [prepared.insertion(v, t) for v, t in extras]  # base positions
        self._hole_rows = holes.rows
        if not extras:
            self.values, self._ids, self.extra_pos = holes.values, holes.ids, []
        else:
            self._merge(holes, extras)
        self.banned = [t for t, v in moved.items() if v == NEG_INF and x[t] != NEG_INF]
        if not self.values:
            raise ValueError("every token is masked (-inf): nothing is left to sample from")
        self._layout = None
        self._band_rows = None
        self._stats = None
        self._adjusted = None

    def _merge(self, holes, extras):
        """Insert the extras into the candidates left after removing the holes."""
        # positions among the remaining candidates
        at = [a - bisect_left(self.holes, a) for a in self.extra_at]
        self.extra_pos = [a + k for k, a in enumerate(at)]
        self.values = _inserted(holes.values, at, [v for v, _ in extras])
        self._ids = None  # built when first read: a slider redraw may only need values
        self._pending_ids = (holes.ids, at, [t for _, t in extras])

    @property
    def ids(self) -> list:
        """Token ids in the order of ``values``."""
        if self._ids is None:
            self._ids = _inserted(*self._pending_ids)
        return self._ids

    def __len__(self):
        return len(self.values)

    def ids_between(self, a: int, b: int) -> list:
        """``ids[a:b]`` without building the whole list when few are asked for."""
        if self._ids is not None or b - a > 64:
            return self.ids[a:b]
        base_ids, at, tokens = self._pending_ids
        out = []
        for position in range(a, b):
            k = bisect_left(self.extra_pos, position)
            if k < len(self.extra_pos) and self.extra_pos[k] == position:
                out.append(tokens[k])
            else:
                out.append(base_ids[position - k])
        return out

    def tie_end(self, index: int, hi: int) -> int:
        """First position in [index, hi) whose logit is below ``values[index]``."""
        return bisect_right(self.values, -self.values[index], index, hi, key=_above)

    def first_below(self, threshold: float, lo: int, hi: int) -> int:
        """First position in [lo, hi) whose logit is < ``threshold``."""
        return bisect_right(self.values, -threshold, lo, hi, key=_above)

    def adjusted_logits(self) -> list:
        """All logits in id order after the moves (-inf for masked ids)."""
        if self._adjusted is None:
            out = self.prepared.logits
            if self.moved:
                out = list(out)
                for t, v in self.moved.items():
                    out[t] = v
            self._adjusted = out
        return self._adjusted

    def sigma(self) -> tuple:
        """(max, population std) of the finite candidate logits, as llama.cpp's top-nσ."""
        if self._stats is None:
            count, centre, spread = self.prepared.spread()
            total = count * centre
            x = self.prepared.logits
            for t, v in self.moved.items():
                for value, sign in ((x[t], -1), (v, 1)):
                    if value != NEG_INF:
                        count += sign
                        total += sign * value
                        spread += sign * (value - centre) * (value - centre)
            mean = total / count
            variance = spread / count - (mean - centre) * (mean - centre)
            if math.isnan(variance):  # inf - inf from astronomically large logits
                mean = math.fsum(self.values) / len(self.values)
                variance = math.fsum((v - mean) * (v - mean) for v in self.values) / count
            self._stats = (self.values[0], math.sqrt(max(variance, 0.0)))
        return self._stats

    def layout(self):
        """Per-band positions in this view and band power sums with moved ids taken out."""
        if self._layout is None:
            bands = self.prepared.bands()
            edges = [start - bisect_left(self.holes, start) + bisect_left(self.extra_at, start)
                     for start in bands.starts]
            self._layout = (bands, self._hole_rows(), edges)
        return self._layout

    def band_rows(self) -> dict:
        """{first piece: row of its whole band} for the bands stored as several pieces."""
        if self._band_rows is None:
            bands, rows, _ = self.layout()
            self._band_rows = {b: [math.fsum(column) for column in zip(*rows[b:e])]
                               for b, e in bands.multi}
        return self._band_rows


def _above(value):
    return -value


# One list at a time: growing two lists in turn defeats realloc's in-place growth and
# makes every extend copy the whole list.
def _joined(items: list, cuts) -> list:
    """items[a:b] for each (a, b) in cuts, concatenated."""
    out = []
    for a, b in cuts:
        out += items[a:b]
    return out


def _inserted(items: list, positions: list, inserts: list) -> list:
    """``items`` with inserts[k] placed before items[positions[k]] (positions ascending)."""
    out, cursor = [], 0
    for at, item in zip(positions, inserts):
        out += items[cursor:at]
        out.append(item)
        cursor = at
    out += items[cursor:]
    return out


def scaled_weights(values, a, b, temperature, ref):
    """exp((v - ref) / T) for v in values[a:b]: softmax numerators relative to the top logit.

    (transformers computes exp(v/T - ref/T); subtracting first cannot overflow at tiny T and
    differs only in the last bits.)
    """
    shifted = map(sub, values[a:b], repeat(ref))
    if temperature != 1.0:
        shifted = map(truediv, shifted, repeat(temperature))
    return list(map(math.exp, shifted))


def dot(a, b) -> float:
    """Exactly rounded dot product (the same result in CPython 3.11 and Pyodide's 3.14)."""
    return math.fsum(map(mul, a, b))


