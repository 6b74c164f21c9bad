"""The parameter schema: each setting of ``SamplingParams`` declared once, beside its field.

A ``Param`` holds everything the project knows of one setting: its valid range (checked here,
and by the page, which reads the same facts from manifest.json), its label and one-line help,
the playground's slider and group, and the orders it runs in. ``setting(...)`` declares a
dataclass field together with its Param; ``declared`` lists them; ``describe`` turns them into
the JSON the build writes into manifest.json (docs/parameters.md follows one through).
"""
import math
from dataclasses import dataclass, field, fields

# stages: an ordered list of choices; tokens: a list of token ids
KINDS = ("real", "integer", "choice", "bias", "stages", "tokens")
GROUPS = ("top", "main", "more")  # beside the presets; always shown; under "More samplers"


@dataclass(frozen=True)
class Choice:
    """One value of a "choice" setting, with its label (``short``: the figures' shorter one)."""

    value: object
    label: str
    short: str = ""


@dataclass(frozen=True)
class Param:
    """One setting's facts. Ranges are closed unless ``low_open``/``high_open``; ``slider`` is
    the span of the playground's slider (its number box takes any valid value); ``symbol`` names
    the value in the figures ("Top-p, p = 0.9"); ``orders`` lists the orders whose chain runs
    this sampler (empty: all of them)."""

    label: str
    help: str
    kind: str = "real"
    low: float = -math.inf
    high: float = math.inf
    low_open: bool = False
    high_open: bool = False
    slider: tuple = ()
    step: float = 0.01
    group: str = "more"
    symbol: str = ""
    choices: tuple = ()
    orders: tuple = ()

    def __post_init__(self):
        if self.kind not in KINDS or self.group not in GROUPS:
            raise ValueError(f"{self.label}: kind must be one of {KINDS} and group one of {GROUPS}")
        if self.kind == "choice" and not self.choices:
            raise ValueError(f"{self.label}: a choice needs choices")
        if self.kind in ("real", "integer"):
            if len(self.slider) != 2 or not all(self._inside(x) for x in self.slider):
                raise ValueError(f"{self.label}: slider {self.slider} must be two values in "
                                 f"{self.range_text()}")

    def _inside(self, value) -> bool:
        low = value > self.low if self.low_open else value >= self.low
        high = value < self.high if self.high_open else value <= self.high
        return low and high and (isinstance(value, int) or math.isfinite(value))

    def range_text(self) -> str:
        """The valid range as ``[0, 1)``; an integer's as ``>= 0`` when it has no top."""
        if self.kind == "integer" and self.high == math.inf and not self.low_open:
            return f">= {self.low:g}"
        left, right = "(" if self.low_open else "[", ")" if self.high_open else "]"
        return f"{left}{self.low:g}, {self.high:g}{right}"

    def check(self, name: str, value):
        """``value`` as SamplingParams stores it, or ValueError naming the setting, the value and
        what is valid."""
        if self.kind == "choice":
            allowed = [c.value for c in self.choices]
            if _is_number(value) != _is_number(allowed[0]) or value not in allowed:
                raise ValueError(f"{name} must be one of {', '.join(map(repr, allowed))}, got {value!r}")
            return value
        if self.kind == "bias":
            return _bias(name, value)
        if self.kind == "tokens":
            return _tokens(name, value)
        if self.kind == "stages":  # SamplingParams checks the list itself (params._stage_order)
            return value
        if self.kind == "integer":
            if not isinstance(value, int) or isinstance(value, bool) or not self._inside(value):
                raise ValueError(f"{name} must be an integer {self._in()}, got {value!r}")
            return value
        if not _is_number(value):
            raise ValueError(f"{name} must be a number in {self.range_text()}, got {value!r}")
        if not self._inside(float(value)):
            raise ValueError(f"{name} must be in {self.range_text()}, got {value!r}")
        return float(value)

    def _in(self) -> str:
        text = self.range_text()
        return text if text.startswith(">") else f"in {text}"


def setting(default, label: str, help: str, **facts):
    """A SamplingParams field with its default and its ``Param``."""
    return field(default=default, metadata={"param": Param(label, help, **facts)})


def declared(cls) -> dict:
    """{name: Param} of the dataclass ``cls``'s declared settings, in declaration order."""
    return {f.name: f.metadata["param"] for f in fields(cls) if "param" in f.metadata}


def describe(cls, order_name: str) -> list:
    """The settings of ``cls`` as JSON-ready dicts (manifest.json's ``sampling.fields``); JSON
    has no infinity, so an unbounded end is null."""
    defaults = {f.name: f.default for f in fields(cls)}
    every_order = [c.value for c in declared(cls)[order_name].choices]
    out = []
    for name, p in declared(cls).items():
        entry = {"name": name, "label": p.label, "help": p.help, "kind": p.kind,
                 "default": defaults[name], "group": p.group, "symbol": p.symbol,
                 "orders": list(p.orders or every_order)}
        if p.kind in ("real", "integer"):
            finite = lambda x: x if math.isfinite(x) else None  # noqa: E731
            entry.update(min=finite(p.low), max=finite(p.high), min_open=p.low_open,
                         max_open=p.high_open, slider=list(p.slider), step=p.step)
        if p.kind in ("choice", "stages"):
            entry["choices"] = [{"value": c.value, "label": c.label, "short": c.short or c.label}
                                for c in p.choices]
        out.append(entry)
    return out


def _is_number(value) -> bool:
    # bool is an int subclass, but True is not a temperature.
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _tokens(name, value) -> tuple:
    if not isinstance(value, (tuple, list)) or any(
            not isinstance(t, int) or isinstance(t, bool) or t < 0 for t in value):
        raise ValueError(f"{name} must be a list of token ids (integers >= 0), got {value!r}")
    return tuple(value)


def _bias(name, value):
    if value is None:
        return None
    if not isinstance(value, dict):
        raise ValueError(f"{name} must be a dict of token id -> bias or None, got {value!r}")
    checked = {}
    for token, bias in value.items():
        if not isinstance(token, int) or isinstance(token, bool) or token < 0:
            raise ValueError(f"{name} keys must be token ids (integers >= 0), got {token!r}")
        if not _is_number(bias):
            raise ValueError(f"{name}[{token}] must be a number in (-inf, inf) (finite), got {bias!r}")
        if not math.isfinite(float(bias)):
            raise ValueError(f"{name}[{token}] must be in (-inf, inf) (finite), got {bias!r}")
        checked[token] = float(bias)
    return checked
