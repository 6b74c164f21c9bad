"""SamplingParams: every sampler's setting in one validated, immutable record.

Each sampler is off at its default value, the same "off" values Hugging Face transformers and
llama.cpp use (temperature 1, top_k 0, top_p 1, typical_p 1, penalties 1 or 0, ...).
"""
import math
from dataclasses import dataclass

ORDERS = ("hf", "llama.cpp", "webui", "custom")

# --- more samplers (issue 17): DRY, XTC, Mirostat, dynamic temperature, top-a, TFS, quadratic
# text-generation-webui's default DRY sequence breakers '"\\n", ":", "\\"", "*"', as its
# DRYLogitsProcessor sees them: the last GPT-2 token of encode("a" + s) for each string.
DRY_BREAKERS = (198, 25, 1, 9)
# Stage names a custom order may list (see chain.py); the logit-changing ones come first.
STAGE_NAMES = ("logit_bias", "repetition_penalty", "presence_frequency_penalty", "dry",
               "no_repeat_ngram", "temperature", "quadratic", "top_k", "top_p", "typical_p",
               "epsilon", "eta", "top_n_sigma", "tfs", "top_a", "min_p", "mirostat", "xtc")
CHANGES_LOGITS = ("logit_bias", "repetition_penalty", "presence_frequency_penalty", "dry")


def _is_number(value) -> bool:
    # bool is an int subclass, but True is not a temperature.
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _real(name, value, low=-math.inf, high=math.inf, *, low_open=False, high_open=False,
          shown=None) -> float:
    """Check that ``value`` is a finite number within the range and return it as a float."""
    if shown is None:
        left = "(" if low_open else "["
        right = ")" if high_open else "]"
        shown = f"{left}{low:g}, {high:g}{right}"
    if not _is_number(value):
        raise ValueError(f"{name} must be a number in {shown}, got {value!r}")
    value = float(value)
    too_low = value <= low if low_open else value < low
    too_high = value >= high if high_open else value > high
    if math.isnan(value) or math.isinf(value) or too_low or too_high:
        raise ValueError(f"{name} must be in {shown}, got {value!r}")
    return value


def _count(name, value) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValueError(f"{name} must be an integer >= 0, got {value!r}")
    if value < 0:
        raise ValueError(f"{name} must be an integer >= 0, got {value!r}")
    return value


def _breakers(value) -> tuple:
    if not isinstance(value, (tuple, list)) or any(
            not isinstance(t, int) or isinstance(t, bool) or t < 0 for t in value):
        raise ValueError("dry_sequence_breakers must be a list of token ids (integers >= 0), "
                         f"got {value!r}")
    return tuple(value)


def _stage_order(value):
    if value is None:
        return None
    if isinstance(value, str):
        value = [part.strip() for part in value.split(",") if part.strip()]
    if not isinstance(value, (tuple, list)) or not value:
        raise ValueError("sampler_order must be a list of stage names such as "
                         f"['top_k', 'temperature'], got {value!r}")
    for name in value:
        if name not in STAGE_NAMES:
            raise ValueError(f"sampler_order holds {name!r}: stage names are "
                             f"{', '.join(STAGE_NAMES)}")
        if list(value).count(name) > 1:
            raise ValueError(f"sampler_order lists {name!r} twice: list each stage once")
    other = next((name for name in value if name not in CHANGES_LOGITS + ("no_repeat_ngram",)),
                 None)
    for name in value[value.index(other) + 1:] if other else ():
        if name in CHANGES_LOGITS:
            raise ValueError(f"sampler_order puts {name!r} after {other!r}: the stages that "
                             f"change logits ({', '.join(CHANGES_LOGITS)}) must come first")
    return tuple(value)


def _bias(value):
    if value is None:
        return None
    if not isinstance(value, dict):
        raise ValueError(f"logit_bias must be a dict of token id -> bias or None, got {value!r}")
    checked = {}
    for token, bias in value.items():
        if not isinstance(token, int) or isinstance(token, bool) or token < 0:
            raise ValueError(f"logit_bias keys must be token ids (integers >= 0), got {token!r}")
        checked[token] = _real(f"logit_bias[{token}]", bias, shown="(-inf, inf) (finite)")
    return checked


