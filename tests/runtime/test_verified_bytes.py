"""The bytes that run are the bytes that were verified, downloaded once: with no service worker
(blocked, a private window) and no HTTP cache (a hard reload), in every engine, and with storage
full under the real worker and service worker, where the page runs from the network and
says the model will download again next time."""

from export.model.onnx_runner import OnnxLM
from export.site.manifest import loaded_files, read_manifest
from tests.models import gpt2_tokenizer
from tests.runtime.conftest import Visit
from tests.runtime.server import SiteServer

PROMPT = "Hello"
# Isolated by the server's own headers, as a host that can send them would (docs/runtime.md):
# the model runs on several threads with no service worker. no-store: nothing comes from the
# browser's HTTP cache, so each time a file is fetched the server is asked.
NO_CACHE_ISOLATED = {"Cross-Origin-Opener-Policy": "same-origin", "Cross-Origin-Embedder-Policy": "require-corp",
                     "Cache-Control": "no-store"}


def listed(manifest, info):
    return loaded_files(manifest, info["ortBuild"])  # what that load downloads


def requests_per_file(server, manifest, info):
    """How many times the server was asked for each file the load needs, with or without ?sha256=."""
    return {path: server.requests_for(path) for path in listed(manifest, info)}


def test_each_file_is_downloaded_once_without_a_service_worker(tab, site):
    """Every listed file is asked for once, module scripts too (they run from blob: URLs of the
    verified bytes), and the model on several threads generates what native onnxruntime does."""
    manifest = read_manifest(site)
    with SiteServer(site, headers=NO_CACHE_ISOLATED) as server:
        server.fail("sw.js", "status", status=404)  # registering the service worker fails
        tab.open(server.url, settle=False)
        tab.wait_for("() => document.readyState === 'complete' && window.nexttoken !== undefined")
        tab.evaluate("() => { window.notices = []; window.nexttoken.onNotice((n) => window.notices.push(n.code)); }")
        info = tab.evaluate("() => window.nexttoken.load()")
        ids = tab.evaluate("(p) => window.nexttoken.generate(p, {max_new_tokens: 5, temperature: 0}).then((r) => r.ids)",
                           PROMPT)
        notices = tab.evaluate("() => window.notices")
        counts = requests_per_file(server, manifest, info)
    assert counts == {path: 1 for path in listed(manifest, info)}
    assert ids == OnnxLM(site).greedy(gpt2_tokenizer().encode(PROMPT), 5)
    assert info["isolated"]
    if tab.engine == "webkit":
        assert info["threads"] == 1  # isolated, but WebKitGTK has no SharedArrayBuffer
    elif "restarted" not in notices:  # Firefox's stuck threaded start, restarted on one thread
        assert info["threads"] > 1
    # Only the service worker's own 404, in the browser's words ("A bad HTTP response code (404)
    # was received when fetching the script", "HTTP 404 …/sw.js?build=…").
    assert [e for e in tab.errors if "404" not in e] == []


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
            counts = requests_per_file(server, manifest, info)
    finally:
        context.close()
    assert [n["code"] for n in notices] == ["storage-full"]
    assert info["ortBuild"] == "jspi" and not info["lazyWeights"]  # nothing stored: the downloaded bytes
    assert "download again on your next visit" in notices[0]["message"]
    assert info["isolated"] and len(ids) == 3
    assert counts == {path: 1 for path in listed(manifest, info)}
