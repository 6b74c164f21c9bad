"""Result: the kept window after a chain, compact, with the full distribution on demand.

The page redraws from ``top(n)``, ``kept`` and ``entropy()``, whose cost grows with the number
of tokens shown (and the number of logit bands), not with the vocabulary; ``distribution()``
builds the full-length list.
"""
import math
from bisect import bisect_left
from collections import deque
from itertools import repeat
from operator import mul, neg, truediv

from .window import Window

SCATTER_MAX = 2048  # above this many kept tokens, build the list in one pass in id order


class Result:
    """The final (or an intermediate) kept window ``view.ids[lo:hi]`` at ``temperature``."""

    def __init__(self, view, lo: int, hi: int, temperature: float, greedy: bool, window=None):
        self.view, self.lo, self.hi = view, lo, hi
        self.temperature, self.greedy = temperature, greedy
        self._window = window  # the chain's Window of this run, when it made one
        self.mirostat = None   # (view, lo, hi, T) before Mirostat's cut and (lo, hi) after

    def mirostat_probability(self, token: int) -> float:
        """``token``'s probability in Mirostat's output (what llama.cpp's update reads), else
        in its input; 0.0 when Mirostat did not see it."""
        view, lo0, hi0, temperature, lo1, hi1 = self.mirostat
        for lo, hi in ((lo1, hi1), (lo0, hi0)):
            ids = view.ids_between(lo, hi)
            if token in ids:
                if hi - lo == 1:
                    return 1.0
                window = view.prepared.window(view, lo, hi, temperature)
                value = view.values[lo + ids.index(token)]
                return math.exp((value - window.ref) / temperature) / window.total()
        return 0.0

    @property
    def size(self) -> int:
        """Vocabulary size."""
        return self.view.prepared.n

    @property
    def kept(self) -> int:
        """How many tokens survive the chain (a far-tail one may still underflow to 0.0)."""
        return self.hi - self.lo

    def kept_ids(self) -> list:
        """Ids of the kept tokens, most likely first."""
        return self.view.ids_between(self.lo, self.hi)

    def window(self) -> Window:
        if self._window is None:
            self._window = Window(self.view, self.lo, self.hi, self.temperature)
        return self._window

    def probabilities(self, count=None) -> list:
        """Probabilities of the first ``count`` kept tokens (all if None), most likely first."""
        if self.kept == 1:
            return [1.0]
        return self.window().probabilities(count)

    def top(self, count: int = 10) -> list:
        """[(id, probability)] of the ``count`` most likely kept tokens."""
        probs = self.probabilities(count)
        return list(zip(self.view.ids_between(self.lo, self.lo + len(probs)), probs))

    def sparse(self):
        """(ids ascending, their probabilities) when few tokens are kept, else None.

        The values are those of ``distribution()``, so sampling from either picks the same
        token: the zeros in between do not change a running sum.
        """
        if self.kept > SCATTER_MAX:
            return None
        pairs = sorted(zip(self.kept_ids(), self.probabilities()))
        return [t for t, _ in pairs], [p for _, p in pairs]

    def entropy(self) -> float:
        """Entropy (nats) of the final distribution."""
        return 0.0 if self.kept == 1 else self.window().entropy()

    def distribution(self) -> list:
        """Probabilities over the whole vocabulary in id order; exactly 0.0 where removed."""
        n, view, lo, hi = self.size, self.view, self.lo, self.hi
        if self.kept == 1:
            out = [0.0] * n
            out[view.ids_between(lo, lo + 1)[0]] = 1.0
            return out
        if view.banded and lo == 0 and hi == len(view) and self.temperature == 1.0:
            if not view.moved:
                return list(view.prepared.softmax())
            if self.window().fast:
                return self._rescaled_softmax(self.window().total())
        if self.kept > SCATTER_MAX:
            return self._by_id()
        out = [0.0] * n
        weights = self.window().weights()
        total = self.window().total()
        _scatter(out, view.ids_between(lo, hi), map(truediv, weights, repeat(total)))
        return out

    def _by_id(self) -> list:
        # Many tokens are kept: one pass over the vocabulary in id order. The kept run is a
        # range of logits [low, high]; tokens tied with its ends but outside it are zeroed.
        view, lo, hi, temperature = self.view, self.lo, self.hi, self.temperature
        values, ids = view.values, view.ids
        low, high = values[hi - 1], values[lo]
        log_total, exp = math.log(self.window().total()), math.exp
        out = [exp((v - high) / temperature - log_total) if low <= v <= high else 0.0
               for v in view.adjusted_logits()]
        outside = ids[hi:view.tie_end(hi - 1, len(view))]
        outside += ids[bisect_left(values, -high, 0, lo, key=neg):lo]
        _scatter(out, outside, repeat(0.0))
        return out

    def _rescaled_softmax(self, total) -> list:
        """At T = 1 with nothing removed only the moved ids change: rescale the cached softmax."""
        view, prepared = self.view, self.view.prepared
        top = view.values[0]
        factor = prepared.softmax_total() * math.exp(prepared.sorted_values[0] - top) / total
        out = list(map(mul, prepared.softmax(), repeat(factor)))
        for token, value in view.moved.items():
            out[token] = math.exp(value - top) / total
        return out


def _scatter(out: list, ids, values):
    """out[i] = v for each pair, looping in C (deque with maxlen 0 just drains the map)."""
    deque(map(out.__setitem__, ids, values), maxlen=0)


class StageTrace:
    """One stage of ``Prepared.trace``: its name, the ids it removed, and the result after it.

    ``removed`` may be given as a function that makes the list (read: it is called once), so
    that a stage view which never reads it does not copy tens of thousands of ids. ``probs``
    is the full distribution after the stage (computed when first read).
    """

    def __init__(self, name: str, removed, result: Result):
        self.name, self.result = name, result
        self._removed = removed
        self._probs = None

    @property
    def removed(self) -> list:
        if callable(self._removed):
            self._removed = self._removed()
        return self._removed

    @property
    def probs(self) -> list:
        if self._probs is None:
            self._probs = self.result.distribution()
        return self._probs

    def __repr__(self):
        return f"StageTrace({self.name!r}, removed={len(self.removed)}, kept={self.result.kept})"
