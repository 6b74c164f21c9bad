"""SamplingParams: every sampler's setting in one validated, immutable record.

This is the one place a sampler's setting is written down: its name, default, valid range,
label, one-line help, the playground's slider and group, and the orders it runs in, declared
with ``setting(...)`` beside the field (``schema.Param`` lists the facts). The constructor
validates every value from those declarations; the build writes ``schema()`` into
manifest.json, from which the playground builds its controls and reads its URLs, and the
figures take their labels. A new sampler is one more ``setting`` line (docs/parameters.md).

Each sampler is off at its default value, the same "off" values Hugging Face transformers and
llama.cpp use (temperature 1, top_k 0, top_p 1, typical_p 1, penalties 1 or 0, ...).
"""
import math
from dataclasses import dataclass

from .schema import Choice, declared, describe, setting

INF = math.inf
ORDER_CHOICES = (Choice("hf", "Hugging Face transformers", "Hugging Face"),
                 Choice("llama.cpp", "llama.cpp"))
ORDERS = tuple(choice.value for choice in ORDER_CHOICES)


@dataclass(frozen=True)
class SamplingParams:
    """Settings of the sampler chain. Invalid values raise ValueError naming field and range.

    ``order`` picks the chain: ``"hf"`` (transformers' ``generate(do_sample=True)``) or
    ``"llama.cpp"`` (llama.cpp's default sampler chain, temperature last).
    ``seed`` seeds the caller's ``Rng``; None means a fresh random seed.
    """

    temperature: float = setting(
        1.0, "Temperature", "Divides the logits: below 1 sharpens the distribution, above 1 "
        "flattens it, 0 is greedy.", low=0, slider=(0, 2), step=0.05, group="main", symbol="T")
    top_k: int = setting(
        0, "Top-k", "Keeps only the k most likely tokens. 0 turns it off.",
        kind="integer", low=0, slider=(0, 100), step=1, group="main", symbol="k")
    top_p: float = setting(
        1.0, "Top-p", "Keeps the most likely tokens until their probabilities add up to p. "
        "1 turns it off.", low=0, high=1, slider=(0, 1), step=0.01, group="main", symbol="p")
    min_p: float = setting(
        0.0, "Min-p", "Drops tokens less likely than min-p times the most likely one. "
        "0 turns it off.", low=0, high=1, slider=(0, 1), step=0.01, group="main", symbol="p")
    typical_p: float = setting(
        1.0, "Typical-p", "Keeps the tokens whose surprise is closest to the average surprise, "
        "up to mass p. 1 turns it off.", low=0, low_open=True, high=1, slider=(0.01, 1),
        step=0.01, symbol="p")
    epsilon: float = setting(
        0.0, "Epsilon", "Drops tokens with probability below epsilon. 0 turns it off.",
        low=0, high=1, high_open=True, slider=(0, 0.01), step=0.0001, symbol="ε")
    eta: float = setting(
        0.0, "Eta", "Like epsilon, with a cutoff that grows when the model is unsure (entropy). "
        "0 turns it off.", low=0, high=1, high_open=True, slider=(0, 0.01), step=0.0001,
        symbol="η")
    top_n_sigma: float = setting(
        0.0, "Top-nσ", "Keeps tokens whose logit is within n standard deviations of the top "
        "logit. 0 turns it off.", low=0, slider=(0, 5), step=0.1, symbol="n")
    repetition_penalty: float = setting(
        1.0, "Repetition penalty", "Makes tokens already in the text less likely (above 1) or "
        "more likely (below 1). 1 turns it off.", low=0, low_open=True, slider=(0.5, 2),
        step=0.05)
    presence_penalty: float = setting(
        0.0, "Presence penalty", "Subtracts this from the logit of every token already in the "
        "text. 0 turns it off.", low=-2, high=2, slider=(-2, 2), step=0.05)
    frequency_penalty: float = setting(
        0.0, "Frequency penalty", "Subtracts this times the token's count so far from its logit. "
        "0 turns it off.", low=-2, high=2, slider=(-2, 2), step=0.05)
    no_repeat_ngram_size: int = setting(
        0, "No-repeat n-gram", "Bans any token that would repeat an n-gram of this size. "
        "0 turns it off.", kind="integer", low=0, slider=(0, 10), step=1)
    logit_bias: dict = setting(
        None, "Logit bias", "Token id:bias pairs added to the logits, e.g. 50256:-100, 13:2.5. "
        "Empty turns it off.", kind="bias")
    order: str = setting(
        "hf", "Pipeline order", "Which library's order the samplers run in; it matters when "
        "temperature and truncation are both on.", kind="choice", choices=ORDER_CHOICES,
        group="top")
    seed: int = None

    def __post_init__(self):
        for name, param in PARAMS.items():
            object.__setattr__(self, name, param.check(name, getattr(self, name)))
        if self.seed is not None and (not isinstance(self.seed, int)
                                      or isinstance(self.seed, bool) or self.seed < 0):
            raise ValueError(f"seed must be None or an integer >= 0, got {self.seed!r}")

    @property
    def penalizes(self) -> bool:
        """True when a repetition, presence or frequency penalty is active."""
        return (self.repetition_penalty != 1.0 or self.presence_penalty != 0.0
                or self.frequency_penalty != 0.0)


PARAMS = declared(SamplingParams)  # {name: Param}, in declaration order


@dataclass(frozen=True)
class Preset:
    """Named settings; the ones it does not name go back to their defaults (sources:
    docs/playground.md)."""

    key: str
    label: str
    settings: dict


PRESETS = (
    Preset("greedy", "Greedy", {"temperature": 0}),
    Preset("balanced", "Balanced", {"temperature": 0.7, "top_p": 0.9}),
    Preset("creative", "Creative", {"temperature": 1.2, "min_p": 0.05}),
    Preset("hf", "Hugging Face defaults", {"temperature": 1, "top_k": 50, "top_p": 1}),
    Preset("llama.cpp", "llama.cpp defaults",
           {"temperature": 0.8, "top_k": 40, "top_p": 0.95, "min_p": 0.05, "typical_p": 1,
            "repetition_penalty": 1, "order": "llama.cpp"}),
    Preset("openai", "OpenAI API defaults",
           {"temperature": 1, "top_p": 1, "presence_penalty": 0, "frequency_penalty": 0}),
)


def schema() -> dict:
    """The settings, the orders and the presets as JSON (manifest.json's ``sampling``)."""
    for preset in PRESETS:
        try:
            SamplingParams(**preset.settings)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"preset {preset.key!r}: {exc}") from None
    return {"fields": describe(SamplingParams, "order"), "order_field": "order",
            "presets": [{"key": p.key, "label": p.label, "params": p.settings} for p in PRESETS]}
