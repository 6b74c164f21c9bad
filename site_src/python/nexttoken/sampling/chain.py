"""The sampler chain: the stages in transformers' order or in llama.cpp's, and their state.

Like llama.cpp's ``llama_sampler_chain`` (and transformers' ``LogitsProcessorList``), a chain
is itself a stage: ``apply(state)`` runs its stages in order. Only active stages are added,
as both engines do. The final pick is separate (``rng.sample``).

transformers (``GenerationMixin._get_logits_processor`` with ``do_sample=True``):
    sequence bias, repetition penalty, no-repeat n-gram, then temperature, top-k, top-p,
    min-p, typical, epsilon, eta.
    Added here: presence/frequency right after the repetition penalty (both are penalties on
    the history), and top-nσ right after temperature, as the first truncation, where
    llama.cpp also puts it.
llama.cpp (``common_params_sampling::samplers`` default, built by ``common_sampler_init``):
    logit bias, penalties (last 64 ids), [dry], top-nσ, top-k, typical, top-p, min-p, [xtc],
    temperature. Added here: no-repeat n-gram in DRY's place, epsilon and eta in XTC's.
"""
import math
from functools import partial

from . import adjust, filters
from .typical import Typical
from .result import Result
from .window import Window

LLAMA_PENALTY_LAST_N = 64  # llama.cpp's default penalty window (common_params_sampling)


class State:
    """What flows through the chain: moved logits, then a View with a kept window."""

    def __init__(self, prepared):
        self.prepared = prepared
        self.moved = {}
        self.view = None
        self.lo = self.hi = 0
        self.temperature = 1.0
        self.greedy = False
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

    def keep(self, lo: int, hi: int):
        self.lo, self.hi = lo, hi

    def window(self) -> Window:
        key = (self.lo, self.hi, self.temperature)
        if self._window is None or self._window[0] != key:
            old = self._window
            # after a head truncation, the new window reuses the sums of the old one
            head = old and (old[0][0], old[0][2]) == (self.lo, self.temperature) \
                and self.hi < old[0][1]
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

    def __init__(self, stages):
        self.stages = list(stages)

    def apply(self, state):
        for stage in self.stages:
            _run(stage, state)

    def trace(self, state):
        """Run the stages, yielding (name, removed ids, Result after) for each."""
        for stage in self.stages:
            if isinstance(stage, _ADJUSTERS):
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
    return view.ids[lo:new_lo] + view.ids[new_hi:hi]


_ADJUSTERS = (adjust.LogitBias, adjust.RepetitionPenalty, adjust.PresenceFrequency,
              adjust.LlamaPenalties, adjust.NoRepeatNGram)


def _run(stage, state):
    if not isinstance(stage, _ADJUSTERS):
        state.settle()
    stage.apply(state)


def build_chain(params, prepared) -> Chain:
    """The active stages for ``params`` in ``params.order``."""
    if params.order == "hf":
        return Chain(_hf_stages(params, prepared))
    return Chain(_llama_stages(params, prepared))


def _history_stages(params, prepared, llama):
    stages = []
    if params.logit_bias:
        stages.append(adjust.LogitBias(params.logit_bias))
    if prepared.history:
        if llama and params.penalizes:
            stages.append(adjust.LlamaPenalties(params.repetition_penalty,
                                                params.presence_penalty,
                                                params.frequency_penalty,
                                                LLAMA_PENALTY_LAST_N))
        if not llama and params.repetition_penalty != 1.0:
            stages.append(adjust.RepetitionPenalty(params.repetition_penalty))
        if not llama and (params.presence_penalty or params.frequency_penalty):
            stages.append(adjust.PresenceFrequency(params.presence_penalty,
                                                   params.frequency_penalty))
        if params.no_repeat_ngram_size:
            stages.append(adjust.NoRepeatNGram(params.no_repeat_ngram_size))
    return stages


def _truncations(params, style):
    stages = []
    if params.top_n_sigma > 0:
        stages.append(filters.TopNSigma(params.top_n_sigma))
    if params.top_k:
        stages.append(filters.TopK(params.top_k, style))
    return stages


def _hf_stages(params, prepared):
    stages = _history_stages(params, prepared, llama=False)
    if params.temperature != 1.0:
        stages.append(filters.Temperature(params.temperature))
    stages += _truncations(params, "hf")
    if params.top_p < 1.0:
        stages.append(filters.TopP(params.top_p, "hf"))
    if params.min_p > 0.0:
        stages.append(filters.MinP(params.min_p, "hf"))
    if params.typical_p < 1.0:
        stages.append(Typical(params.typical_p, "hf"))
    return stages + _entropy_cuts(params)


def _llama_stages(params, prepared):
    stages = _history_stages(params, prepared, llama=True)
    stages += _truncations(params, "llama.cpp")
    if params.typical_p < 1.0:
        stages.append(Typical(params.typical_p, "llama.cpp"))
    if params.top_p < 1.0:
        stages.append(filters.TopP(params.top_p, "llama.cpp"))
    if params.min_p > 0.0:
        stages.append(filters.MinP(params.min_p, "llama.cpp"))
    stages += _entropy_cuts(params)
    if params.temperature != 1.0:
        stages.append(filters.Temperature(params.temperature))
    return stages


def _entropy_cuts(params):
    stages = []
    if params.epsilon > 0.0:
        stages.append(filters.Epsilon(params.epsilon))
    if params.eta > 0.0:
        stages.append(filters.Eta(params.eta))
    return stages
