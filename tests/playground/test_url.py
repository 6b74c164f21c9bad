"""The playground's state in the URL: an exact round trip (prompt, chosen tokens, parameters,
seed), "Copy link", and hostile or malformed parameters ignored field by field."""
from urllib.parse import quote

import pytest

from tests.playground.page import Playground

STATE_MODULE = "assets/js/playground/state.js"


@pytest.fixture(scope="module")
def session_link(engine_browser, site_url):
    """A session made in one page: its link, chosen tokens, bars and controls."""
    prompt = "Ünïcode & = # % + ? <b>\n\tline two 👩‍👩‍👧 שלום"
    hash_ = (f"#prompt={quote(prompt)}&temperature=0.7&top_k=20&min_p=0.02&repetition_penalty=1.2"
             "&logit_bias=13:-2.5,11:1&order=llama.cpp&seed=42&top=7")
    pg = Playground(engine_browser, site_url + "playground.html" + hash_)
    assert pg.locator('[data-role="prompt"]').input_value() == prompt
    pg.run()
    pg.locator('[data-role="count"]').fill("4")
    pg.click("generate")
    pg.click("greedy")
    pg.locator('[data-role="top"] li').nth(3).locator("button").click()
    pg.wait_idle()
    pg.click("link")
    shared = pg.locator('[data-role="share"] textarea').input_value()
    made = {"url": pg.page.url, "shared": shared, "chosen": pg.chosen(), "bars": pg.bars(),
            "params": {n: pg.param(n) for n in ("temperature", "top_k", "min_p", "repetition_penalty",
                                                 "logit_bias")},
            "seed": pg.locator('[data-role="seed"]').input_value(), "prompt": prompt, "errors": pg.errors}
    pg.close()
    return made


def test_copy_link_gives_the_address_of_the_session(session_link):
    assert session_link["shared"] == session_link["url"]
    assert "tokens=" in session_link["url"] and len(session_link["chosen"]) == 6
    assert session_link["errors"] == []


def test_a_link_reproduces_the_exact_session(engine_browser, session_link):
    pg = Playground(engine_browser, session_link["url"])
    assert pg.locator('[data-role="prompt"]').input_value() == session_link["prompt"]
    assert any("6 chosen tokens" in note for note in pg.notices())
    pg.run()
    assert pg.chosen() == session_link["chosen"]
    assert pg.bars() == session_link["bars"] and len(pg.bars()) == 7
    assert {n: pg.param(n) for n in session_link["params"]} == session_link["params"]
    assert session_link["params"]["logit_bias"] == "11:1, 13:-2.5"  # ids in ascending order
    assert pg.locator('[data-role="seed"]').input_value() == session_link["seed"] == "42"
    assert pg.locator("#playground-order").input_value() == "llama.cpp"
    assert pg.page.url == session_link["url"]  # and the page writes back the same address
    assert pg.errors == []
    pg.close()


def test_state_text_round_trips_exactly(engine_browser, site_url):
    """writeState then readState, in the page's own module, for awkward values."""
    pg = Playground(engine_browser, site_url + "credits.html")
    states = [
        {"prompt": "", "tokens": [], "params": {}, "seed": 0, "top": 10},
        {"prompt": "a+b=c&d#e%f?g\u0000\u202eRTL\U0001F600", "tokens": [0, 50256, 13],
         "params": {"temperature": 0.1 + 0.2, "top_p": 1e-7, "typical_p": 0.3333333333333333,
                    "presence_penalty": -2, "logit_bias": {"50256": -100, "0": 1e-300}, "order": "llama.cpp"},
         "seed": 9007199254740991, "top": 50},
        {"prompt": "Hi", "tokens": [], "params": {}, "seed": "18446744073709551615", "top": 10},
    ]
    out = pg.evaluate("""async ([path, states]) => {
        const { readState, writeState } = await import(new URL(path, document.baseURI).href);
        return states.map((s) => { const text = writeState(s); return [text, readState('#' + text, { vocab: 50257 })]; });
    }""", [STATE_MODULE, states])
    for state, (text, read) in zip(states, out):
        assert read["ignored"] == []
        got = read["state"]
        assert got["prompt"] == state["prompt"] and got.get("tokens", []) == state["tokens"]
        assert got["seed"] == state["seed"] and got.get("top", 10) == state["top"]
        assert got["params"] == state["params"], text
    pg.close()


