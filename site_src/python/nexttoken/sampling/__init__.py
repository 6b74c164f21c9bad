"""The sampling engine: logits in, a distribution and a token out.

    prepared = prepare(logits, history)             # once per model step
    probs = prepared.distribution(SamplingParams(temperature=0.7, top_p=0.9))
    token = sample(probs, Rng(seed))

``Prepared.result(params)`` is the compact form the page redraws from; ``Prepared.trace``
shows what every stage removed. Semantics and sources: docs/sampling.md.
"""
from .params import PARAMS, PRESETS, STAGE_LABELS, SamplingParams
from .fast.prepared import Prepared, distribution, prepare
from .fast.result import Result, StageTrace
from .rng import FixedDraw, Rng, sample

__all__ = ["PARAMS", "PRESETS", "STAGE_LABELS", "SamplingParams", "Prepared", "Result",
           "StageTrace", "FixedDraw", "Rng", "distribution", "prepare", "sample"]
