"""Bad input in the browser: a 10,000-character prompt, control and binary characters, emoji,
right-to-left text, text that looks like HTML or script, lone surrogates. One loaded page."""
import pytest

from tests.playground.page import Playground

N_CTX = 128


@pytest.fixture(scope="module")
def pg(engine_browser, site_url):
    playground = Playground(engine_browser, site_url + "playground.html")
    playground.run("Hello")
    yield playground
    playground.close()


def run_with(pg, text):
    """Put `text` in the prompt as a script would (fill() cannot type NUL or lone surrogates)."""
    pg.evaluate("(text) => { document.querySelector('#playground [data-role=prompt]').value = text; }", text)
    pg.click("run")
    assert pg.status().startswith("Ready"), pg.status()


def test_a_10000_character_prompt_keeps_the_last_tokens_that_fit(pg, worker_api):
    prompt = ("Words upon words, and then some more words. " * 250)[:10_000]
    run_with(pg, prompt)
    ids = worker_api.tokenizer.encode(prompt)
    assert len(ids) > N_CTX
    assert any(f"{len(ids):,} tokens long" in n and "last 128 tokens" in n for n in pg.notices())
    fold = pg.locator(".pg-outside-fold")
    assert fold.is_visible() and f"{len(ids) - N_CTX:,} earlier tokens" in fold.text_content()
    assert [c["id"] for c in pg.chips()] == ids[-N_CTX:]
    pg.click("greedy")  # the window is full: the next token slides it
    assert any("slid out" in n for n in pg.notices())
    assert len(pg.chosen()) == 1 and pg.errors == []


def test_control_and_binary_characters(pg, worker_api):
    text = "\x00\x01\x02\x07\x08\x1b[31mred\x7f \ufffe\uffff\u200b\u202e end"
    run_with(pg, text)
    chips = pg.chips()
    assert [c["id"] for c in chips] == worker_api.tokenizer.encode(text)
    shown = "".join(c["text"] for c in chips)
    assert "␀" in shown and "␛" in shown and "\x00" not in shown
    pg.click("sample")
    assert len(pg.chosen()) == 1 and pg.errors == []


@pytest.mark.parametrize("text", ["Family: 👩‍👩‍👧‍👦, flags 🇫🇷🇯🇵, skin 👋🏽, 🎉🎉",
                                  "שלום עולם, مرحبا بالعالم, and then English again (123)"])
def test_emoji_and_right_to_left_text(pg, worker_api, text):
    run_with(pg, text)
    assert [c["id"] for c in pg.chips()] == worker_api.tokenizer.encode(text)
    pg.click("greedy")
    assert len(pg.chosen()) == 1
    # Chips isolate their direction, so right-to-left tokens cannot reorder the others.
    assert pg.evaluate("() => getComputedStyle(document.querySelector('#playground .chip')).unicodeBidi") == "isolate"
    assert pg.errors == []


HOSTILE = ('<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script><b>bold</b>'
           '<svg onload="window.__pwned=3"></svg>"><iframe srcdoc="<script>parent.__pwned=4</script>"></iframe>'
           "{{ 7*7 }} ${7*7} &lt;&amp;")


def test_text_that_looks_like_html_stays_text(pg, worker_api):
    run_with(pg, HOSTILE)
    pg.locator('[data-role="count"]').fill("3")
    pg.click("generate")
    pg.locator(".new-token").first.focus()
    pg.click("link")
    assert pg.evaluate("() => window.__pwned") is None
    assert pg.evaluate("() => document.querySelectorAll("
                       "'#playground img, #playground script, #playground b, #playground svg, #playground iframe').length") == 0
    chips = pg.chips()
    assert [c["id"] for c in chips][:-3] == worker_api.tokenizer.encode(HOSTILE)
    assert "<img" in "".join(c["text"] for c in chips)
    assert "prompt=%3Cimg" in pg.locator('[data-role="share"] textarea').input_value()
    assert pg.errors == []


def test_a_lone_surrogate_becomes_a_replacement_character(pg, worker_api):
    run_with(pg, "\ud800abc\udc00")
    assert [c["id"] for c in pg.chips()] == worker_api.tokenizer.encode("\ufffdabc\ufffd")
    assert pg.errors == []
