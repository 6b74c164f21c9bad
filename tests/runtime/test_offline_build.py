"""Offline, the service worker answers with its own build's pages: never with a newer build's
page that the browser's HTTP cache still holds (say the reader saw a deploy's page, and its
worker failed to install, before going offline). Such a page would be a mix: the new build's
HTML and scripts, the old build's stored files."""
from export.site.manifest import read_manifest
from tests.runtime.conftest import BUILD
from tests.runtime.server import SiteServer

PAGES = ("playground.html", "credits.html", "embed.html", "")


def test_offline_pages_are_the_workers_build_not_what_the_http_cache_holds(visit, site, tiny_site, tmp_path):
    old, new = read_manifest(site)["build_id"], read_manifest(tiny_site)["build_id"]
    assert old != new
    current = tmp_path / "nexttoken"
    current.symlink_to(site, target_is_directory=True)
    # Cacheable answers, as a static host sends them (GitHub Pages: max-age=600).
    with SiteServer(tmp_path, headers={"Cache-Control": "max-age=3600"}) as server:
        visit.open(server.url + "nexttoken/")
        visit.page.wait_for_function(f"""() => navigator.serviceWorker.controller?.scriptURL
            .endsWith("build={old}")""")
        current.unlink()
        current.symlink_to(tiny_site, target_is_directory=True)
        # The new deploy's pages reach the HTTP cache (fetched through the old worker).
        fetched = visit.evaluate("""async (pages) => Promise.all(pages.map(async (page) => {
            const html = await (await fetch(page, {cache: "reload"})).text();
            return html.match(/data-build="([^"]+)"/)[1];
        }))""", list(PAGES))
        assert fetched == [new] * len(PAGES)
        server.stop()
        offline = {}
        for page in PAGES:
            visit.page.goto(server.url + "nexttoken/" + page)
            offline[page] = visit.evaluate(BUILD)
    assert offline == {page: old for page in PAGES}
