"""The custom order: the stages as a list the reader reorders with the mouse (drag) or the
keyboard (each stage's up/down buttons), kept in the URL; a link brings the order back and the
engine runs the stages in that order."""
from urllib.parse import parse_qs

from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.playground.page import Playground

START = ["temperature", "quadratic", "top_n_sigma", "top_k", "top_p", "typical_p", "epsilon",
         "eta", "tfs", "top_a", "min_p", "mirostat", "xtc", "no_repeat_ngram"]


def shown(pg):
    return pg.locator('[data-field="sampler_order"] li').evaluate_all(
        "(items) => items.map((li) => li.dataset.stage)")


def in_url(pg, expected):
    """The order the address holds once it shows ``expected`` (the address is written at most
    every 300 ms, playground/address.js), or the last one it showed."""
    try:
        pg.page.wait_for_function("(order) => new URLSearchParams(location.hash.slice(1)).get('sampler_order') === order",
                                  arg=",".join(expected), timeout=10_000)
    except PlaywrightTimeout:
        pass  # the comparison below shows what the address holds instead
    query = parse_qs(pg.page.url.split("#", 1)[1])
    return query.get("sampler_order", [""])[0].split(",")


def test_the_list_shows_only_with_the_custom_order(browser, site_url):
    pg = Playground(browser, site_url + "playground.html#temperature=1.5")
    row = pg.locator('[data-field="sampler_order"]')
    assert row.is_hidden()
    pg.locator("#playground-order").select_option("custom")
    assert row.is_visible() and shown(pg) == START  # webui's order, where a reader starts
    assert pg.errors == []
    pg.close()


def test_mouse_and_keyboard_reorder_and_the_url_keeps_it(browser, site_url):
    pg = Playground(browser, site_url + "playground.html#order=custom&temperature=1.5&top_k=3")
    items = pg.locator('[data-field="sampler_order"] li')
    # mouse: drag top-k onto the first stage
    items.nth(3).drag_to(items.nth(0))
    assert shown(pg)[:2] == ["top_k", "temperature"]
    assert in_url(pg, shown(pg))[:2] == ["top_k", "temperature"]
    # keyboard: Tab to "Move Temperature down", then Enter; the focus follows the stage
    button = pg.locator('[data-field="sampler_order"] li[data-stage="temperature"] [data-move="down"]')
    button.focus()
    pg.page.keyboard.press("Enter")
    assert shown(pg)[:3] == ["top_k", "quadratic", "temperature"]
    focused = pg.page.evaluate("() => document.activeElement.closest('li').dataset.stage")
    assert focused == "temperature"
    pg.page.keyboard.press("Space")
    assert shown(pg)[:4] == ["top_k", "quadratic", "top_n_sigma", "temperature"]
    assert in_url(pg, shown(pg)) == shown(pg)
    url = pg.page.url
    assert pg.errors == []
    pg.close()
    # a link brings the order back
    again = Playground(browser, url)
    assert shown(again)[:4] == ["top_k", "quadratic", "top_n_sigma", "temperature"]
    assert again.locator("#playground-order").input_value() == "custom"
    assert again.page.url == url
    assert again.errors == []
    again.close()


def test_a_bad_order_in_a_link_is_ignored_with_a_note(browser, site_url):
    pg = Playground(browser, site_url + "playground.html#order=custom&sampler_order=top_k,nucleus")
    assert shown(pg) == START
    assert any("not a stage" in note for note in pg.notices())
    pg.close()
