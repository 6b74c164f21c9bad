"""SamplingParams: every sampler's setting in one validated, immutable record.

Each sampler is off at its default value, the same "off" values Hugging Face transformers and
llama.cpp use (temperature 1, top_k 0, top_p 1, typical_p 1, penalties 1 or 0, ...).
"""
import math
from dataclasses import dataclass

ORDERS = ("hf", "llama.cpp")


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
        if self.seed is not None and (not isinstance(self.seed, int)
                                      or isinstance(self.seed, bool) or self.seed < 0):
            raise ValueError(f"seed must be None or an integer >= 0, got {self.seed!r}")

    @property
    def penalizes(self) -> bool:
        """True when a repetition, presence or frequency penalty is active."""
        return (self.repetition_penalty != 1.0 or self.presence_penalty != 0.0
                or self.frequency_penalty != 0.0)
