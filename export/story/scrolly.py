"""Scroll-driven figures: one sticky figure beside (on phones, above) a column of text steps.

In Markdown:

    ::: scrolly distribution id="temperature" prompt="..." temperature="0.2,0.5,1,1.5"

    ::: step temperature=0.2
    Text shown while the figure is at temperature 0.2 ...

    ::: step temperature=1.5
    ...

    ::: end

Each ``::: step`` names control values of the figure; the page sets them when the step reaches
the middle of the screen. The build checks every step against the figure's baked controls.
"""
import html
import json
import re

from export.errors import BuildError

STRUCTURE = {"scrolly", "step", "end"}


def check(entries: list, source: str):
    """Fail on a step outside a scrolly block, an unclosed block or text before the first step."""
    open_at, steps = None, 0
    for index, (template, _, where) in enumerate(entries):
        if template == "scrolly":
            if open_at:
                raise BuildError(f"{where}: a scrolly block starts before the one at {open_at} "
                                 "ends; close it with '::: end'")
            open_at, steps = where, 0
            gap = re.search(rf"NTFIGURE{index + 1}END(.*?)NTFIGURE{index + 2}END", source, re.S)
            follows = entries[index + 2][0] if index + 2 < len(entries) else None
            if not gap or gap.group(1).strip() or follows != "step":
                raise BuildError(f"{where}: write '::: step ...' right after '::: scrolly' (the "
                                 "text of a scrolly block lives in its steps)")
        elif template == "step":
            if not open_at:
                raise BuildError(f"{where}: '::: step' outside a scrolly block; open one with "
                                 "'::: scrolly FIGURE ...'")
            steps += 1
        elif template == "end":
            if not open_at:
                raise BuildError(f"{where}: '::: end' without a '::: scrolly' to close")
            if not steps:
                raise BuildError(f"{where}: the scrolly block has no '::: step'")
            open_at = None
    if open_at:
        raise BuildError(f"{open_at}: scrolly block never closed; add '::: end' after its last step")


class Layout:
    """Emits the wrapper HTML of scrolly blocks while a chapter's markers are replaced."""

    def __init__(self, figures: dict):
        self.figures = figures
        self.pending = False   # the next figure is a scrolly's figure
        self.controls = None   # controls of the current scrolly's figure
        self.steps = 0

    def figure(self, params: dict, rendered: str) -> str:
        if not self.pending:
            return rendered
        self.pending = False
        data = self.figures.get(params.get("id"), {})
        self.controls = {c["name"]: c["values"] for c in data.get("controls", [])}
        return f'{rendered}\n</div>\n<div class="scrolly-steps">'

    def html(self, kind: str, params: dict, where: str) -> str:
        if kind == "scrolly":
            self.pending, self.steps = True, 0
            return '<div class="scrolly" data-scrolly>\n<div class="scrolly-figure">'
        if kind == "end":
            return "</div></div>\n</div>\n</div>" if self.steps else "</div>\n</div>"
        state = {name: self._value(name, value, where) for name, value in params.items()}
        self.steps += 1
        opening = "" if self.steps == 1 else "</div></div>\n"
        return (f'{opening}<div class="step" data-step="{self.steps}" '
                f'data-state="{html.escape(json.dumps(state))}"><div class="step-body">')

    def _value(self, name, value, where):
        if self.controls is None or name not in self.controls:
            known = ", ".join(self.controls or []) or "none"
            raise BuildError(f"{where}: step sets {name!r}, which is not a control of this "
                             f"figure (its controls: {known})")
        values = self.controls[name]
        for candidate in (value, _number(value)):
            if candidate in values:
                return candidate
        raise BuildError(f"{where}: step {name}={value} is not one of the figure's values "
                         f"({', '.join(values[:20])}{', ...' if len(values) > 20 else ''})")


def _number(text: str) -> str:
    try:
        return f"{float(text):g}"
    except ValueError:
        return text
