"""Directive parameters -> sampling settings and figure controls, for the bakers.

A sampling parameter written with one value (``top_k="40"``) is fixed; with several
comma-separated values (``temperature="0.5,1,1.5"``) it becomes a control, and the figure gets
one baked state per combination of its controls' values. ``settings="a=1|b=2,c=3"`` is a
choice between whole settings. Values are spelled canonically (``"1.0"`` -> ``"1"``) because
they are the keys the page and the prose look states up by.
"""
import dataclasses
from itertools import product

LABELS = {"temperature": "Temperature", "top_k": "Top-k (k)", "top_p": "Top-p (p)",
          "min_p": "Min-p", "typical_p": "Typical-p", "top_n_sigma": "Top-nσ (n)",
          "epsilon": "Epsilon", "eta": "Eta", "repetition_penalty": "Repetition penalty",
          "presence_penalty": "Presence penalty", "frequency_penalty": "Frequency penalty",
          "seed": "Seed", "order": "Order", "setting": "Sampler", "case": "Prompt"}
SYMBOLS = {"temperature": ("Temperature", "T"), "top_k": ("Top-k", "k"), "top_p": ("Top-p", "p"),
           "min_p": ("Min-p", "p"), "typical_p": ("Typical", "p"), "top_n_sigma": ("Top-nσ", "n"),
           "epsilon": ("Epsilon", "ε"), "eta": ("Eta", "η")}
ORDER_LABELS = {"hf": "Hugging Face", "llama.cpp": "llama.cpp"}


def r4(x: float) -> float:
    return float(f"{x:.4g}")


def split(text) -> list:
    return [part.strip() for part in text.split("|")] if text else []


def number_text(value: str) -> str:
    """The canonical spelling of a control value: "1.0" -> "1", "0.50" -> "0.5"."""
    try:
        return f"{float(value):g}"
    except ValueError:
        return value


def sampling_controls(b, params: dict):
    """(fixed settings, controls) from the directive's sampling parameters, in written order."""
    fields = {f.name: f for f in dataclasses.fields(b.sampling.SamplingParams)}
    fixed, controls = {}, []
    for name, text in params.items():
        if name == "setting":
            raise ValueError("write settings=\"a=1|b=2\" (plural) for a choice of samplers")
        if name == "settings":
            values = split(text)
            for value in values:
                parse_setting(b, value)
            controls.append({"name": "setting", "label": LABELS["setting"], "values": values,
                             "labels": [setting_label(b, v) for v in values], "default": values[0]})
            continue
        if name not in fields or name == "logit_bias":
            continue
        values = [number_text(v) for v in text.split(",")]
        if len(values) == 1:
            fixed[name] = parse_value(b, name, values[0])
            continue
        for value in values:
            parse_value(b, name, value)
        default = number_text(str(fields[name].default))
        control = {"name": name, "label": LABELS.get(name, name), "values": values,
                   "default": default if default in values else values[0]}
        if name == "order":
            control["labels"] = [ORDER_LABELS.get(v, v) for v in values]
        controls.append(control)
    return fixed, controls


def parse_value(b, name, text):
    kind = {f.name: f.type for f in dataclasses.fields(b.sampling.SamplingParams)}[name]
    if name == "order":
        return text
    if kind is int or name in ("top_k", "no_repeat_ngram_size", "seed"):
        if not text.isdigit():
            raise ValueError(f"{name} takes whole numbers, got {text!r}")
        return int(text)
    return float(text)


def setting_label(b, text) -> str:
    """ "typical_p=0.9" -> "Typical, p = 0.9" """
    parts = []
    for name, value in parse_setting(b, text).items():
        title, symbol = SYMBOLS.get(name, (name, name))
        parts.append(f"{title}, {symbol} = {value:g}")
    return "; ".join(parts)


def parse_setting(b, text) -> dict:
    out = {}
    for part in text.split(","):
        name, eq, value = part.strip().partition("=")
        if not eq:
            raise ValueError(f"setting {text!r}: write name=value pairs separated by commas")
        out[name] = parse_value(b, name, number_text(value))
    b.sampling.SamplingParams(**out)  # validate now, with nexttoken's message
    return out


def states_of(b, fixed, controls):
    """Yield (key, settings) for every combination of the keyed controls."""
    keyed = [c for c in controls if not c.get("view")]
    for combo in product(*[c["values"] for c in keyed]):
        settings = dict(fixed)
        for control, value in zip(keyed, combo):
            if control["name"] == "setting":
                settings.update(parse_setting(b, value))
            else:
                settings[control["name"]] = parse_value(b, control["name"], value)
        yield ",".join(combo) or "all", settings


def prompts_of(params) -> list:
    prompts = split(params.get("prompts")) or split(params.get("prompt"))
    if not prompts:
        raise ValueError("write prompt=\"...\" (or prompts=\"first|second\")")
    return prompts
