"""Inline markup in the story's Markdown that plain Markdown has no word for: math, numbers and
definitions.

Two kinds of span are cut out of a chapter before Markdown sees it (so Markdown cannot mangle
their underscores, brackets or quotes) and put back, rendered, afterwards:

    $$ p_i = \\frac{e^{z_i}}{\\sum_j e^{z_j}} $$     display math, LaTeX -> MathML at build time
    $p_i$                                           inline math (no space just inside the $)
    {{ opening.states[all].0.p.0 | pct }}              a value from the baked figure data

A value reference is a path into the figure data (the figure's ``id`` first, then keys and list
indexes separated by dots; ``[...]`` is one key that may hold dots or commas, for
``states[1.5,0.1]``) or into ``model`` (the model's facts), and an optional format. It renders
as ``<span class="datum" data-path=... data-value=...>`` so tests can check the prose against
the same data the figures draw.

A term's definition at its first use is written ``[[term|definition]]`` (both may hold inline
Markdown, math and references). ``define`` turns it into a button that shows or hides the
definition just after it (``aria-expanded``); site_src/js/definitions.js does the showing.
"""
import html
import math
import re

from latex2mathml.converter import convert as latex_to_mathml

from export.errors import BuildError

DISPLAY_MATH = re.compile(r"^\$\$(?P<tex>.+?)\$\$[ \t]*$", re.MULTILINE | re.DOTALL)
INLINE_MATH = re.compile(r"(?<![\\$\w])\$(?P<tex>[^\s$](?:[^$\n]*?[^\s$])?)\$(?![\w$])")
REFERENCE = re.compile(r"\{\{\s*(?P<path>[^|}]+?)\s*(?:\|\s*(?P<fmt>\w+)\s*)?\}\}")
SEGMENT = re.compile(r"\[(?P<key>[^\]]*)\]|(?P<name>[^.\[\]]+)")
DEFINITION = re.compile(r"\[\[(?P<term>[^|\[\]]+)\|(?P<text>[^|\[\]]+)\]\]")
LOOSE_DEFINITION = re.compile(r"\[\[[^\]]*\]\]")
CODE = re.compile(r"<(code|pre)\b.*?</\1>", re.S)
MARK = "NTSPAN{}END"
MARKS = re.compile(r"NTSPAN(\d+)END")


def protect(source: str):
    """Replace math and value references with markers; return (source, spans)."""
    spans = []

    def keep(kind):
        def replace(match):
            spans.append((kind, match))
            marker = MARK.format(len(spans) - 1)
            return f"\n\n{marker}\n\n" if kind == "display" else marker
        return replace

    source = DISPLAY_MATH.sub(keep("display"), source)
    source = REFERENCE.sub(keep("value"), source)
    source = INLINE_MATH.sub(keep("inline"), source)
    return source, spans


def restore(html_text: str, spans: list, data: dict, where: str) -> str:
    """Put rendered spans back in place of their markers."""
    def render(match):
        kind, span = spans[int(match.group(1))]
        if kind == "value":
            return render_reference(span.group("path"), span.group("fmt"), data, where)
        tex = span.group("tex").strip()
        try:
            return latex_to_mathml(tex, display="block" if kind == "display" else "inline")
        except Exception as exc:  # latex2mathml raises its own assorted errors
            raise BuildError(f"{where}: cannot render the math {tex!r} ({exc}); fix the LaTeX") from None

    html_text = re.sub(r"<p>\s*(NTSPAN\d+END)\s*</p>", r"\1", html_text)
    return MARKS.sub(render, html_text)


def define(html_text: str, prefix: str, where: str, render=str) -> str:
    """Replace each ``[[term|definition]]`` (after Markdown) with a button that discloses the
    definition; ids are ``PREFIX-define-N``, N counting from 1. ``render`` puts math and
    references back into the term (``restore`` of its spans), which a term made of math
    needs for its accessible name: a button does not take it from MathML."""
    count = 0

    def replace(match):
        nonlocal count
        count += 1
        note = f"{prefix}-define-{count}"
        term, text = render(match.group("term").strip()), " ".join(match.group("text").split())
        name = ""
        if "<math" in term:
            spoken = html.unescape(re.sub(r"<[^>]+>", "", term))
            name = f' aria-label="{html.escape(spoken)}"'
        return (f'<span class="define"><button type="button" class="define-term" aria-expanded="false" '
                f'aria-controls="{note}"{name}>{term}</button><span class="define-note" id="{note}" '
                f'hidden>{text}</span></span>')

    html_text = DEFINITION.sub(replace, html_text)
    loose = LOOSE_DEFINITION.search(CODE.sub("", html_text))
    if loose:
        raise BuildError(f"{where}: {loose.group(0)[:60]!r}: write a definition as "
                         "[[term|definition]], with no | [ or ] inside either part")
    return html_text


