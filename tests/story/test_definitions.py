"""Definitions at first use: [[term|definition]] in the Markdown becomes a button that shows the
definition (aria-expanded) by click, tap or keyboard, and by a mouse resting on the term; each
term the story relies on is defined where the prose first uses it."""
import re

import pytest

from export.errors import BuildError
from tests.story.conftest import open_story
from tests.story.test_quality import AXE
from tests.story.test_render import render

# The terms, as the page's text shows them (MathML's text included), each with a pattern that
# finds any use of it.
TERMS = {
    "seed": r"\bseeds?\b",
    "CDF": r"\bcumulative distribution|\bCDF\b",
    "surprise": r"\bsurpris",
    "entropy": r"\bentropy\b",
    "sigma": r"(?<![\w-])σ",  # not the σ inside the name top-nσ
    "p_(k)": r"p\(k\)",
}
PROSE_TEXT = """() => {
  const skip = 'figure, summary, h1, h2, h3, nav, .define-note, [data-playground]';
  const walker = document.createTreeWalker(document.querySelector('.story'), NodeFilter.SHOW_TEXT);
  const out = [];
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    if (!n.parentElement.closest(skip)) out.push([n.data, Boolean(n.parentElement.closest('.define-term'))]);
  }
  return out;
}"""


def test_a_definition_renders_as_a_disclosure_button(tmp_path):
    html = render("# X\n\nA fixed [[*seed*|The number a generator\nstarts from, $s$.]] and "
                  "[[$\\sigma$|A spread.]].\n", tmp_path)
    first = re.search(r'<button type="button" class="define-term" aria-expanded="false" '
                      r'aria-controls="x-define-1"><em>seed</em></button><span class="define-note" '
                      r'id="x-define-1" hidden>The number a generator starts from, '
                      r'<math[^>]*>.*?</math>\.</span>', html)
    assert first, html
    assert 'aria-controls="x-define-2" aria-label="σ"><math' in html  # math gives a button no name
    assert "[[" not in html and "NTSPAN" not in html


@pytest.mark.parametrize("text", ["A [[seed]] alone.", "A [[seed|one|two]]."])
def test_a_malformed_definition_fails_the_build(text, tmp_path):
    with pytest.raises(BuildError, match=r"01-x\.md: .*\[\[term\|definition\]\]"):
        render(f"# X\n\n{text}\n", tmp_path)


def test_each_term_is_defined_where_the_prose_first_uses_it(story):
    segments = story.page.evaluate(PROSE_TEXT)
    text, inside, at = "", [], 0
    for data, in_button in segments:
        if in_button:
            inside.append((at, at + len(data)))
        text += data
        at += len(data)
    for term, pattern in TERMS.items():
        first = re.search(pattern, text, re.I)
        assert first, f"{term} is not used in the prose"
        assert any(a <= first.start() < b for a, b in inside), \
            f"{term} is first used undefined: ...{text[max(0, first.start() - 80):first.end() + 20]}..."
    names = story.page.evaluate("""[...document.querySelectorAll('.define-term')]
        .map((b) => b.getAttribute('aria-label') || b.textContent)""")
    assert all(name.strip() for name in names), names


def _note(button):
    return button.page.locator(f"#{button.get_attribute('aria-controls')}")


def test_click_and_keyboard_open_and_close_a_definition(story):
    page = story.page
    button = page.locator(".define-term").first
    note = _note(button)
    button.scroll_into_view_if_needed()
    assert button.get_attribute("aria-expanded") == "false" and note.is_hidden()
    button.click()
    assert button.get_attribute("aria-expanded") == "true" and note.is_visible()
    assert note.inner_text().strip()
    button.click()
    assert button.get_attribute("aria-expanded") == "false" and note.is_hidden()
    button.focus()
    page.keyboard.press("Enter")
    assert button.get_attribute("aria-expanded") == "true" and note.is_visible()
    page.keyboard.press("Escape")
    assert button.get_attribute("aria-expanded") == "false" and note.is_hidden()
    assert button.evaluate("(b) => b === document.activeElement")
    page.keyboard.press("Space")
    assert button.get_attribute("aria-expanded") == "true"
    page.keyboard.press("Tab")  # focus moves on: the definition closes
    assert button.get_attribute("aria-expanded") == "false" and note.is_hidden()
    assert story.errors == []


def test_a_mouse_resting_on_a_term_shows_its_definition(story):
    page = story.page
    button = page.locator(".define-term").nth(1)
    button.scroll_into_view_if_needed()
    button.hover()
    assert button.get_attribute("aria-expanded") == "true" and _note(button).is_visible()
    page.mouse.move(1, 1)
    page.wait_for_timeout(400)
    assert button.get_attribute("aria-expanded") == "false"


def test_a_tap_opens_a_definition_that_fits_375_px_and_is_axe_clean(browser, story_url):
    view = open_story(browser, story_url, width=375, height=667, has_touch=True, is_mobile=True,
                      bypass_csp=True)  # the CSP would block axe's inline script
    try:
        page = view.page
        page.evaluate("document.querySelectorAll('details').forEach((d) => { d.open = true; })")
        buttons = page.locator(".define-term")
        for i in range(buttons.count()):
            button = buttons.nth(i)
            button.scroll_into_view_if_needed()
            button.tap()
            note = _note(button)
            assert button.get_attribute("aria-expanded") == "true" and note.is_visible()
            box = note.bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= 375, (i, box)
            page.locator("h1").first.tap()  # a tap elsewhere closes it
            assert button.get_attribute("aria-expanded") == "false" and note.is_hidden()
        buttons.first.tap()
        page.add_script_tag(path=str(AXE))
        result = page.evaluate("axe.run(document.querySelector('.story'), {resultTypes: ['violations']})")
        assert [f"{v['id']}: {v['nodes'][0]['target']}" for v in result["violations"]
                if v["impact"] in ("serious", "critical")] == []
        assert view.errors == []
    finally:
        view.context.close()
