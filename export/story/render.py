"""Render the story (Markdown chapters in content/) into HTML pages with Jinja2.

Figures are placed in Markdown with a one-line directive, so chapters stay readable:

    ::: playground
    ::: figure distribution prompt="The capital of France is"

A directive names a template ``figures/<name>.html`` (for ``figure``, the first word after it)
and passes its ``key="value"`` pairs to it. ``::: scrolly NAME ...`` with ``::: step`` and
``::: end`` makes a scroll-driven block (scrolly.py); math, ``{{ data }}`` references and
``[[term|definition]]`` in the text are rendered by prose.py. docs/story.md describes the whole
syntax.
"""
import re
import shlex
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import markdown
from jinja2 import Environment, FileSystemLoader, StrictUndefined, TemplateNotFound

from export.story import claims
from export.story import prose
from export.story import scrolly
from export.errors import BuildError
from export.story.scrolly import STRUCTURE

DIRECTIVE = re.compile(r"^:::\s+(?P<body>\S.*?)\s*$", re.MULTILINE)
MARKDOWN_EXTENSIONS = ["extra", "sane_lists", "smarty", "toc"]


@dataclass
class Chapter:
    slug: str
    title: str
    source: str                                   # Markdown with directives replaced by markers
    figures: list = field(default_factory=list)   # (template name, params, where) per marker
    path: str = ""                                # the Markdown file, for error messages
    claims: list = field(default_factory=list)    # (expression, "file:line"): export/story/claims.py


def load_config(content_dir: Path) -> dict:
    path = content_dir / "site.toml"
    try:
        return tomllib.loads(path.read_text())
    except OSError:
        raise BuildError(f"{path}: missing; it holds the site's title and chapter list") from None
    except tomllib.TOMLDecodeError as exc:
        raise BuildError(f"{path}: invalid TOML ({exc}); fix the file") from None


def collect_chapters(content_dir: Path, config: dict) -> list:
    """Read every chapter named in site.toml, in order, and parse its directives."""
    chapters = []
    for name in config.get("chapters", []):
        path = content_dir / name
        try:
            text = path.read_text(encoding="utf-8")
        except OSError:
            raise BuildError(f"{path}: listed in site.toml but missing; create it or remove it "
                             "from the chapters list") from None
        chapters.append(_parse_chapter(path, text))
    if not chapters:
        raise BuildError(f"{content_dir / 'site.toml'}: no chapters listed; add chapters = [...]")
    return chapters


def collect_documents(content_dir: Path, config: dict) -> dict:
    """Read the standalone Markdown documents named in site.toml's [documents] table."""
    documents = {}
    for key, name in config.get("documents", {}).items():
        path = content_dir / name
        try:
            documents[key] = _parse_chapter(path, path.read_text(encoding="utf-8"))
        except OSError:
            raise BuildError(f"{path}: listed under [documents] in site.toml but missing") from None
    return documents


def _parse_chapter(path: Path, text: str) -> Chapter:
    heading = re.search(r"^#\s+(.+)$", text, re.MULTILINE)
    if not heading:
        raise BuildError(f"{path}: no '# Title' heading; start the chapter with one")
    chapter = Chapter(slug=path.stem.split("-", 1)[-1], title=heading.group(1).strip(), source="",
                      path=str(path))
    text, chapter.claims = claims.extract(path, text)

    def replace(match):
        line = text.count("\n", 0, match.start()) + 1
        try:
            words = shlex.split(match.group("body"))
        except ValueError as exc:
            raise BuildError(f"{path}:{line}: bad directive ({exc}); quote values with \"\"") from None
        if words[0] == "figure":  # "::: figure NAME ..." and "::: NAME ..." mean the same
            words = words[1:]
        layout = []
        if words and words[0] == "scrolly":  # a figure with text steps: see export/story/scrolly.py
            layout, words = [("scrolly", {}, f"{path}:{line}")], words[1:]
        if not words:
            raise BuildError(f"{path}:{line}: directive names no figure; write '::: figure NAME'")
        name, params = words[0], {}
        for word in words[1:]:
            key, eq, value = word.partition("=")
            if not eq:
                raise BuildError(f"{path}:{line}: directive argument {word!r} is not key=value")
            params[key] = value
        template = name if name in STRUCTURE else f"figures/{name}.html"
        markers = []
        for entry in layout + [(template, params, f"{path}:{line}")]:
            chapter.figures.append(entry)
            # A marker paragraph that Markdown leaves alone; swapped for the figure after conversion.
            markers.append(f"NTFIGURE{len(chapter.figures) - 1}END")
        return "\n\n" + "\n\n".join(markers) + "\n\n"

    chapter.source = DIRECTIVE.sub(replace, text)
    scrolly.check(chapter.figures, chapter.source)
    return chapter


def make_environment(templates_dir: Path) -> Environment:
    env = Environment(loader=FileSystemLoader(str(templates_dir)), autoescape=True,
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters.update(pct=prose.pct, num=prose.num)  # the prose's number formats
    return env


def render_chapter(env: Environment, chapter: Chapter, context: dict) -> str:
    # Math and {{ data }} references are cut out before Markdown and rendered after (prose.py).
    source, spans = prose.protect(chapter.source)
    html = markdown.markdown(source, extensions=MARKDOWN_EXTENSIONS, output_format="html")
    figures = context.get("fig", {})
    data = {**figures, "model": context.get("model_facts", {})}
    origin = chapter.path or chapter.title
    html = prose.define(html, chapter.slug, origin, lambda term: prose.restore(term, spans, data, origin))
    html = prose.restore(html, spans, data, origin)
    # A false claim fails the build, unless the model is untrained (then it is a warning).
    claims.check(chapter.claims, data, strict=not context.get("untrained"),
                 warn=context.setdefault("warnings", []).append)
    layout = scrolly.Layout(figures)
    for index, (template, params, where) in enumerate(chapter.figures):
        if template in STRUCTURE:
            html = html.replace(f"<p>NTFIGURE{index}END</p>", layout.html(template, params, where))
            continue
        try:
            figure = env.get_template(template).render(**context, params=params, figure_id=f"{chapter.slug}-{index}")
        except TemplateNotFound:
            raise BuildError(f"{where}: unknown figure {template!r}; add site_src/templates/{template} "
                             "or fix the directive") from None
        html = html.replace(f"<p>NTFIGURE{index}END</p>", layout.figure(params, figure))
    return html


def render_page(env: Environment, template: str, context: dict) -> str:
    return env.get_template(template).render(**context)