def resolve(path: str, data: dict, where: str):
    """The value at ``path`` (see the module doc) in ``data``."""
    value, walked = data, []
    position = 0
    for match in SEGMENT.finditer(path):
        if match.start() != position and path[position:match.start()] != ".":
            raise BuildError(f"{where}: bad reference {{{{ {path} }}}}; write names and indexes "
                             "separated by dots, e.g. {{ opening.states[all].0.p.0 | pct }}")
        position = match.end()
        key = match.group("key") if match.group("key") is not None else match.group("name")
        value = _step(value, key, path, walked, where)
        walked.append(key)
    if position != len(path):
        raise BuildError(f"{where}: bad reference {{{{ {path} }}}}")
    return value


def _step(value, key, path, walked, where):
    if isinstance(value, list) and key.isdigit() and int(key) < len(value):
        return value[int(key)]
    if isinstance(value, dict) and key in value:
        return value[key]
    here = ".".join(walked) or "the figure data"
    options = list(value)[:12] if isinstance(value, dict) else f"indexes 0..{len(value) - 1}" \
        if isinstance(value, list) else "nothing (it is a value)"
    raise BuildError(f"{where}: {{{{ {path} }}}}: {here} has no {key!r}; it has {options}")


def render_reference(path: str, fmt, data: dict, where: str) -> str:
    value = resolve(path, data, where)
    formatter = FORMATS.get(fmt or "text")
    if formatter is None:
        raise BuildError(f"{where}: {{{{ {path} | {fmt} }}}}: unknown format; use one of "
                         f"{', '.join(FORMATS)}")
    try:
        text = formatter(value)
    except (TypeError, ValueError):
        raise BuildError(f"{where}: {{{{ {path} | {fmt} }}}}: {value!r} cannot be shown as "
                         f"{fmt}") from None
    css = "datum tok" if fmt == "tok" else "datum"
    raw = value if isinstance(value, str) else repr(value)
    return (f'<span class="{css}" data-path="{html.escape(path)}" data-format="{fmt or "text"}" '
            f'data-value="{html.escape(raw)}">{html.escape(text)}</span>')


def pct(p) -> str:
    """A probability as a percentage with two significant digits or one decimal.

    The page's JavaScript (figures/format.js) follows the same rules, so the prose and the
    figures print the same number the same way.
    """
    p = float(p)
    if not math.isfinite(p) or p < 0:
        raise ValueError(p)
    x = p * 100
    if x == 0:
        return "0%"
    if x >= 1:
        text = f"{x:.1f}"
        if text == "100.0" and p < 1:  # show the shortfall: 99.96%, not 100%
            if 100 - x < 0.0001:
                return ">99.9999%"
            text = f"{x:.{-math.floor(math.log10(100 - x))}f}"
        return ("100" if text == "100.0" else text) + "%"
    if x < 0.0001:
        return "<0.0001%"
    return _decimals(x) + "%"


def _decimals(x: float) -> str:
    """Two significant digits of a number below 1, written without an exponent."""
    digits = -math.floor(math.log10(x)) + 1
    text = f"{x:.{digits}f}"
    if float(text) >= 1:  # 0.995 rounded up to 1.0: one decimal is enough
        return f"{x:.1f}"
    return text


def num(value) -> str:
    """An integer with thousands separators: 50,257."""
    if isinstance(value, float) and not value.is_integer():
        raise ValueError(value)
    return f"{int(value):,}"


def millions(value) -> str:
    """A count in millions: 124 million, 3.3 million."""
    m = float(value) / 1e6
    return f"{m:.0f} million" if m >= 10 else f"{m:.1f} million"


def dec(places):
    return lambda value: f"{float(value):.{places}f}".replace("-", "\u2212")


FORMATS = {"text": str, "pct": pct, "num": num, "millions": millions, "tok": str,
           "dec0": dec(0), "dec1": dec(1), "dec2": dec(2), "dec3": dec(3)}
