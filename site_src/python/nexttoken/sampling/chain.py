"""The sampler chain, and the one interface every stage has.

Like llama.cpp's ``llama_sampler_chain`` (and transformers' ``LogitsProcessorList``), a chain
is itself a stage: ``apply(state)`` runs its stages in order. Only active stages are added,
as both engines do. The final pick is separate (``rng.sample``). The orders (transformers',
llama.cpp's, text-generation-webui's and a custom one) are built by ``orders.build_chain``.

Every stage is a small object with:

- ``name``: its name in the parameter schema (``params.STAGE_LABELS`` labels it);
- ``changes_logits``: True for the stages that move a few logits (bias, penalties, DRY, banned
  n-grams), which run before the candidates are sorted into a View; False for the ones that
  rescale or keep a run of the View (temperature, top-k, top-p, ...);
- ``apply(state)``: do it, on the fast path's State (``fast/state.py``).

Their parameters are checked once, by ``SamplingParams``. What each stage does, written plainly
over the whole vocabulary, is the reference chain (``plain.py``), which the fast path is tested
against.
"""
from typing import Protocol


class Stage(Protocol):
    name: str
    changes_logits: bool

    def apply(self, state) -> None: ...


class Chain:
    """A list of stages that is itself a stage."""

    name = "chain"
    changes_logits = False

    def __init__(self, stages, tensor=True):
        self.stages = list(stages)
        self.tensor = tensor

    def apply(self, state):
        state.tensor = self.tensor
        for stage in self.stages:
            _ready(stage, state)
            stage.apply(state)

    def trace(self, state):
        """Run the stages, yielding (name, removed ids, Result after) for each."""
        state.tensor = self.tensor
        for stage in self.stages:
            _ready(stage, state)
            before = state.mark()
            stage.apply(state)
            yield stage.name, state.removed_since(before), state.result_so_far()


def _ready(stage, state):
    """A stage that works on the View gets it built first (once the logits are settled)."""
    if not stage.changes_logits:
        state.settle()
