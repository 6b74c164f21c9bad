"""The toy distribution (content/02-basics.md): made-up scores that the reader drags with the
mouse, a finger or the arrow keys. The probabilities shown are always the softmax of the
scores at the chosen temperature, greedy marks the top score, and the draws replay the baked
random numbers."""
import math

import pytest

from export.story.prose import pct
from tests.story.conftest import open_story
from tests.story.test_quality import AXE

STATE = """(id) => {
  const root = document.getElementById(id);
  return {
    scores: [...root.querySelectorAll('[data-score]')].map((t) => Number(t.getAttribute('aria-valuenow'))),
    temperature: Number(root.querySelector('[data-control=temperature]').getAttribute('aria-valuetext')),
    shown: [...root.querySelectorAll('[data-row] .val')].map((v) => v.textContent),
    picks: [...root.querySelectorAll('[data-row]')].map((r) => r.classList.contains('is-pick')),
  };
}"""


def softmax(scores, t):
    top = max(z / t for z in scores)
    weights = [math.exp(z / t - top) for z in scores]
    return [w / math.fsum(weights) for w in weights]


def draw(probs, u):
    """nexttoken's sample(): the first running total above u times the total."""
    running = 0.0
    for i, p in enumerate(probs):
        running += p
        if running > u * sum(probs):
            return i
    return len(probs) - 1


@pytest.fixture(scope="module")
def toy(figure_data):
    return next((fid, data) for fid, (kind, data) in figure_data.items() if kind == "toy")


@pytest.fixture
def toy_page(story, toy):
    """The story's page with the toy reset and in view."""
    root = story.page.locator(f"#fig-{toy[0]}")
    root.scroll_into_view_if_needed()
    root.locator("[data-action=reset]").click()
    return story.page


def state_of(page, fid):
    """The toy as shown, checked against softmax: every percentage, and ✓ on the top score only."""
    state = page.evaluate(STATE, f"fig-{fid}")
    probs = softmax(state["scores"], state["temperature"])
    assert [s.split(" ")[0] for s in state["shown"]] == [pct(p) for p in probs], state
    top = state["scores"].index(max(state["scores"]))
    assert state["picks"] == [i == top for i in range(len(probs))], state
    assert [("✓" in s) for s in state["shown"]] == state["picks"], state
    return {**state, "probs": probs, "top": top}


def track_box(page, fid, i):
    return page.locator(f"#fig-{fid} [data-score='{i}']").bounding_box()


def test_the_toy_starts_from_its_made_up_scores(toy_page, toy):
    page, (fid, data) = toy_page, toy
    state = state_of(page, fid)
    assert state["scores"] == data["scores"] and state["temperature"] == 1
    assert len(data["labels"]) == 5 and "made up" in page.locator(f"#fig-{fid}").inner_text()
    assert page.evaluate("""(id) => Boolean(document.getElementById(id).compareDocumentPosition(
        document.querySelector('[data-figure=softmax]')) & Node.DOCUMENT_POSITION_FOLLOWING)""", f"fig-{fid}"), \
        "the toy comes before the model's own scores"


