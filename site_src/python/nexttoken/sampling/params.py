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
                 Choice("llama.cpp", "llama.cpp"),
                 Choice("webui", "text-generation-webui", "webui"),
                 Choice("custom", "Custom order", "custom"))
ORDERS = tuple(choice.value for choice in ORDER_CHOICES)

# --- more samplers (issue 17): DRY, XTC, Mirostat, dynamic temperature, top-a, TFS, quadratic
# text-generation-webui's default DRY sequence breakers '"\\n", ":", "\\"", "*"', as its
# DRYLogitsProcessor sees them: the last GPT-2 token of encode("a" + s) for each string.
DRY_BREAKERS = (198, 25, 1, 9)
# Stage names a custom order may list (see orders.py); the logit-changing ones come first.
STAGE_NAMES = ("logit_bias", "repetition_penalty", "presence_frequency_penalty", "dry",
               "no_repeat_ngram", "temperature", "quadratic", "top_k", "top_p", "typical_p",
               "epsilon", "eta", "top_n_sigma", "tfs", "top_a", "min_p", "mirostat", "xtc")
CHANGES_LOGITS = ("logit_bias", "repetition_penalty", "presence_frequency_penalty", "dry")
# What the stage-by-stage views call each stage (playground and figures: the trace carries it).
STAGE_LABELS = {
    "logit_bias": "Logit bias", "repetition_penalty": "Repetition penalty",
    "presence_frequency_penalty": "Presence and frequency penalties",
    "penalties": "Penalties (llama.cpp, last 64 tokens)", "dry": "DRY",
    "no_repeat_ngram": "No-repeat n-gram", "temperature": "Temperature",
    "dynamic_temperature": "Dynamic temperature", "quadratic": "Quadratic", "top_k": "Top-k",
    "top_p": "Top-p", "typical_p": "Typical-p", "epsilon": "Epsilon", "eta": "Eta",
    "top_n_sigma": "Top-nσ", "tfs": "Tail-free", "top_a": "Top-a", "min_p": "Min-p",
    "mirostat": "Mirostat", "xtc": "XTC"}
# the stages a reader reorders, in webui's order (where a custom order starts)
STAGE_CHOICES = tuple(Choice(name, STAGE_LABELS[name]) for name in (
    "temperature", "quadratic", "top_n_sigma", "top_k", "top_p", "typical_p", "epsilon", "eta",
    "tfs", "top_a", "min_p", "mirostat", "xtc", "no_repeat_ngram"))
