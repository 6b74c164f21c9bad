"""State: what flows through the chain on the fast path -- moved logits, then a View of the
sorted candidates with a kept run ``[lo, hi)`` and its Window of sums.

The stages (adjust.py, filters.py, more.py, ...) read and change it; ``Chain`` (chain.py) runs
them. Stages that change logits record them in ``moved``; the View is built once they are
done (``settle``), and every later stage keeps a run of it.
"""
import math
from functools import partial

from ..carry import Carry
from .result import Result
from .window import Window


class State:
    """What flows through the chain: moved logits, then a View with a kept window."""

    def __init__(self, prepared, carry=None):
        self.prepared = prepared
        self.carry = carry or prepared.carry or Carry()
        self.moved = {}
        self.view = None
        self.lo = self.hi = 0
        self.temperature = 1.0
        self.greedy = False
        self.extra = 0          # -inf entries llama.cpp's candidate array still holds
        self.tensor = True      # transformers' world: the array is the whole vocabulary
        self.mirostat = None    # (lo, hi, T) before and (lo, hi) after Mirostat's cut
        self.banned_late = []   # ids a ban after the View was built removed (webui order)
        self._window = None

    def logit(self, token: int) -> float:
        return self.moved.get(token, self.prepared.logits[token])

    def move(self, token: int, value: float):
        if math.isnan(value) or value == math.inf:
            raise ValueError(f"the logit of token {token} became {value!r} after a bias or "
                             "penalty: use smaller values")
        self.moved[token] = value

    def settle(self):
        """Build the View once the logit-changing stages are done."""
        if self.view is None:
            self.view = self.prepared.view(self.moved)
            self.lo, self.hi = 0, len(self.view)
            self.extra = self.prepared.n - len(self.view)

    def keep(self, lo: int, hi: int, resize=True):
        """Keep the run [lo, hi). ``resize``: llama.cpp drops the others from its array (else
        they stay in it; the stage adds them to ``extra`` if they stay as -inf entries)."""
        self.lo, self.hi = lo, hi
        if resize:
            self.extra = 0

    def size(self) -> int:
        """How many candidates the engine's array holds here: the whole vocabulary in
        transformers' world (removed tokens are -inf entries), in llama.cpp's the kept run
        and the -inf entries no stage has dropped."""
        return self.prepared.n if self.tensor else self.hi - self.lo + self.extra

    def ban(self, tokens):
        """Mask ``tokens`` after the View is built (text-generation-webui runs no-repeat
        n-gram last): the run loses them and is still a run of the View without them."""
        view, lo, hi = self.view, self.lo, self.hi
        inside = set(view.ids_between(lo, hi)) & set(tokens)
        if not inside:
            self.banned_late = []
            return
        if hasattr(view, "without"):
            self.view, dropped = view.without(inside)
        else:
            dropped = len(inside)
            for token in inside:
                self.moved[token] = -math.inf
            self.view = self.prepared.view(self.moved)
        self.hi = hi - dropped
        self._window = None
        self.banned_late = sorted(inside)
        if self.hi == self.lo:
            raise ValueError("every token is masked (-inf): nothing is left to sample from")

    def window(self) -> Window:
        key = (self.lo, self.hi, self.temperature)
        if self._window is None or self._window[0] != key or self._window[1].view is not self.view:
            old = self._window
            # after a head truncation, the new window reuses the sums of the old one
            head = old and (old[0][0], old[0][2]) == (self.lo, self.temperature) \
                and self.hi < old[0][1] and old[1].view is self.view
            window = self.prepared.window(self.view, *key, old[1] if head else None)
            self._window = (key, window)
        return self._window[1]

    def result(self) -> Result:
        """The current run as a Result, sharing its Window (and the sums already made) with
        the stages that follow."""
        self.settle()
        return Result(self.view, self.lo, self.hi, self.temperature, self.greedy, self.window())

    # --- what Chain.trace reports after each stage ---------------------------------------

    def mark(self) -> tuple:
        """What a stage may change, before it runs (see ``removed_since``)."""
        if self.view is None:
            return (None, frozenset(t for t, v in self.moved.items() if v == -math.inf), 0, 0)
        return (self.view, None, self.lo, self.hi)

    def removed_since(self, mark):
        """The ids the last stage removed: newly masked logits, a late ban, or the part of the
        run a truncation cut (a callable, as listing a large cut costs a pass over it)."""
        view, masked, lo, hi = mark
        if view is None:  # the logits were being changed
            return sorted(t for t, v in self.moved.items() if v == -math.inf
                          and t not in masked and self.prepared.logits[t] != -math.inf)
        if self.view is not view:  # a ban after the View was built
            return list(self.banned_late)
        return partial(_cut_ids, view, lo, self.lo, self.hi, hi)

    def result_so_far(self) -> Result:
        """The Result the stages so far give, without building this state's View early
        (the stages that change logits may not be done)."""
        if self.view is not None:
            return self.result()
        after = State(self.prepared)
        after.moved = dict(self.moved)
        return after.result()


def _cut_ids(view, lo: int, new_lo: int, new_hi: int, hi: int) -> list:
    """Ids a truncation from [lo, hi) to [new_lo, new_hi) removed."""
    return view.ids_between(lo, new_lo) + view.ids_between(new_hi, hi)
