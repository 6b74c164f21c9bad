"""Hosting: a plain static server (no special headers) still gives a cross-origin-isolated,
multithreaded page through the service worker; the site works under a project subpath, as on
GitHub Pages; inside a third-party frame it falls back to one thread and still generates."""
from export.site.server import serving
from tests.runtime.server import SiteServer

PROMPT = "The quick brown fox"

# Import a script from another origin and report what the Content-Security-Policy did.
FOREIGN_IMPORT = """async (url) => {
    const violations = [];
    self.addEventListener("securitypolicyviolation", (e) => violations.push(e.effectiveDirective));
    const outcome = await import(url).then(() => "ran", () => "blocked");
    await new Promise((resolve) => setTimeout(resolve, 200));
    return {outcome, violations};
}"""


def test_plain_static_server_gives_isolation_and_threads(visit, site, tmp_path):
    with SiteServer(site) as server:
        page = visit.open(server.url)
        page.evaluate("""() => {
            window.longTasks = [];
            new PerformanceObserver((list) => window.longTasks.push(...list.getEntries().map((e) => e.duration)))
                .observe({type: "longtask"});
        }""")
        info = visit.load()
        ids = visit.greedy(PROMPT, 10)
        long_tasks = page.evaluate("window.longTasks")
        assert page.evaluate("window.nexttoken.info") == info
        foreign = check_foreign_script(visit, tmp_path)
    # Chromium has JSPI: onnxruntime's JSPI build reads the weights from the stored files.
    assert info == {"backend": "wasm", "ortBuild": "jspi", "variant": "int8", "lazyWeights": True, "threads": 2, "isolated": True}
    assert len(ids) == 10
    # The main thread only passes messages: everything heavy runs in workers.
    assert long_tasks == []
    # The CSP blocked nothing the site needs (Chromium logs every violation as an error)...
    assert visit.errors == [error for error in visit.errors if "evil.js" in error]
    # ...and blocks scripts from elsewhere, in the page and in the engine's worker.
    blocked = {"outcome": "blocked", "violations": ["script-src-elem"]}
    assert foreign == {"page": blocked, "worker": blocked}


def check_foreign_script(visit, tmp_path):
    """Try to import a script that another origin serves with every header that would allow it."""
    (tmp_path / "evil.js").write_text("globalThis.evil = true;\n")
    allow = {"Access-Control-Allow-Origin": "*", "Cross-Origin-Resource-Policy": "cross-origin"}
    with serving(tmp_path, headers=allow) as other:
        url = other.replace("127.0.0.1", "localhost") + "evil.js"
        engine = next(w for w in visit.page.workers if w.url.endswith("/runtime/worker.js"))
        return {"page": visit.evaluate(FOREIGN_IMPORT, url), "worker": engine.evaluate(FOREIGN_IMPORT, url)}


def test_site_works_under_a_project_subpath(visit, site, tmp_path):
    (tmp_path / "nexttoken").symlink_to(site, target_is_directory=True)
    with SiteServer(tmp_path) as server:
        base = server.url + "nexttoken/"
        page = visit.open(base)
        scope = page.evaluate("navigator.serviceWorker.getRegistration().then((r) => r.scope)")
        info = visit.load()
        ids = visit.greedy(PROMPT)
    assert scope == base
    assert info["isolated"] and info["threads"] > 1
    assert len(ids) == 5
    # blob: URLs of this origin are the runtimes' verified module scripts (runtime/fetch.js).
    assert [u for u in visit.requests if not u.startswith((base, "blob:" + server.url))] == []
    assert visit.errors == []


def test_third_party_frame_falls_back_to_one_thread(visit, site, tmp_path):
    with SiteServer(site) as server:
        (tmp_path / "embed.html").write_text(f'<!doctype html><title>embed</title><link rel="icon" href="data:,">'
                                             f'<iframe src="{server.url}" width="800" height="600"></iframe>')
        with SiteServer(tmp_path) as host:
            # "localhost", not 127.0.0.1: another site, so the frame is third-party
            visit.page.goto(host.url.replace("127.0.0.1", "localhost") + "embed.html")
            frame = visit.page.wait_for_selector("iframe").content_frame()
            frame.wait_for_function("() => typeof window.nexttoken === 'object'")
            info = frame.evaluate("window.nexttoken.load()")
            ids = frame.evaluate("window.nexttoken.generate('Hello', {max_new_tokens: 3, temperature: 0})")["ids"]
            reloads = frame.evaluate("performance.getEntriesByType('navigation')[0].type")
    # This Chromium refuses a third-party frame the Cache API, so nothing was stored: the JSPI
    # build gets the downloaded bytes, as the plain build does.
    assert info == {"backend": "wasm", "ortBuild": "jspi", "variant": "int8", "lazyWeights": False, "threads": 1, "isolated": False}
    assert len(ids) == 3
    assert reloads == "navigate"  # the frame was not reloaded in a vain hope of isolation
    assert visit.errors == []