MIROSTAT_CHOICES = (Choice(0, "Off"), Choice(1, "Mirostat v1 (llama.cpp)", "v1"),
                    Choice(2, "Mirostat v2", "v2"))


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
    # --- more samplers (issue 17); references and recommendations in docs/sampling.md -----
    dry_multiplier: float = setting(
        0.0, "DRY multiplier", "Penalises tokens that would continue a repeat of earlier text; "
        "the penalty grows with the repeat's length. 0 turns it off.", low=0, slider=(0, 5),
        step=0.05, symbol="m")
    dry_base: float = setting(
        1.75, "DRY base", "How fast DRY's penalty grows with each token a repeat runs past the "
        "allowed length.", low=1, high=16, slider=(1, 4), step=0.05, symbol="b")
    dry_allowed_length: int = setting(
        2, "DRY allowed length", "Repeats up to this many tokens go unpenalised by DRY.",
        kind="integer", low=1, slider=(1, 20), step=1, symbol="n")
    dry_sequence_breakers: tuple = setting(
        DRY_BREAKERS, "DRY sequence breakers", "Token ids a repeat never runs across, and that "
        "DRY never penalises (webui's: 198 newline, 25 ':', 1 '\"', 9 '*'). Empty: none.",
        kind="tokens")
    xtc_threshold: float = setting(
        0.1, "XTC threshold", "XTC removes the tokens at least this likely, except the least "
        "likely of them.", low=0, high=1, slider=(0, 0.5), step=0.01, symbol="t")
    xtc_probability: float = setting(
        0.0, "XTC probability", "How often XTC (exclude top choices) acts, one draw per token. "
        "0 turns it off.", low=0, high=1, slider=(0, 1), step=0.05, symbol="p")
    mirostat: int = setting(
        0, "Mirostat", "Steers the text's surprise towards tau, keeping state from token to "
        "token (in llama.cpp's order, only temperature runs beside it).", kind="choice",
        choices=MIROSTAT_CHOICES)
    mirostat_tau: float = setting(
        5.0, "Mirostat tau", "The surprise (bits per token) Mirostat aims for.", low=0,
        high=100, slider=(0, 10), step=0.1, symbol="τ")
    mirostat_eta: float = setting(
        0.1, "Mirostat eta", "How fast Mirostat corrects after each token.", low=0, high=1,
        slider=(0, 1), step=0.01, symbol="η")
    dynatemp_range: float = setting(
        0.0, "Dynamic temperature range", "Temperature moves within T ± range with the "
        "entropy: confident steps get the low end. 0 turns it off.", low=0, slider=(0, 2),
        step=0.05, symbol="r")
    dynatemp_exponent: float = setting(
        1.0, "Dynamic temperature exponent", "Shapes how dynamic temperature follows the "
        "entropy (1: linearly).", low=0, low_open=True, slider=(0.1, 4), step=0.1, symbol="e")
    top_a: float = setting(
        0.0, "Top-a", "Drops tokens less likely than a times the square of the top "
        "probability. 0 turns it off.", low=0, high=1, slider=(0, 1), step=0.01, symbol="a")
    tfs: float = setting(
        1.0, "Tail-free (TFS)", "Cuts the tail where the sorted probabilities' curve flattens "
        "out. 1 turns it off.", low=0, high=1, slider=(0, 1), step=0.01, symbol="z")
    smoothing_factor: float = setting(
        0.0, "Smoothing factor", "Quadratic sampling: bends the logits around the top one, "
        "making the top tokens closer and the tail less likely. 0 turns it off.", low=0,
        slider=(0, 5), step=0.05, symbol="f")
    smoothing_curve: float = setting(
        1.0, "Smoothing curve", "Quadratic sampling's curve: 1 is quadratic, up to 3 cubic.",
        low=1, high=3, slider=(1, 3), step=0.05, symbol="c")
    sampler_order: tuple = setting(
        None, "Custom order", "The order the samplers run in when the order is Custom (drag a "
        "stage, or use its arrows); logit bias, penalties and DRY always run first.",
        kind="stages", choices=STAGE_CHOICES, group="top", orders=("custom",))

    def __post_init__(self):
        for name, param in PARAMS.items():
            object.__setattr__(self, name, param.check(name, getattr(self, name)))
        if self.seed is not None and (not isinstance(self.seed, int)
                                      or isinstance(self.seed, bool) or self.seed < 0):
            raise ValueError(f"seed must be None or an integer >= 0, got {self.seed!r}")
        object.__setattr__(self, "sampler_order", _stage_order(self.sampler_order))
        if self.order != "custom" and self.sampler_order is not None:
            raise ValueError(f"sampler_order is only used with order='custom' (order is "
                             f"{self.order!r}): drop it or set order='custom'")

    @property
    def penalizes(self) -> bool:
        """True when a repetition, presence or frequency penalty is active."""
        return (self.repetition_penalty != 1.0 or self.presence_penalty != 0.0
                or self.frequency_penalty != 0.0)


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
    Preset("dry", "DRY (suggested)",
           {"dry_multiplier": 0.8, "dry_base": 1.75, "dry_allowed_length": 2, "min_p": 0.05,
            "order": "webui"}),
    Preset("xtc", "XTC (suggested)",
           {"xtc_threshold": 0.1, "xtc_probability": 0.5, "min_p": 0.02, "order": "llama.cpp"}),
    Preset("mirostat", "Mirostat v2 (llama.cpp)",
           {"mirostat": 2, "mirostat_tau": 5.0, "mirostat_eta": 0.1, "order": "llama.cpp"}),
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
