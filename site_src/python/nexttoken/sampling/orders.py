"""The orders of the chain: which stages run, and in which order.

``hf`` -- transformers (``GenerationMixin._get_logits_processor`` with ``do_sample=True``,
4.57): sequence bias, repetition penalty, no-repeat n-gram, temperature, top-k, top-p, min-p,
typical, epsilon, eta. Added here: presence/frequency right after the repetition penalty, DRY
after the no-repeat n-gram ban (with the other processors), quadratic sampling right after
temperature (where text-generation-webui puts it), top-nσ as the first truncation, and
after eta the text-generation-webui extras in its relative order: TFS, top-a, Mirostat, XTC.

``llama.cpp`` -- ``common_params_sampling::samplers`` default, as ``common_sampler_init``
builds it (common/sampling.cpp): logit bias, penalties (last 64 ids), DRY, top-nσ, top-k,
typical, top-p, min-p, XTC, temperature (``temp_ext``: dynamic when its range is > 0).
Added here: no-repeat n-gram right after DRY; TFS right after top-k, where llama.cpp had it
before removing it; top-a right after min-p, epsilon and eta just before XTC; quadratic
sampling just before temperature. With Mirostat on, llama.cpp builds logit bias,
temperature, Mirostat and nothing else; so does this order.

``webui`` -- text-generation-webui's default ``sampler_priority`` (modules/shared.py and
sampler_hijack.py): repetition penalty, presence, frequency, DRY, temperature (dynamic
temperature in its place), quadratic sampling, top-k, top-p, typical, epsilon, eta, TFS,
top-a, min-p, Mirostat, XTC, no-repeat n-gram -- the logit bias first (webui sorts the
processors it does not name to the front). Added here: top-nσ right before top-k.

``custom`` -- ``sampler_order`` lists stage names (``params.STAGE_NAMES``; None: webui's
order, where a reader starts reordering); stages it does not list run after it in webui's order, except the logit-changing ones (bias, penalties,
DRY), which run first: this engine applies them before any truncation.
"""
from . import adjust, filters
from .chain import Chain
from .dry import Dry
from .params import CHANGES_LOGITS
from .more import DynamicTemperature, MirostatV1, MirostatV2, TopA, Xtc
from .quadratic import Quadratic
from .tailfree import TailFree
from .typical import Typical

LLAMA_PENALTY_LAST_N = 64  # llama.cpp's default penalty window (common_params_sampling)

HF = ("logit_bias", "repetition_penalty", "presence_frequency_penalty", "no_repeat_ngram",
      "dry", "temperature", "quadratic", "top_n_sigma", "top_k", "top_p", "min_p",
      "typical_p", "epsilon", "eta", "tfs", "top_a", "mirostat", "xtc")
LLAMA = ("logit_bias", "penalties", "dry", "no_repeat_ngram", "top_n_sigma", "top_k", "tfs",
         "typical_p", "top_p", "min_p", "top_a", "epsilon", "eta", "xtc", "quadratic",
         "temperature")
LLAMA_MIROSTAT = ("logit_bias", "plain_temperature", "mirostat")
WEBUI = ("logit_bias", "repetition_penalty", "presence_frequency_penalty", "dry",
         "temperature", "quadratic", "top_n_sigma", "top_k", "top_p", "typical_p", "epsilon",
         "eta", "tfs", "top_a", "min_p", "mirostat", "xtc", "no_repeat_ngram")


def names(params) -> tuple:
    """The stage slots of ``params.order``, active or not, in order."""
    if params.order == "hf":
        return HF
    if params.order == "llama.cpp":
        return LLAMA_MIROSTAT if params.mirostat else LLAMA
    if params.order == "webui":
        return WEBUI
    listed = params.sampler_order or WEBUI
    first = [name for name in CHANGES_LOGITS if name not in listed]
    return tuple(first) + listed + tuple(n for n in WEBUI if n not in listed and n not in first)


def build_chain(params, prepared) -> Chain:
    """The active stages for ``params`` in ``params.order``."""
    style = "llama.cpp" if params.order == "llama.cpp" else "hf"
    stages = [_stage(name, params, prepared, style) for name in names(params)]
    return Chain((stage for stage in stages if stage is not None), tensor=style != "llama.cpp")


def _stage(name, p, prepared, style):  # noqa: C901 -- one line per stage
    history = bool(prepared.history)
    if name == "logit_bias":
        return adjust.LogitBias(p.logit_bias) if p.logit_bias else None
    if name == "penalties":
        return adjust.LlamaPenalties(p.repetition_penalty, p.presence_penalty,
                                     p.frequency_penalty, LLAMA_PENALTY_LAST_N) \
            if history and p.penalizes else None
    if name == "repetition_penalty":
        return adjust.RepetitionPenalty(p.repetition_penalty) \
            if history and p.repetition_penalty != 1.0 else None
    if name == "presence_frequency_penalty":
        return adjust.PresenceFrequency(p.presence_penalty, p.frequency_penalty) \
            if history and (p.presence_penalty or p.frequency_penalty) else None
    if name == "no_repeat_ngram":
        return adjust.NoRepeatNGram(p.no_repeat_ngram_size) \
            if history and p.no_repeat_ngram_size else None
    if name == "dry":
        return Dry(p.dry_multiplier, p.dry_base, p.dry_allowed_length,
                   p.dry_sequence_breakers) if history and p.dry_multiplier > 0.0 else None
    if name == "temperature" and p.dynatemp_range > 0.0:
        return DynamicTemperature(p.temperature, p.dynatemp_range, p.dynatemp_exponent,
                                  "llama.cpp" if style == "llama.cpp" else "webui")
    if name in ("temperature", "plain_temperature"):
        return filters.Temperature(p.temperature) if p.temperature != 1.0 else None
    if name == "quadratic":
        return Quadratic(p.smoothing_factor, p.smoothing_curve) \
            if p.smoothing_factor > 0.0 else None
    if name == "top_n_sigma":
        return filters.TopNSigma(p.top_n_sigma) if p.top_n_sigma > 0.0 else None
    if name == "top_k":
        return filters.TopK(p.top_k, style) if p.top_k else None
    if name == "top_p":
        return filters.TopP(p.top_p, style) if p.top_p < 1.0 else None
    if name == "min_p":
        return filters.MinP(p.min_p, style) if p.min_p > 0.0 else None
    if name == "typical_p":
        return Typical(p.typical_p, style) if p.typical_p < 1.0 else None
    if name == "epsilon":
        return filters.Epsilon(p.epsilon) if p.epsilon > 0.0 else None
    if name == "eta":
        return filters.Eta(p.eta) if p.eta > 0.0 else None
    if name == "tfs":
        return TailFree(p.tfs) if p.tfs < 1.0 else None
    if name == "top_a":
        return TopA(p.top_a) if p.top_a > 0.0 else None
    if name == "xtc":
        return Xtc(p.xtc_threshold, p.xtc_probability) if p.xtc_probability > 0.0 else None
    if name == "mirostat":
        if p.mirostat == 1:
            return MirostatV1(p.mirostat_tau, p.mirostat_eta)
        return MirostatV2(p.mirostat_tau, p.mirostat_eta, style) if p.mirostat else None
    raise ValueError(f"unknown stage {name!r}")


__all__ = ["build_chain", "names", "LLAMA_PENALTY_LAST_N"]
