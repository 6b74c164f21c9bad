"""Every figure mounts from its baked data, reacts to its control from the keyboard, and
follows the scroll steps; the page makes no request the build did not produce."""
import json
import re

from playwright.sync_api import expect

from export.story.prose import pct
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


def test_more_boxes_open_by_keyboard_and_show_their_figures(story):
    page = story.page
    boxes = page.locator("details")
    assert boxes.count() >= 3
    for i in range(boxes.count()):
        box = boxes.nth(i)
        assert box.evaluate("(d) => !d.open")  # collapsed on the main path
        box.locator("summary").focus()
        page.keyboard.press("Enter")
        assert box.evaluate("(d) => d.open")
        for figure in box.locator("[data-figure]").all():
            assert figure.is_visible() and figure.get_attribute("data-ready") == "true"


def test_every_figure_reacts_to_its_first_control_from_the_keyboard(story, figure_data):
    page = story.page
    page.evaluate("document.querySelectorAll('details').forEach((d) => { d.open = true; })")  # the "more" boxes
    for fid in figure_data:
        root = page.locator(f"#fig-{fid}")
        root.scroll_into_view_if_needed()
        page.wait_for_timeout(300)  # let a scroll step that became active set the figure first
        before = _text(page, fid)
        control = root.locator("[data-control], button").first
        kind = control.evaluate("(e) => e.tagName === 'BUTTON' ? 'button' : e.type")
        if kind == "radio":  # arrow keys move from the checked choice, which need not be the first
            name = control.get_attribute("name")
            control = root.locator(f"input[name='{name}']:checked")
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


def _cut_figures(figure_data):
    return [(fid, data) for fid, (kind, data) in figure_data.items() if kind == "cut"]


def _handle_center(page, fid):
    box = page.locator(f"#fig-{fid} [data-role=line]").bounding_box()
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def _cut_value(page, fid, rule):
    return page.locator(f"#fig-{fid} [data-control='{rule}']").get_attribute("aria-valuetext")


def _target(data, page, fid):
    """A point on the chart that asks for a different value than the current one."""
    chart = page.locator(f"#fig-{fid} [data-role=chart] svg").bounding_box()
    x, y = _handle_center(page, fid)
    if data["rule"] == "top_p":
        return x, chart["y"] + chart["height"] * 0.75  # lower on the chart: a smaller share
    return chart["x"] + chart["width"] * 0.2, y       # further left: fewer tokens


def test_cut_lines_follow_a_mouse_drag(story, figure_data):
    page = story.page
    cuts = _cut_figures(figure_data)
    assert {d["rule"] for _, d in cuts} == {"top_k", "top_p", "min_p"}
    for fid, data in cuts:
        page.locator(f"#fig-{fid}").scroll_into_view_if_needed()
        before, readout = _cut_value(page, fid, data["rule"]), _text(page, fid)
        page.mouse.move(*_handle_center(page, fid))
        page.mouse.down()
        page.mouse.move(*_target(data, page, fid), steps=8)
        page.mouse.up()
        after = _cut_value(page, fid, data["rule"])
        assert after != before and after in data["states"], (fid, before, after)
        kept = [s["kept"] for s in data["states"][after]]
        assert _text(page, fid) != readout and all(f"{k:,}" in _text(page, fid) for k in kept)
    assert story.errors == []


def test_cut_lines_follow_a_touch_drag(browser, story_url, figure_data):
    from tests.story.conftest import open_story

    view = open_story(browser, story_url, width=375, height=740, has_touch=True, is_mobile=True)
    try:
        page = view.page
        cdp = view.context.new_cdp_session(page)
        for fid, data in _cut_figures(figure_data):
            page.locator(f"#fig-{fid}").scroll_into_view_if_needed()
            before = _cut_value(page, fid, data["rule"])
            (x0, y0), (x1, y1) = _handle_center(page, fid), _target(data, page, fid)
            cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": x0, "y": y0}]})
            for i in range(1, 9):
                point = {"x": x0 + (x1 - x0) * i / 8, "y": y0 + (y1 - y0) * i / 8}
                cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [point]})
            cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
            after = _cut_value(page, fid, data["rule"])
            assert after != before and after in data["states"], (fid, before, after)
        assert view.errors == []
    finally:
        view.context.close()


def test_cut_lines_move_from_the_keyboard(story, figure_data):
    page = story.page
    for fid, data in _cut_figures(figure_data):
        slider = page.locator(f"#fig-{fid} [data-control='{data['rule']}']")
        slider.focus()
        values = data["controls"][0]["values"]
        page.keyboard.press("Home")
        assert _cut_value(page, fid, data["rule"]) == values[0]
        line = page.locator(f"#fig-{fid} [data-role=line]")
        first = line.bounding_box()
        page.keyboard.press("ArrowRight")
        assert _cut_value(page, fid, data["rule"]) == values[1]
        page.keyboard.press("End")
        assert line.bounding_box() != first  # the dragged line moves with the slider
