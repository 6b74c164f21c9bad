"""Story fixtures: the site under test, served on localhost, and one shared page per test
module with the story loaded and every figure mounted.

The site is the tiny random GPT-2's (tests/conftest.py), or any built site given as
NEXTTOKEN_STORY_SITE=DIR (for instance one built from GPT-2 small's architecture).
"""
import json
import os
import re
from pathlib import Path
from types import SimpleNamespace

import pytest

from export.site.server import serving

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
FIGURE_DATA = re.compile(r'<figure[^>]*id="fig-(?P<id>[^"]+)"[^>]*data-figure="(?P<kind>[^"]+)".*?'
                         r'<script type="application/json">(?P<json>.*?)</script>', re.S)


def open_story(browser, url, width=1280, height=900, **context_args):
    """A page on the story with service workers blocked (so the one-time reload that makes the
    page cross-origin isolated cannot interrupt), errors recorded, every figure mounted."""
    context = browser.new_context(viewport={"width": width, "height": height},
                                  service_workers="block", **context_args)
    page = context.new_page()
    errors = []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("response", lambda r: r.status >= 400 and errors.append(f"HTTP {r.status} {r.url}"))
    page.goto(url)
    page.wait_for_selector("html[data-figures-ready=true]", state="attached", timeout=20_000)
    return SimpleNamespace(page=page, context=context, errors=errors, url=url)


@pytest.fixture(scope="session")
def story_site(request):
    path = os.environ.get("NEXTTOKEN_STORY_SITE")
    return Path(path) if path else request.getfixturevalue("tiny_site")


@pytest.fixture(scope="session")
def story_url(story_site):
    with serving(story_site) as url:
        yield url


@pytest.fixture(scope="module")
def story(browser, story_url):
    view = open_story(browser, story_url)
    yield view
    view.context.close()


@pytest.fixture(scope="session")
def figure_data(story_site):
    """{figure id: (kind, baked JSON)} as embedded in the built index.html."""
    html = (story_site / "index.html").read_text(encoding="utf-8")
    return {m["id"]: (m["kind"], json.loads(m["json"])) for m in FIGURE_DATA.finditer(html)}
