"""DRY's sequence breakers in the playground: typed as token ids under "More samplers", checked
as typed, kept in the address, and reaching the page's Python, where they change what DRY
penalises exactly as the same Python package in CPython says."""
from urllib.parse import parse_qs, urlencode

from tests.playground.drive import open_session
from tests.playground.page import Playground

PROMPT = " a b a b a b a"  # after " a", DRY penalises " b", the repeat's next token
N_CTX = 128


def python_top(worker_api, native, params):
    open_session(worker_api, native, "dry", PROMPT, N_CTX, params)
    top = [row["id"] for row in worker_api.reply("dry", params, {"top": 10})["summary"]["top"]]
    worker_api.close("dry")
    return top


def breakers_in_url(pg):
    return parse_qs(pg.page.url.split("#", 1)[1], keep_blank_values=True)["dry_sequence_breakers"][0]


def test_the_breakers_change_what_dry_penalises_like_python(engine_browser, site_url, worker_api, native):
    b = worker_api.encode(PROMPT)[1]  # " b"
    # The logit bias puts " b" on top; DRY (3 · 1.75^(length - 1)) then sinks it, unless " b"
    # is a breaker: DRY never penalises a breaker, and no repeat runs across one.
    params = {"logit_bias": {b: 10.0}, "dry_multiplier": 3.0, "dry_allowed_length": 1}
    link = urlencode({"prompt": PROMPT, "logit_bias": f"{b}:10", "dry_multiplier": 3,
                      "dry_allowed_length": 1, "dry_sequence_breakers": ""})
    pg = Playground(engine_browser, site_url + "playground.html#" + link)
    pg.locator(".pg-more summary").click()
    box = pg.locator('[data-field="dry_sequence_breakers"] input')
    assert box.input_value() == ""  # the link's empty list: no breakers
    pg.run()
    assert b not in python_top(worker_api, native, {**params, "dry_sequence_breakers": []})
    assert b not in [bar[0] for bar in pg.bars()]

    pg.set_param("dry_sequence_breakers", f"198, {b}")
    assert python_top(worker_api, native, {**params, "dry_sequence_breakers": [198, b]})[0] == b
    pg.wait_bars(lambda bars: bars[0][0] == b)
    pg.wait_for("(text) => new URLSearchParams(location.hash.slice(1)).get('dry_sequence_breakers') === text",
                f"198, {b}")  # the address is written at most every 300 ms (playground/address.js)

    # Bad input: one line naming the problem; the last good value stays in force.
    error = pg.locator('[data-field="dry_sequence_breakers"] .pg-error')
    pg.set_param("dry_sequence_breakers", "198, newline")
    assert error.text_content() == 'DRY sequence breakers: "newline" is not a token id below 50257'
    pg.set_param("dry_sequence_breakers", "50257")
    assert error.text_content() == 'DRY sequence breakers: "50257" is not a token id below 50257'
    assert pg.bars()[0][0] == b and breakers_in_url(pg) == f"198, {b}"
    pg.set_param("dry_sequence_breakers", "198, 25, 1, 9")  # webui's defaults: left out of the link
    assert error.text_content() == ""
    pg.wait_for("() => !location.hash.includes('dry_sequence_breakers')")
    assert pg.errors == []
    pg.close()
