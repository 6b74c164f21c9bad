"""The address bar under the browsers' history limits, and links that replay safely: a long
Generate keeps going and its link gives the same text, a replay can be stopped or fail without
losing the link's tokens, a link longer than the limit keeps its last tokens, and an anchor
("Skip to content") does not reload the page."""
import time
from urllib.parse import parse_qs, quote, urlsplit

from tests.playground.page import Playground

# history.replaceState as WebKit limits it: SecurityError after 100 calls in 10 s. Records the
# time of every call in window.__writes.
WEBKIT_HISTORY = """
(() => {
  const replace = History.prototype.replaceState;
  window.__writes = [];
  History.prototype.replaceState = function (...args) {
    const now = performance.now();
    window.__writes.push(now);
    if (window.__writes.filter((t) => now - t < 10000).length > 100) {
      throw new DOMException("Attempt to use history.replaceState() more than 100 times per 10 seconds", "SecurityError");
    }
    return replace.apply(this, args);
  };
})();
"""

# The engine worker refuses the second "replay" message (a replay that fails half-way).
FAIL_SECOND_REPLAY = """
(() => {
  const post = Worker.prototype.postMessage;
  let replays = 0;
  Worker.prototype.postMessage = function (message, ...rest) {
    if (message?.type === "replay" && ++replays === 2) throw new Error("the engine refused the replay (test)");
    return post.call(this, message, ...rest);
  };
})();
"""

IDS = [100 + (i * 7919) % 50000 for i in range(400)]


def link_tokens(url):
    tokens = parse_qs(urlsplit(url).fragment).get("tokens", [""])[0]
    return [int(t) for t in tokens.split(",")] if tokens else []


def wait_for_run(state, progress, stall=120):
    """Wait until a long run (hundreds of tokens) ends: as long as it takes while it makes
    progress (a token can take seconds on a loaded machine), failing only when it stalls."""
    last, since = None, time.monotonic()
    while state() != "idle":
        now = progress()
        if now != last:
            last, since = now, time.monotonic()
        assert time.monotonic() - since < stall, f"no progress for {stall} s at {last!r}"
        time.sleep(2)


def most_in_one_second(times):
    return max((sum(1 for u in times if t <= u < t + 1000) for t in times), default=0)


def test_generate_300_then_copy_link_gives_the_same_text(browser, site_url):
    pg = Playground(browser, site_url + "playground.html", init_script=WEBKIT_HISTORY)
    pg.run("Once upon a time")
    pg.locator('[data-role="count"]').fill("300")
    pg.button("generate").click()
    wait_for_run(lambda: pg.evaluate("() => document.querySelector('#playground').dataset.state"), pg.status)
    assert pg.status().startswith("Generated 300 tokens"), pg.status()
    # The tiny model reads 128 tokens: the chips before its window fold into one marker.
    chosen, text = pg.chosen(), pg.texts()
    shared = pg.shared_link()
    assert len(link_tokens(shared)) == 300 and link_tokens(shared)[-len(chosen):] == chosen
    assert pg.page.url == shared  # the address matches at the end
    writes = pg.evaluate("() => window.__writes")
    assert most_in_one_second(writes) <= 5, f"{len(writes)} writes, {most_in_one_second(writes)} in one second"
    assert pg.errors == []
    pg.close()

    again = Playground(browser, shared, init_script=WEBKIT_HISTORY)
    again.button("run").click()
    wait_for_run(lambda: again.evaluate("() => document.querySelector('#playground').dataset.state"), again.status)
    assert again.status().startswith("Replayed 300 tokens from the link"), again.status()
    assert again.chosen() == chosen and again.texts() == text
    assert again.page.url == shared and again.shared_link() == shared and again.errors == []
    again.close()


def test_a_replay_shows_progress_and_stops_without_losing_the_link(browser, site_url):
    url = site_url + "playground.html#prompt=Hello&tokens=" + ",".join(map(str, IDS)) + "&seed=5"
    pg = Playground(browser, url)
    pg.button("run").click()
    pg.page.wait_for_function("() => /Replaying the link's tokens: [1-9]\\d* of 400/.test("
                              "document.querySelector('#playground [data-role=status]').textContent)")
    pg.button("stop").click(timeout=30_000)
    pg.wait_idle()
    made = len(pg.chosen())
    assert 0 < made < 400 and pg.status().startswith(f"Replay stopped after {made} of 400 tokens"), pg.status()
    assert pg.chosen() == IDS[:made]
    assert link_tokens(pg.page.url) == IDS and link_tokens(pg.shared_link()) == IDS
    assert pg.button("stop").is_hidden() and pg.errors == []
    pg.close()


def test_a_failed_replay_keeps_the_links_tokens_and_run_tries_again(browser, site_url):
    ids = IDS[:80]
    url = site_url + "playground.html#prompt=Hello&tokens=" + ",".join(map(str, ids))
    pg = Playground(browser, url, init_script=FAIL_SECOND_REPLAY)
    pg.click("run")
    assert pg.status() == "Error: the engine refused the replay (test)"
    assert link_tokens(pg.page.url) == ids
    pg.click("run")
    assert pg.status().startswith("Replayed 80 tokens from the link"), pg.status()
    assert pg.chosen() == ids and link_tokens(pg.page.url) == ids
    pg.close()


def test_a_link_longer_than_the_limit_keeps_its_last_tokens(browser, site_url):
    ids = [(i * 31) % 50257 for i in range(2100)]
    pg = Playground(browser, site_url + "playground.html#prompt=Hi&tokens=" + ",".join(map(str, ids)))
    notes = pg.notices()
    assert "Ignored from the link: the first 52 of its 2,100 token ids (a link holds the last 2,048)." in notes
    assert "This link holds 2048 chosen tokens: press Run to load GPT-2 and replay them." in notes
    assert link_tokens(pg.shared_link()) == ids[52:]
    # Writing a session longer than a link holds: its earliest tokens join the prompt as text.
    fit = pg.evaluate("""async () => {
        const { fitLink } = await import(new URL('assets/js/playground/state.js', document.baseURI).href);
        const ids = Array.from({ length: 2050 }, (_, i) => i);
        return [fitLink('P:', ids, ids.map((i) => `<${i}>`)), fitLink('P:', [1, 2], ['a', 'b'])];
    }""")
    assert fit[0] == {"prompt": "P:<0><1>", "tokens": list(range(2, 2050)), "folded": 2}
    assert fit[1] == {"prompt": "P:", "tokens": [1, 2], "folded": 0}
    pg.close()


def test_skip_to_content_does_not_reload_the_page(browser, site_url):
    pg = Playground(browser, site_url + "playground.html#prompt=" + quote("Skip me"))
    pg.run()
    pg.click("greedy")
    chosen = pg.chosen()
    pg.evaluate("() => { window.__same_page = true; document.querySelector('a.skip').click(); }")
    pg.page.wait_for_function("() => location.hash.includes('tokens=')", timeout=20_000)
    assert pg.evaluate("() => window.__same_page") is True
    assert pg.chosen() == chosen and link_tokens(pg.page.url) == chosen
    # A pasted link still starts again from it: the page reloads (the hash change is itself a
    # "navigation" to Playwright, so wait for the new document, then for its load event).
    pg.evaluate("() => { location.hash = '#prompt=Pasted'; }")
    pg.page.wait_for_function("() => window.__same_page === undefined")
    pg.page.wait_for_load_state("load")
    assert pg.locator('[data-role="prompt"]').input_value() == "Pasted"
    assert "prompt=Pasted" in pg.page.url and "tokens=" not in pg.page.url
    pg.close()
