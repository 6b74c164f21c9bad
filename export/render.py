"""Render the story (Markdown chapters in content/) into HTML pages with Jinja2.

Figures are placed in Markdown with a one-line directive, so chapters stay readable:

    ::: playground
    ::: figure distribution prompt="The capital of France is"

A directive names a template ``figures/<name>.html`` (for ``figure``, the first word after it)
and passes its ``key="value"`` pairs to it.
"""
import re
import shlex
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import markdown
from jinja2 import Environment, FileSystemLoader, StrictUndefined, TemplateNotFound

from export.errors import BuildError

DIRECTIVE = re.compile(r"^:::\s+(?P<body>\S.*?)\s*$", re.MULTILINE)
MARKDOWN_EXTENSIONS = ["extra", "sane_lists", "smarty", "toc"]


@dataclass
class Chapter:
    slug: str
    title: str
    source: str                                   # Markdown with directives replaced by markers
    figures: list = field(default_factory=list)   # (template name, params) per marker


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
    chapter = Chapter(slug=path.stem.split("-", 1)[-1], title=heading.group(1).strip(), source="")

    def replace(match):
        line = text.count("\n", 0, match.start()) + 1
        try:
            words = shlex.split(match.group("body"))
        except ValueError as exc:
            raise BuildError(f"{path}:{line}: bad directive ({exc}); quote values with \"\"") from None
        if words[0] == "figure":  # "::: figure NAME ..." and "::: NAME ..." mean the same
            words = words[1:]
        if not words:
            raise BuildError(f"{path}:{line}: directive names no figure; write '::: figure NAME'")
        name, params = words[0], {}
        for word in words[1:]:
            key, eq, value = word.partition("=")
            if not eq:
                raise BuildError(f"{path}:{line}: directive argument {word!r} is not key=value")
            params[key] = value
        chapter.figures.append((f"figures/{name}.html", params, f"{path}:{line}"))
        # A marker paragraph that Markdown leaves alone; swapped for the figure after conversion.
        return f"\n\nNTFIGURE{len(chapter.figures) - 1}END\n\n"

    chapter.source = DIRECTIVE.sub(replace, text)
    return chapter


def make_environment(templates_dir: Path) -> Environment:
    return Environment(loader=FileSystemLoader(str(templates_dir)), autoescape=True,
                       undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def render_chapter(env: Environment, chapter: Chapter, context: dict) -> str:
    html = markdown.markdown(chapter.source, extensions=MARKDOWN_EXTENSIONS, output_format="html")
    for index, (template, params, where) in enumerate(chapter.figures):
        try:
            figure = env.get_template(template).render(**context, params=params, figure_id=f"{chapter.slug}-{index}")
        except TemplateNotFound:
            raise BuildError(f"{where}: unknown figure {template!r}; add site_src/templates/{template} "
                             "or fix the directive") from None
        html = html.replace(f"<p>NTFIGURE{index}END</p>", figure)
    return html


def render_page(env: Environment, template: str, context: dict) -> str:
    return env.get_template(template).render(**context)
