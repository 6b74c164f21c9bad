"""prepare(): the once-per-model-step work, and Prepared, which answers for any parameters.

A model step gives logits; the reader then moves sliders. Everything that does not depend on
the sliders is done here once: validating the logits, the descending sort (temperature never
changes the order of tokens, so it is done once), the history's counts and n-grams, and --
lazily, for large vocabularies -- the band power sums that make later sums sublinear.
"""
import math
from bisect import bisect_left, bisect_right
from collections import Counter
from itertools import repeat
from operator import mul, neg, sub, truediv

from .buckets import Bands
from ..dry import match_lengths
from ..orders import build_chain
from .result import Result, StageTrace
from .state import State
from .view import Holes, View
from .window import Window

FAST_ABOVE = 4096  # windows larger than this may use band sums (see window.py)
INDEX_AFTER = 2    # large-window answers computed token by token before the index is built
WINDOWS_KEPT = 6   # windows (and their sums) kept per step for the next chain to reuse


def prepare(logits, history=(), *, fast_above: int = FAST_ABOVE,
            index_after: int = INDEX_AFTER) -> "Prepared":
    """Precompute one model step's logits (and the token ids so far) for fast re-sampling.

    ``logits``: any sequence of floats (list, ``array('f')``, a memoryview of a JS
    Float32Array). -inf marks a masked token; NaN and +inf raise ValueError.
    ``history``: the token ids so far (prompt included), for penalties and n-gram bans.

    Sums over windows of more than ``fast_above`` tokens use a band index of the logits
    (``Prepared.index()``), which costs a few exact passes to build: it is built on the
    ``index_after + 1``-th such sum, so one-off answers (generation) skip it and slider
    redraws get it. Call ``index()`` to build it up front.
    """
    return Prepared(logits, history, fast_above, index_after)


def distribution(logits, params, history=()) -> list:
    """One-call form: the final probabilities over the vocabulary for ``params``."""
    return prepare(logits, history).distribution(params)


def _as_floats(logits) -> list:
    if hasattr(logits, "to_py"):  # a Pyodide proxy of a JS typed array
        logits = logits.to_py()
    if isinstance(logits, memoryview) and logits.format in ("f", "d"):
        return logits.tolist()
    values = list(logits)
    if set(map(type, values)) <= {float}:  # the common case: no conversion pass needed
        return values
    return list(map(float, values))


def _check_finite(values: list):
    """Raise on NaN or +inf; a single fsum pass detects both in the common case."""
    try:
        total = math.fsum(values)
        suspicious = math.isnan(total) or total == math.inf
    except (OverflowError, ValueError):  # huge values, or +inf next to -inf
        suspicious = True
    if suspicious:
        for index, value in enumerate(values):
            if math.isnan(value) or value == math.inf:
                raise ValueError(f"logits[{index}] is {value!r}: logits must be finite "
                                 "or -inf (masked)")


