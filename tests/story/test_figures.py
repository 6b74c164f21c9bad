"""Every figure mounts from its baked data, reacts to its control from the keyboard, and
follows the scroll steps; the page makes no request the build did not produce."""
import json
import re

from playwright.sync_api import expect

from export.prose import pct
from tests.story.conftest import ARTIFACTS

FIGURES = "[...document.querySelectorAll('[data-figure]')]"


def test_every_figure_mounts_without_errors(story, figure_data):
    states = story.page.evaluate(f"{FIGURES}.map(f => [f.id, f.dataset.ready])")
    assert states and all(ready == "true" for _, ready in states), states
    assert {fid[len("fig-"):] for fid, _ in states} == set(figure_data)
    assert story.errors == []
    requests = story.page.evaluate("performance.getEntriesByType('resource').map(e => e.name)")
    assert not [r for r in requests if "pyodide" in r or r.endswith((".onnx", ".wasm"))], \
        "the story before the playground must not load the model or Pyodide"


def _text(page, fid):
    return page.evaluate("(id) => document.getElementById(id).innerText", f"fig-{fid}")


def test_every_figure_reacts_to_its_first_control_from_the_keyboard(story, figure_data):
    page = story.page
    for fid in figure_data:
        root = page.locator(f"#fig-{fid}")
        root.scroll_into_view_if_needed()
        page.wait_for_timeout(300)  # let a scroll step that became active set the figure first
        before = _text(page, fid)
        control = root.locator("[data-control], button").first
        kind = control.evaluate("(e) => e.tagName === 'BUTTON' ? 'button' : e.type")
        control.focus()
        assert control.evaluate("(e) => e === document.activeElement")
        if kind == "range":
            at_end = control.evaluate("(e) => e.value === e.max")
            page.keyboard.press("Home" if at_end else "End")
        elif kind == "button":
            page.keyboard.press("Enter")
        else:  # radio group or checkbox
            page.keyboard.press("Space" if kind == "checkbox" else "ArrowRight")
        page.wait_for_timeout(50)
        assert _text(page, fid) != before, f"figure {fid} did not change after its {kind} control"
    assert story.errors == []


def test_distribution_rows_show_the_baked_state(story, figure_data):
    page = story.page
    for fid, (kind, data) in figure_data.items():
        if kind != "distribution":
            continue
        values = page.evaluate("""(id) => Object.fromEntries([...document.querySelectorAll(
            `#${id} [data-control]`)].filter(i => i.type !== 'radio' || i.checked).map(i => [i.dataset.control,
            i.type === 'range' ? i.getAttribute('aria-valuetext') : i.value]))""", f"fig-{fid}")
        key = ",".join(values[c["name"]] for c in data["controls"] if not c.get("view")) or "all"
        panel = page.locator(f"#fig-{fid} [data-case]:not([hidden])").first
        index = int(panel.get_attribute("data-case"))
        state = data["states"][key][index]
        shown = panel.locator("[data-row] .val").all_inner_texts()
        assert shown == ["cut" if p == 0 else pct(p) for p in state["p"]], (fid, key)
        assert panel.locator("[data-rest] .val").inner_text() == pct(state["rest"])


def test_scroll_steps_set_their_figures(story):
    page = story.page
    blocks = page.locator("[data-scrolly]")
    assert blocks.count() >= 8
    for b in range(blocks.count()):
        steps = blocks.nth(b).locator(".step")
        for s in [steps.count() - 1, 0]:  # the last step, then back to the first
            step = steps.nth(s)
            # put the step's top just above the reading line (60% down the viewport)
            step.evaluate("(e) => window.scrollBy(0, e.getBoundingClientRect().top - 0.55 * innerHeight)")
            expect(step).to_have_class(re.compile(r"\bis-active\b"))
            state = json.loads(step.get_attribute("data-state"))
            figure = blocks.nth(b).locator("[data-figure]")
            for name, value in state.items():
                control = figure.locator(f"[data-control='{name}']")
                if control.count() == 0:
                    continue  # draws: the step sets a count, shown as text
                current = control.first.evaluate("""(e) => e.type === 'range' ? e.getAttribute('aria-valuetext')
                    : [...document.getElementsByName(e.name)].find(r => r.checked)?.value""")
                assert current == value, (b, s, name, value, current)
    assert story.errors == []


def test_the_draws_replay_the_baked_draws(story, figure_data):
    page = story.page
    fid, (_, data) = next((f, d) for f, d in figure_data.items() if d[0] == "draws")
    root = page.locator(f"#fig-{fid}")
    root.scroll_into_view_if_needed()
    root.locator("[data-action=reset]").click()
    root.get_by_role("button", name="Draw 100").click()
    counts = [sum(1 for _, r in data["draws"][:100] if r == i) for i in range(len(data["ids"]) + 1)]
    shown = root.locator("[data-row] .val").all_inner_texts()
    assert [int(text.split(" ")[0]) for text in shown] == counts
    ARTIFACTS.mkdir(exist_ok=True)
