"""Offline: after one visit that loaded the model, the site works with no network at all."""
from tests.runtime.server import SiteServer

PROMPT = "Once upon a time"


def test_second_visit_works_offline(visit, site):
    server = SiteServer(site)
    try:
        page = visit.open(server.url)
        visit.load()
        online = visit.greedy(PROMPT)
    finally:
        server.stop()
    # The server is gone: the page, the runtimes, the Python and the model all come from storage.
    page.reload()
    visit.wait_until_isolated()
    info = visit.load()
    offline = visit.greedy(PROMPT)
    assert offline == online
    assert info["isolated"] and info["threads"] > 1
    assert page.title() != ""
    assert visit.errors == []
