"""The sampler chain and the state that flows through it (the orders are built in orders.py).

Like llama.cpp's ``llama_sampler_chain`` (and transformers' ``LogitsProcessorList``), a chain
is itself a stage: ``apply(state)`` runs its stages in order. Only active stages are added,
as both engines do. The final pick is separate (``rng.sample``).

The orders (transformers', llama.cpp's, text-generation-webui's and a custom one) are
built by ``orders.build_chain``.
"""
import math
from functools import partial

from . import adjust
from .carry import Carry
from .dry import Dry
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


class Chain:
    """A list of stages that is itself a stage."""

    name = "chain"

    def __init__(self, stages, tensor=True):
        self.stages = list(stages)
        self.tensor = tensor

    def apply(self, state):
        state.tensor = self.tensor
        for stage in self.stages:
            _run(stage, state)

    def trace(self, state):
        """Run the stages, yielding (name, removed ids, Result after) for each."""
        state.tensor = self.tensor
        for stage in self.stages:
            if isinstance(stage, _ADJUSTERS) and state.view is not None:  # a late ban
                stage.apply(state)
                yield stage.name, list(state.banned_late), state.result()
            elif isinstance(stage, _ADJUSTERS):
                before = set(t for t, v in state.moved.items() if v == -math.inf)
                stage.apply(state)
                removed = [t for t, v in state.moved.items()
                           if v == -math.inf and t not in before
                           and state.prepared.logits[t] != -math.inf]
                after = State(state.prepared)
                after.moved = dict(state.moved)
                yield stage.name, sorted(removed), after.result()
            else:
                state.settle()
                lo, hi = state.lo, state.hi
                stage.apply(state)
                yield stage.name, partial(_cut_ids, state.view, lo, state.lo, state.hi, hi), \
                    state.result()


def _cut_ids(view, lo: int, new_lo: int, new_hi: int, hi: int) -> list:
    """Ids a truncation from [lo, hi) to [new_lo, new_hi) removed."""
    return view.ids_between(lo, new_lo) + view.ids_between(new_hi, hi)


_ADJUSTERS = (adjust.LogitBias, adjust.RepetitionPenalty, adjust.PresenceFrequency,
              adjust.LlamaPenalties, adjust.NoRepeatNGram, Dry)


def _run(stage, state):
    if not isinstance(stage, _ADJUSTERS):
        state.settle()
    stage.apply(state)


def is_adjuster(stage) -> bool:
    """Whether ``stage`` changes logits (runs before the View is built)."""
    return isinstance(stage, _ADJUSTERS)


