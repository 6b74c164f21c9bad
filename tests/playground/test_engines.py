"""The playground in every browser engine (Chromium, Firefox, WebKit: tests/engines): a long
Generate runs under the engine's own history.replaceState limit (WebKit throws after 100 calls
in 10 s), and "Copy link" then gives the same session."""
from urllib.parse import parse_qs, urlsplit

from tests.engines.page import TIMEOUT
from tests.playground.test_history import wait_for_run

ROOT = "#playground"
STATUS = f"{ROOT} [data-role=status]"
CHOSEN = f"{ROOT} [data-role=output] .new-token"


def chosen(tab):
    return tab.evaluate("(s) => [...document.querySelectorAll(s)].map((c) => Number(c.dataset.id))", CHOSEN)


def run(tab):
    tab.click(f'{ROOT} [data-action="run"]')  # moves the controller out of idle at once
    wait_for_run(lambda: tab.evaluate("() => document.querySelector('#playground').dataset.state"),
                 lambda: tab.text(STATUS), stall=TIMEOUT)
    assert tab.text(STATUS).startswith(("Ready", "Replayed")), tab.text(STATUS)


def test_generate_300_then_copy_link_gives_the_same_text(engine_browser, site_url):
    tab = engine_browser.new_page()
    tab.open(site_url + "playground.html")
    tab.fill(f"{ROOT} [data-role=prompt]", "Once upon a time")
    run(tab)
    tab.fill(f"{ROOT} [data-role=count]", "300")
    tab.click(f'{ROOT} [data-action="generate"]')
    wait_for_run(lambda: tab.evaluate("() => document.querySelector('#playground').dataset.state"),
                 lambda: tab.text(STATUS))
    assert tab.text(STATUS).startswith("Generated 300 tokens"), tab.text(STATUS)
    ids = chosen(tab)  # on screen: the chips before the tiny model's 128-token window fold away
    tab.click(f'{ROOT} [data-action="link"]')
    shared = tab.value(f"{ROOT} [data-role=share] textarea")
    assert tab.url == shared  # the address bar is the session once the run ended
    tokens = parse_qs(urlsplit(shared).fragment)["tokens"][0].split(",")
    assert len(tokens) == 300 and tokens[-len(ids):] == [str(i) for i in ids]
    tab.close()

    again = engine_browser.new_page()
    again.open(shared)
    run(again)
    assert chosen(again) == ids and again.url == shared
    again.close()
