"""The bytes that run are the bytes that were verified, downloaded once: with the service worker
blocked and no HTTP cache (a hard reload, a private window), and with storage full under the
real engine worker and service worker, where the page runs from the network and says the model
will download again next time."""
import pytest

from export.site.manifest import read_manifest
from tests.runtime.conftest import Visit
from tests.runtime.server import SiteServer


def listed(manifest):
    return {**manifest["files"], **manifest["runtimes"]["files"]}


def fetched_twice(server, manifest):
    """Listed files the server was asked for more than once (module scripts apart: see below)."""
    counts = {path: server.requests_for(path) for path in listed(manifest)}
    assert all(counts.values()), {p: n for p, n in counts.items() if not n}
    # Module scripts (pyodide.mjs, pyodide.asm.mjs, ort.wasm.min.mjs, ort-wasm-simd-threaded.mjs)
    # are imported by URL: docs/runtime.md, "Storage", says where they come from.
    return {path: n for path, n in counts.items() if n > 1 and not path.endswith(".mjs")}


@pytest.fixture
def no_service_worker(browser):
    context = browser.new_context(service_workers="block")
    yield Visit(context)
    context.close()


def test_each_file_is_downloaded_once_without_a_service_worker(no_service_worker, site):
    visit, manifest = no_service_worker, read_manifest(site)
    with SiteServer(site) as server:
        page = visit.open(server.url, isolated=False)
        visit.context.new_cdp_session(page).send("Network.setCacheDisabled", {"cacheDisabled": True})
        visit.load()
        ids = visit.greedy("Hello", 3)
        twice = fetched_twice(server, manifest)
    assert twice == {}
    assert len(ids) == 3
    assert visit.errors == []


def test_storage_full_runs_from_the_network_with_a_notice(browser, site):
    # Chromium only: the quota comes from the DevTools protocol. It is set before the site's
    # first request, so the page, its engine worker and its service worker all have it.
    manifest = read_manifest(site)
    context = browser.new_context()
    try:
        visit = Visit(context)
        with SiteServer(site) as server:
            cdp = context.new_cdp_session(visit.page)
            cdp.send("Storage.overrideQuotaForOrigin", {"origin": server.url.rstrip("/"), "quotaSize": 3_000_000})
            visit.open(server.url)
            visit.evaluate("() => { window.notices = []; window.nexttoken.onNotice((n) => window.notices.push(n)); }")
            info = visit.load()
            ids = visit.greedy("Hello", 3)
            notices = visit.evaluate("() => window.notices")
            twice = fetched_twice(server, manifest)
    finally:
        context.close()
    assert [n["code"] for n in notices] == ["storage-full"]
    assert "download again on your next visit" in notices[0]["message"]
    assert info["isolated"] and len(ids) == 3
    assert twice == {}