class Prepared:
    """One model step's logits, sorted and indexed; see ``prepare``."""

    def __init__(self, logits, history, fast_above=FAST_ABOVE, index_after=INDEX_AFTER):
        values = _as_floats(logits)
        if not values:
            raise ValueError("logits is empty: pass one logit per vocabulary token")
        _check_finite(values)
        self.n = n = len(values)
        self.logits = values
        order = sorted(range(n), key=values.__getitem__)
        order.reverse()  # descending; ties by id descending (see view.py)
        finite = n - values.count(-math.inf)
        if finite == 0:
            raise ValueError("every logit is -inf: at least one token must be possible")
        self.sorted_ids = order[:finite]
        self.masked_ids = order[finite:]
        self.sorted_values = list(map(values.__getitem__, self.sorted_ids))
        self.history = self._check_history(history)
        self.fast_above = fast_above
        self._index_after = index_after
        self._bands = None
        self._spread = None
        self._softmax = None
        self._views = {}
        self._holes = {}
        self._windows = {}
        self._counts = {}
        self._banned = {}
        self._dry = {}
        self.carry = None  # the Carry of this position (sampling.carry); a session sets it

    def _check_history(self, history) -> list:
        if hasattr(history, "to_py"):
            history = history.to_py()
        history = list(history)
        for token in history:
            if not isinstance(token, int) or isinstance(token, bool) or not 0 <= token < self.n:
                raise ValueError(f"history holds {token!r}: token ids must be integers in "
                                 f"[0, {self.n})")
        return history

    # --- the public answers -------------------------------------------------------------

    def result(self, params, carry=None) -> Result:
        """The final kept window for ``params`` (compact; use ``.distribution()`` for a list).
        ``carry``: XTC's draw and Mirostat's mu for this position (default ``self.carry``)."""
        state = State(self, carry)
        build_chain(params, self).apply(state)
        result = state.result()
        result.mirostat = state.mirostat
        return result

    def distribution(self, params, carry=None) -> list:
        """Final probabilities over the whole vocabulary: exactly 0.0 for removed tokens."""
        return self.result(params, carry).distribution()

    def trace(self, params, carry=None) -> list:
        """One StageTrace per active stage: its name, the ids it removed, the result after it."""
        state = State(self, carry)
        return [StageTrace(*entry) for entry in build_chain(params, self).trace(state)]

    # --- lookups used by the stages -----------------------------------------------------

    def counts(self, last=None) -> Counter:
        """How often each id occurs in the history (or in its last ``last`` ids)."""
        if last not in self._counts:
            ids = self.history if last is None else self.history[-last:] if last else []
            self._counts[last] = Counter(ids)
        return self._counts[last]

    def banned(self, size: int) -> list:
        """Ids that would repeat an n-gram of ``size`` (transformers' NoRepeatNGram rule)."""
        if size not in self._banned:
            ids, follows = self.history, {}
            if len(ids) + 1 >= size:
                for start in range(len(ids) - size + 1):
                    follows.setdefault(tuple(ids[start:start + size - 1]), []).append(
                        ids[start + size - 1])
                prefix = tuple(ids[len(ids) + 1 - size:]) if size > 1 else ()
                self._banned[size] = sorted(set(follows.get(prefix, [])))
            else:
                self._banned[size] = []
        return self._banned[size]

    def dry_lengths(self, breakers: tuple) -> dict:
        """DRY's {token: repeat length} for the history (see dry.py), cached per breakers."""
        if breakers not in self._dry:
            self._dry[breakers] = match_lengths(self.history, frozenset(breakers))
        return self._dry[breakers]

    def view(self, moved: dict) -> View:
        """The View for these moved logits (a few are cached: sliders rarely move them)."""
        key = tuple(sorted(moved.items()))
        view = self._views.get(key)
        if view is None:
            if len(self._views) >= 3:
                self._views.pop(next(iter(self._views)))
            view = self._views[key] = View(self, dict(moved))
        return view

    def window(self, view, lo: int, hi: int, temperature: float, parent=None) -> Window:
        """The Window of ``view``'s run [lo, hi) at ``temperature``, shared by every chain
        run on this step (a redraw runs a few: the result, greedy, the stages), so each sum
        is made once. ``parent``: a window of [lo, more) at that temperature to cut down.

        A few are kept (``forget_windows`` drops them); a large one summed token by token is
        made again once the index is built, banded.
        """
        key = (view, lo, hi, temperature)
        window = self._windows.get(key)
        if window is None or (not window.fast and hi - lo > self.fast_above and self._bands
                              and view.banded):
            window = parent.head(hi) if parent else Window(view, lo, hi, temperature)
            if len(self._windows) >= WINDOWS_KEPT:
                self._windows.pop(next(iter(self._windows)))
            self._windows[key] = window
        return window

    def release(self):
        """Drop every cache (views, windows, holes, bands, softmax). The views and windows
        point back here, so without this a dropped Prepared (~4 MB) waits for the next full
        garbage collection; after it, it is freed as soon as its last reference goes."""
        self._bands = self._spread = self._softmax = None
        for cache in (self._views, self._holes, self._windows, self._counts, self._banned):
            cache.clear()

    def forget_windows(self):
        """Drop what the kept windows hold per token; banded ones keep their few numbers per
        band (a step kept for undo stays small)."""
        self._windows = {key: window for key, window in self._windows.items() if window.fast}
        for window in self._windows.values():
            window.forget_weights()

    def holes(self, tokens: tuple) -> Holes:
        """The candidates without ``tokens`` (finite-logit ids), cached per set of ids."""
        holes = self._holes.get(tokens)
        if holes is None:
            if len(self._holes) >= 4:
                self._holes.pop(next(iter(self._holes)))
            holes = self._holes[tokens] = Holes(self, tokens)
        return holes

    def position(self, token: int) -> int:
        """Where a finite-logit ``token`` sits in the descending order."""
        value, ids = self.logits[token], self.sorted_ids
        lo = bisect_left(self.sorted_values, -value, key=neg)
        hi = bisect_right(self.sorted_values, -value, key=neg)
        return bisect_left(ids, -token, lo, hi, key=neg)

    def insertion(self, value: float, token: int) -> int:
        """How many base candidates come before ``token`` if its logit were ``value``."""
        lo = bisect_left(self.sorted_values, -value, key=neg)
        hi = bisect_right(self.sorted_values, -value, key=neg)
        return bisect_left(self.sorted_ids, -token, lo, hi, key=neg)

    def index(self):
        """Build the band index of the sorted logits now (see ``prepare``); returns self."""
        if self._bands is None:
            values = self.sorted_values
            span = values[0] - values[-1]
            usable = len(values) > self.fast_above and math.isfinite(span)
            self._bands = Bands(values) if usable else False
        return self

    def bands(self, need=False):
        """The band index, or None. ``need``: a large window asks; build it after a few asks."""
        if self._bands is None and need:
            if self._index_after <= 0:
                self.index()
            self._index_after -= 1
        return self._bands or None

    def spread(self) -> tuple:
        """(count, mean, sum of squared deviations) of the finite logits."""
        if self._spread is None:
            values = self.sorted_values
            mean = math.fsum(values) / len(values)
            deviations = list(map(sub, values, repeat(mean)))
            self._spread = (len(values), mean, math.fsum(map(mul, deviations,
                                                             deviations)))
        return self._spread

    def softmax(self) -> list:
        """The unmodified softmax at temperature 1, in id order (cached; callers copy it)."""
        if self._softmax is None:
            top = self.sorted_values[0]
            exp = math.exp
            weights = [exp(v - top) for v in self.logits]
            total = math.fsum(weights)
            self._softmax = (list(map(truediv, weights, repeat(total))), total)
        return self._softmax[0]

    def softmax_total(self) -> float:
        """The denominator of ``softmax()`` (relative to the top logit)."""
        self.softmax()
        return self._softmax[1]