@dataclass(frozen=True)
class SamplingParams:
    """Settings of the sampler chain. Invalid values raise ValueError naming field and range.

    ``order`` picks the chain: ``"hf"`` (transformers' ``generate(do_sample=True)``) or
    ``"llama.cpp"`` (llama.cpp's default sampler chain, temperature last).
    ``seed`` seeds the caller's ``Rng``; None means a fresh random seed.
    """

    temperature: float = 1.0
    top_k: int = 0
    top_p: float = 1.0
    min_p: float = 0.0
    typical_p: float = 1.0
    epsilon: float = 0.0
    eta: float = 0.0
    top_n_sigma: float = 0.0
    repetition_penalty: float = 1.0
    presence_penalty: float = 0.0
    frequency_penalty: float = 0.0
    no_repeat_ngram_size: int = 0
    logit_bias: dict = None
    order: str = "hf"
    seed: int = None
    # --- more samplers (issue 17); references in docs/sampling.md ---------------------------
    dry_multiplier: float = 0.0
    dry_base: float = 1.75
    dry_allowed_length: int = 2
    dry_sequence_breakers: tuple = DRY_BREAKERS
    xtc_threshold: float = 0.1
    xtc_probability: float = 0.0
    mirostat: int = 0
    mirostat_tau: float = 5.0
    mirostat_eta: float = 0.1
    dynatemp_range: float = 0.0
    dynatemp_exponent: float = 1.0
    top_a: float = 0.0
    tfs: float = 1.0
    smoothing_factor: float = 0.0
    smoothing_curve: float = 1.0
    sampler_order: tuple = None

    def __post_init__(self):
        fix = lambda name, value: object.__setattr__(self, name, value)  # noqa: E731
        fix("temperature", _real("temperature", self.temperature, 0.0))
        fix("top_k", _count("top_k", self.top_k))
        fix("top_p", _real("top_p", self.top_p, 0.0, 1.0))
        fix("min_p", _real("min_p", self.min_p, 0.0, 1.0))
        fix("typical_p", _real("typical_p", self.typical_p, 0.0, 1.0, low_open=True))
        fix("epsilon", _real("epsilon", self.epsilon, 0.0, 1.0, high_open=True))
        fix("eta", _real("eta", self.eta, 0.0, 1.0, high_open=True))
        fix("top_n_sigma", _real("top_n_sigma", self.top_n_sigma, 0.0))
        fix("repetition_penalty",
            _real("repetition_penalty", self.repetition_penalty, 0.0, low_open=True))
        fix("presence_penalty", _real("presence_penalty", self.presence_penalty, -2.0, 2.0))
        fix("frequency_penalty", _real("frequency_penalty", self.frequency_penalty, -2.0, 2.0))
        fix("no_repeat_ngram_size", _count("no_repeat_ngram_size", self.no_repeat_ngram_size))
        fix("logit_bias", _bias(self.logit_bias))
        if self.order not in ORDERS:
            raise ValueError(f"order must be one of {', '.join(map(repr, ORDERS))}, "
                             f"got {self.order!r}")
        self._check_more(fix)
        if self.seed is not None and (not isinstance(self.seed, int)
                                      or isinstance(self.seed, bool) or self.seed < 0):
            raise ValueError(f"seed must be None or an integer >= 0, got {self.seed!r}")

    def _check_more(self, fix):
        fix("dry_multiplier", _real("dry_multiplier", self.dry_multiplier, 0.0))
        fix("dry_base", _real("dry_base", self.dry_base, 1.0, 16.0))
        if not isinstance(self.dry_allowed_length, int) or isinstance(self.dry_allowed_length,
                                                                      bool) \
                or self.dry_allowed_length < 1:
            raise ValueError(f"dry_allowed_length must be an integer >= 1, "
                             f"got {self.dry_allowed_length!r}")
        fix("dry_sequence_breakers", _breakers(self.dry_sequence_breakers))
        fix("xtc_threshold", _real("xtc_threshold", self.xtc_threshold, 0.0, 1.0))
        fix("xtc_probability", _real("xtc_probability", self.xtc_probability, 0.0, 1.0))
        if self.mirostat not in (0, 1, 2) or isinstance(self.mirostat, bool):
            raise ValueError(f"mirostat must be 0 (off), 1 or 2, got {self.mirostat!r}")
        fix("mirostat_tau", _real("mirostat_tau", self.mirostat_tau, 0.0, 100.0))
        fix("mirostat_eta", _real("mirostat_eta", self.mirostat_eta, 0.0, 1.0))
        fix("dynatemp_range", _real("dynatemp_range", self.dynatemp_range, 0.0))
        fix("dynatemp_exponent", _real("dynatemp_exponent", self.dynatemp_exponent, 0.0,
                                       low_open=True))
        fix("top_a", _real("top_a", self.top_a, 0.0, 1.0))
        fix("tfs", _real("tfs", self.tfs, 0.0, 1.0))
        fix("smoothing_factor", _real("smoothing_factor", self.smoothing_factor, 0.0))
        # curves above 3 make the transform non-monotonic (it would reorder tokens)
        fix("smoothing_curve", _real("smoothing_curve", self.smoothing_curve, 1.0, 3.0))
        fix("sampler_order", _stage_order(self.sampler_order))
        if self.order == "custom" and self.sampler_order is None:
            raise ValueError("order 'custom' needs sampler_order, a list of stage names such "
                             "as ['top_k', 'temperature']")
        if self.order != "custom" and self.sampler_order is not None:
            raise ValueError(f"sampler_order is only used with order='custom' (order is "
                             f"{self.order!r}): drop it or set order='custom'")

    @property
    def penalizes(self) -> bool:
        """True when a repetition, presence or frequency penalty is active."""
        return (self.repetition_penalty != 1.0 or self.presence_penalty != 0.0
                or self.frequency_penalty != 0.0)
