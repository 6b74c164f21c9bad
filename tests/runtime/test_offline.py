"""Offline, in every engine: after one visit that loaded the model, the site works with no
network at all."""
from tests.runtime.server import SiteServer

PROMPT = "Once upon a time"
GREEDY = "(p) => window.nexttoken.generate(p, {max_new_tokens: 5, temperature: 0}).then((r) => r.ids)"


def test_second_visit_works_offline(tab, site):
    server = SiteServer(site)
    try:
        tab.open(server.url)
        online_info = tab.evaluate("() => window.nexttoken.load()")
        online = tab.evaluate(GREEDY, PROMPT)
    finally:
        server.stop()
    # The server is gone: the page, the runtimes, the Python and the model all come from storage.
    tab.reload()
    tab.wait_until_isolated()
    info = tab.evaluate("() => window.nexttoken.load()")
    offline = tab.evaluate(GREEDY, PROMPT)
    assert offline == online
    assert info == online_info and info["isolated"]
    assert tab.evaluate("document.title") != ""
    assert tab.errors == []