def test_a_mouse_drag_moves_a_score_and_the_probabilities_follow(toy_page, toy, story):
    page, (fid, data) = toy_page, toy
    last = len(data["scores"]) - 1
    box = track_box(page, fid, last)
    x = box["x"] + box["width"] / 2
    page.mouse.move(x, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(x, box["y"] + 2, steps=6)  # to the top of its track
    page.mouse.up()
    state = state_of(page, fid)
    assert state["scores"][last] > max(data["scores"]) and state["top"] == last
    assert state["scores"][:last] == data["scores"][:last]
    assert state["probs"][last] > softmax(data["scores"], 1)[0]
    assert story.errors == []


def test_arrow_keys_move_a_focused_score(toy_page, toy):
    page, (fid, data) = toy_page, toy
    track = page.locator(f"#fig-{fid} [data-score='0']")
    assert track.get_attribute("role") == "slider" and track.get_attribute("aria-label")
    track.focus()
    for _ in range(5):
        page.keyboard.press("ArrowDown")
    page.keyboard.press("PageDown")
    state = state_of(page, fid)
    assert state["scores"][0] == pytest.approx(data["scores"][0] - 1.5)
    assert "probability" in track.get_attribute("aria-valuetext")
    page.keyboard.press("Home")
    state = state_of(page, fid)
    assert state["scores"][0] == data["low"] and state["top"] != 0
    page.keyboard.press("End")
    assert state_of(page, fid)["scores"][0] == data["high"]


def test_temperature_reshapes_but_never_reorders(toy_page, toy):
    page, (fid, _) = toy_page, toy
    slider = page.locator(f"#fig-{fid} [data-control=temperature]")
    at_one = state_of(page, fid)
    slider.focus()
    page.keyboard.press("Home")
    cold = state_of(page, fid)
    page.keyboard.press("End")
    hot = state_of(page, fid)
    assert cold["temperature"] < 1 < hot["temperature"]
    assert cold["probs"][cold["top"]] > at_one["probs"][at_one["top"]] > hot["probs"][hot["top"]]
    assert min(cold["probs"]) < min(at_one["probs"]) < min(hot["probs"])
    assert cold["top"] == at_one["top"] == hot["top"]  # greedy's pick does not depend on T


def test_sampling_replays_the_baked_random_numbers(toy_page, toy):
    page, (fid, data) = toy_page, toy
    root = page.locator(f"#fig-{fid}")
    sample = root.get_by_role("button", name="Sample a token")
    probs = softmax(data["scores"], 1)
    picks = []
    for u in data["randoms"][:6]:
        sample.click()
        shown = page.evaluate(STATE, f"fig-{fid}")["shown"]
        drawn = [i for i, s in enumerate(shown) if s.endswith("●")]
        picks.append(drawn)
        assert drawn == [draw(probs, u)]
        assert f"the random number {u}" in root.locator("[data-role=readout]").inner_text()
    root.locator("[data-action=reset]").click()
    sample.click()
    assert [i for i, s in enumerate(page.evaluate(STATE, f"fig-{fid}")["shown"]) if s.endswith("●")] == picks[0]


def test_a_touch_drag_at_375_px_moves_a_score_and_the_toy_fits(browser, story_url, toy):
    fid, data = toy
    view = open_story(browser, story_url, width=375, height=740, has_touch=True, is_mobile=True,
                      bypass_csp=True)  # the CSP would block axe's inline script
    try:
        page = view.page
        root = page.locator(f"#fig-{fid}")
        root.scroll_into_view_if_needed()
        wide = page.evaluate("""(id) => [...document.querySelectorAll(`#${id}, #${id} *`)]
            .filter((e) => e.getBoundingClientRect().right > innerWidth + 0.5)
            .map((e) => e.className)""", f"fig-{fid}")
        assert wide == []
        box = track_box(page, fid, 0)
        x, y0, y1 = box["x"] + box["width"] / 2, box["y"] + box["height"] * 0.3, box["y"] + box["height"] - 2
        cdp = view.context.new_cdp_session(page)
        cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": x, "y": y0}]})
        for i in range(1, 7):
            cdp.send("Input.dispatchTouchEvent", {"type": "touchMove",
                                                  "touchPoints": [{"x": x, "y": y0 + (y1 - y0) * i / 6}]})
        cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
        state = state_of(page, fid)
        runner_up = data["scores"].index(max(data["scores"][1:]))
        assert state["scores"][0] < min(data["scores"]) and state["top"] == runner_up
        page.add_script_tag(path=str(AXE))
        result = page.evaluate("(id) => axe.run(document.getElementById(id), {resultTypes: ['violations']})",
                               f"fig-{fid}")
        assert [v["id"] for v in result["violations"] if v["impact"] in ("serious", "critical")] == []
        assert view.errors == []
    finally:
        view.context.close()
