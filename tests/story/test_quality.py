"""Site-wide quality bars for the story: no broken links or missing assets, axe-core clean
in light and dark themes, no horizontal scrolling at 375 px, no layout shift."""
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlparse

import pytest

from export.story.render import load_config
from tests.story.conftest import ARTIFACTS, ROOT, open_story

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.urls, self.ids = [], set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        for name in ("href", "src"):
            if attrs.get(name):
                self.urls.append((tag, attrs[name]))


def _pages():
    return load_config(ROOT / "content").get("pages", ["index.html"])


def test_every_page_credits_the_original_and_says_the_model_is_untrained(story_site):
    """The tests' tiny model has random weights: the build must recognise and say so."""
    for page in _pages():
        html = (story_site / page).read_text(encoding="utf-8")
        assert 'class="untrained-banner"' in html, page
        if page != "embed.html":
            assert "https://sampling.amanvir.com/" in html and "Amanvir Parhar" in html, page
    first_screen = (story_site / "index.html").read_text(encoding="utf-8").split('<nav class="toc"')[0]
    assert "independent implementation" in first_screen and "sampling.amanvir.com" in first_screen


def test_no_broken_links_or_missing_assets(story_site):
    parsed = {}
    for page in _pages():
        parser = _Links()
        parser.feed((story_site / page).read_text(encoding="utf-8"))
        parsed[page] = parser
    for page, parser in parsed.items():
        for tag, url in parser.urls:
            target = urlparse(urljoin(f"http://site/{page}", url))
            if target.netloc != "site":
                assert target.scheme == "https", f"{page}: {url} is neither local nor https"
                continue
            path = target.path.lstrip("/") or "index.html"
            if path.endswith("/"):
                path += "index.html"
            assert (story_site / path).is_file(), f"{page}: <{tag}> {url} -> missing {path}"
            if target.fragment and path in parsed:
                assert target.fragment in parsed[path].ids, f"{page}: {url}: no element with that id"


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_serious_violations_on_any_page(browser, story_url, scheme):
    # axe is injected as an inline script, which the page's Content-Security-Policy would block
    view = open_story(browser, story_url, bypass_csp=True, color_scheme=scheme)
    try:
        problems = {}
        for page in _pages():
            view.page.goto(urljoin(story_url, page))
            view.page.add_script_tag(path=str(AXE))
            result = view.page.evaluate("axe.run(document, {resultTypes: ['violations']})")
            bad = [f"{v['id']} ({v['impact']}): {v['nodes'][0]['target']} {v['help']}"
                   for v in result["violations"] if v["impact"] in ("serious", "critical")]
            if bad:
                problems[page] = bad
        assert problems == {}
    finally:
        view.context.close()


def test_no_horizontal_scroll_at_375_px(browser, story_url):
    view = open_story(browser, story_url, width=375, height=667)
    try:
        page = view.page
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "story-375.png"), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        wide = page.evaluate("""[...document.querySelectorAll('main *')]
            .filter(e => e.getBoundingClientRect().right > innerWidth + 0.5 && e.closest('math, .gen-fixed, table') === null)
            .slice(0, 5).map(e => e.tagName + '.' + e.className)""")
        assert wide == []
        assert view.errors == []
    finally:
        view.context.close()


def test_figures_do_not_shift_the_layout(browser, story_url):
    """Cumulative layout shift while loading and while scrolling through every step (at a
    phone's width, where the sticky figure sits above the text)."""
    view = open_story(browser, story_url, width=390, height=760)
    try:
        page = view.page
        page.evaluate("""window.__cls = 0; new PerformanceObserver((list) => {
            for (const e of list.getEntries()) if (!e.hadRecentInput) window.__cls += e.value;
        }).observe({type: 'layout-shift', buffered: true})""")
        height = page.evaluate("document.documentElement.scrollHeight")
        for y in range(0, height, 300):
            page.mouse.wheel(0, 300)
            page.wait_for_timeout(20)
        page.wait_for_timeout(300)
        cls = page.evaluate("window.__cls")
        assert cls < 0.01, f"cumulative layout shift {cls:.3f}"
    finally:
        view.context.close()


def test_reduced_motion_turns_transitions_off(browser, story_url):
    view = open_story(browser, story_url, reduced_motion="reduce")
    try:
        durations = view.page.evaluate("""[...document.querySelectorAll('.bar-row .fill, .cursor')]
            .map(e => getComputedStyle(e)).map(s => s.transitionDuration + '/' + s.animationName)""")
        assert durations and all(d.split("/")[0] in ("0s", "") and d.split("/")[1] == "none" for d in durations)
    finally:
        view.context.close()


def test_artifacts_folder_is_ignored_by_git():
    assert "/test-artifacts/" in (ROOT / ".gitignore").read_text()
    assert Path(ARTIFACTS).name == "test-artifacts"
