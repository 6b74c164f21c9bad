"""Directive parameters -> sampling settings and figure controls, for the bakers.

A sampling parameter written with one value (``top_k="40"``) is fixed; with several
comma-separated values (``temperature="0.5,1,1.5"``) it becomes a control, and the figure gets
one baked state per combination of its controls' values. ``settings="a=1|b=2,c=3"`` is a
choice between whole settings. Values are spelled canonically (``"1.0"`` -> ``"1"``) because
they are the keys the page and the prose look states up by.
"""
from itertools import product

# The figures' own controls; every sampler's label comes from its declaration in SamplingParams.
LABELS = {"seed": "Seed", "setting": "Sampler", "case": "Prompt"}


def label(b, name) -> str:
    param = b.sampling.PARAMS.get(name)
    return param.label if param else LABELS.get(name, name)


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
    defaults = b.sampling.SamplingParams()
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
        if name not in b.sampling.PARAMS and name != "seed" or name == "logit_bias":
            continue
        values = [number_text(v) for v in text.split(",")]
        if len(values) == 1:
            fixed[name] = parse_value(b, name, values[0])
            continue
        for value in values:
            parse_value(b, name, value)
        default = number_text(str(getattr(defaults, name)))
        control = {"name": name, "label": label(b, name), "values": values,
                   "default": default if default in values else values[0]}
        param = b.sampling.PARAMS.get(name)
        if param and param.kind == "choice":
            shorts = {str(c.value): c.short or c.label for c in param.choices}
            control["labels"] = [shorts[v] for v in values]
        controls.append(control)
    return fixed, controls


def _param(b, name):
    if name not in b.sampling.PARAMS:
        raise ValueError(f"unknown sampling parameter {name!r}; known: {', '.join(b.sampling.PARAMS)}")
    return b.sampling.PARAMS[name]


def parse_value(b, name, text):
    """A directive's value text as SamplingParams takes it (checked there)."""
    kind = "integer" if name == "seed" else _param(b, name).kind
    if kind == "choice":
        values = {str(c.value): c.value for c in _param(b, name).choices}
        if text not in values:
            raise ValueError(f"{name} must be one of {', '.join(values)}, got {text!r}")
        return values[text]
    if kind == "integer":
        if not text.isdigit():
            raise ValueError(f"{name} takes whole numbers, got {text!r}")
        return int(text)
    return float(text)


def setting_label(b, text) -> str:
    """ "typical_p=0.9" -> "Typical-p, p = 0.9"; without a symbol, "Label 0.9". """
    parts = []
    for name, value in parse_setting(b, text).items():
        param = _param(b, name)
        shown = f"{value:g}" if isinstance(value, (int, float)) else str(value)
        parts.append(f"{param.label}, {param.symbol} = {shown}" if param.symbol else f"{param.label} {shown}")
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