HOSTILE = {
    "temperature": "abc", "top_k": "-1", "top_p": "2", "min_p": "0.1", "typical_p": "0",
    "epsilon": "NaN", "eta": "Infinity", "top_n_sigma": "1e999", "repetition_penalty": "0",
    "presence_penalty": "3", "frequency_penalty": "0x10", "no_repeat_ngram_size": "2.5",
    "logit_bias": "999999:1", "order": "<script>", "seed": "-5", "top": "1000",
    "tokens": "1,2,50257", "prompt": '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>',
}


def test_hostile_parameters_are_ignored_one_by_one(engine_browser, site_url):
    hash_ = "&".join(f"{k}={quote(v)}" for k, v in HOSTILE.items()) + "&%E0%A4%A&=&&temperature"
    pg = Playground(engine_browser, site_url + "playground.html#" + hash_)
    notes = " | ".join(pg.notices())
    for field in ["Temperature", "Top-k", "Top-p", "Typical-p", "Epsilon", "Eta", "Top-nσ", "Repetition penalty",
                  "Presence penalty", "Frequency penalty", "No-repeat n-gram", "Logit bias", "order", "Seed", "top",
                  "tokens"]:
        assert field in notes, field
    # The valid field applies; the rest keep their defaults.
    assert pg.param("min_p") == "0.1" and pg.param("temperature") == "1" and pg.param("top_k") == "0"
    assert pg.locator('[data-role="prompt"]').input_value() == HOSTILE["prompt"]
    pg.run()
    assert pg.evaluate("() => window.__pwned") is None
    assert pg.evaluate("() => document.querySelectorAll('#playground img, #playground script').length") == 0
    pg.click("greedy")
    assert len(pg.chosen()) == 1
    assert pg.errors == []
    pg.close()


def test_a_garbled_hash_still_gives_a_working_page(engine_browser, site_url):
    pg = Playground(engine_browser, site_url + "playground.html#%ZZ%%;;&&==&prompt=%E0%A4")
    # Bytes that are not UTF-8 decode to U+FFFD, as URLSearchParams does everywhere.
    assert pg.locator('[data-role="prompt"]').input_value() == "\ufffd"
    assert pg.notices() == [] and pg.button("run").is_enabled() and pg.errors == []
    pg.close()


FIELDS = """() => { const q = (role) => document.querySelector(`#playground [data-role=${role}]`);
    return [q('prompt').value, q('count').value, document.querySelector('#playground select[data-role=top]').value,
            q('colour').checked,
            document.querySelector('#playground .pg-text')?.classList.contains('pg-surprisal') ?? false]; }"""


def test_a_reload_shows_the_links_state_not_remembered_form_values(engine_browser, site_url):
    """Firefox restores a reloaded page's form values, at times after the page has set them
    from its link: the prompt, the token count and the bar count are the link's (or the
    defaults) after a reload, and the text's colouring follows the colour box."""
    pg = Playground(engine_browser, site_url + "playground.html#prompt=" + quote("from the link") + "&top=7")
    assert pg.evaluate(FIELDS) == ["from the link", "20", "7", False, False]
    pg.evaluate("""() => { const q = (role) => document.querySelector(`#playground [data-role=${role}]`);
        q('prompt').value = 'typed'; q('count').value = '7'; document.querySelector('#playground select[data-role=top]').value = '30'; q('colour').checked = true;
        window.__before = true; setTimeout(() => location.reload(), 50); }""")
    pg.page.wait_for("() => !window.__before && document.readyState === 'complete'")
    pg.page.wait_until_settled()
    prompt, count, top, colour, coloured = pg.evaluate(FIELDS)
    assert [prompt, count, top] == ["from the link", "20", "7"]
    assert coloured == colour
    pg.close()
