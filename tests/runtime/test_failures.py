"""Failures are plain sentences in the page: a missing file is retried, then reported; a
stalled download is retried; a file that does not match the manifest is reported; a runtime
whose start-up never ends is given up with a sentence; Cancel stops a download and a new load
then works; a worker that stops answering is replaced."""
import time

from export.site.manifest import read_manifest
from tests.runtime.conftest import Visit, on_each_worker, render_loader
from tests.runtime.server import SiteServer

FAST_RETRIES = {"retries": 2, "retryDelaySeconds": 0.1}


def model_file(manifest):
    """A shard in the middle of the weights."""
    return manifest["onnx"]["external_data"]["shards"][1]


def test_a_missing_file_is_retried_then_reported_in_the_page(visit, site):
    manifest = read_manifest(site)
    path = model_file(manifest)
    with SiteServer(site) as server:
        server.fail(path, "status", status=404)
        visit.open(server.url)
        loader = visit.mount_loader(render_loader(manifest, FAST_RETRIES))
        loader.locator("[data-loader-start]").click()
        status = loader.locator("[data-loader-status]")
        visit.page.wait_for_function("(el) => el.textContent.startsWith('Could not download')", arg=status.element_handle())
        attempts = server.requests_for(path)
        text = status.text_content()
        button = loader.locator("[data-loader-start]")
        assert button.is_visible() and button.text_content() == "Try again"
    assert attempts == 3  # the first try and two retries
    assert path in text and "HTTP 404" in text and "3 attempts" in text


def test_a_stalled_download_is_retried(visit, site):
    path = model_file(read_manifest(site))
    with SiteServer(site) as server:
        server.fail(path, "stall", times=1)
        visit.open(server.url)
        info = visit.load({"stallSeconds": 2, "retryDelaySeconds": 0.1})
        ids = visit.greedy("Hello", 3)
        attempts = server.requests_for(path)
    assert info["threads"] > 1 and len(ids) == 3
    assert attempts == 2
    assert any("no data arrived for 2 s; retrying" in w for w in visit.warnings)


STARTED_AGAIN = "Starting the engine got stuck, so it was started again."
NOTICES = "() => { window.__notices = []; window.nexttoken.onNotice((n) => window.__notices.push(n.message)); }"
# Pyodide's WASM never finishes instantiating: what a start-up that never ends looks like.
STUCK = "() => { WebAssembly.instantiateStreaming = () => new Promise(() => {}); }"


def stuck_start(browser, site, times):
    """Load with Python's start-up never ending in the first ``times`` workers (None: every
    one), and no service worker: each worker is made stuck when it asks for
    manifest.json, before it starts anything. (load's outcome, notices, requests for
    pyodide.mjs, the state after)."""
    path = read_manifest(site)["runtimes"]["pyodide"] + "pyodide.mjs"
    context = browser.new_context(service_workers="block")
    try:
        with SiteServer(site) as server:
            visit = Visit(context)
            on_each_worker(context, visit, STUCK, times=times)
            visit.open(server.url, isolated=False)
            visit.evaluate(NOTICES)
            outcome = visit.load_error({"startUpSeconds": 3})
            return (outcome, visit.evaluate("() => window.__notices"), server.requests_for(path),
                    visit.evaluate("window.nexttoken.state"))
    finally:
        context.close()


def test_a_stuck_start_up_is_tried_again_in_a_fresh_engine(browser, site):
    outcome, notices, requests, state = stuck_start(browser, site, times=1)
    assert outcome == {"message": "loaded", "code": None} and state == "ready"
    assert STARTED_AGAIN in notices
    assert requests == 1  # downloaded and verified once; the fresh worker reads it from storage


def test_a_start_up_stuck_twice_is_given_up_with_a_sentence(browser, site):
    outcome, notices, requests, state = stuck_start(browser, site, times=None)
    assert outcome == {"code": "startup", "message": "Starting Python took over 3 s, so it was "
                       "given up. Reload the page and press Run again."}
    assert STARTED_AGAIN in notices and requests == 1 and state == "failed"


# A worker whose thread has stopped, as Firefox's sometimes does while onnxruntime starts its
# threads (api.js): a busy loop, so nothing it queued (its loads, its time limits) ever runs.
FREEZE = "() => { setTimeout(() => { for (;;) {} }, 0); }"
STOPPED_AGAIN = "The engine stopped answering while it started, so it was started again on one thread"
START = """(o) => { window.__outcome = null; window.nexttoken.load(o).then(
    (info) => { window.__outcome = {message: 'loaded', code: null, threads: info.threads}; },
    (e) => { window.__outcome = {message: e.message, code: e.code ?? null}; }); }"""


# Long enough for a healthy worker's longest synchronous start-up step on a busy machine.
UNRESPONSIVE = 10


def load_freezing_workers(visit, freeze, seconds=180, cancel=False):
    """Load, freezing the first ``freeze`` workers as soon as each starts (Playwright's handle
    on a dedicated worker), and pressing Cancel once the first is frozen when ``cancel``; the
    load's outcome and how many workers were frozen."""
    frozen = set()
    visit.evaluate(START, {"unresponsiveSeconds": UNRESPONSIVE})
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for worker in visit.page.workers:
            if worker.url.endswith("runtime/worker.js") and worker not in frozen and len(frozen) < freeze:
                worker.evaluate(FREEZE)
                frozen.add(worker)
                if cancel:
                    time.sleep(0.5)  # the busy loop has begun: the worker never sees the cancel
                    visit.evaluate("() => window.nexttoken.cancel()")
        outcome = visit.evaluate("() => window.__outcome")
        if outcome:
            return outcome, len(frozen)
        time.sleep(0.05)
    raise AssertionError(f"the load never ended ({len(frozen)} workers frozen)")


def test_a_worker_that_stops_answering_is_replaced_by_a_fresh_one(visit, site):
    with SiteServer(site) as server:
        visit.open(server.url)
        visit.evaluate(NOTICES)
        outcome, frozen = load_freezing_workers(visit, freeze=1)
        ids = visit.greedy("Hello", 3)
        notices = visit.evaluate("() => window.__notices")
    assert frozen == 1 and outcome == {"message": "loaded", "code": None, "threads": 1}
    assert any(n.startswith(STOPPED_AGAIN) for n in notices) and len(ids) == 3


def test_a_worker_that_stops_answering_twice_is_given_up_and_run_works_again(visit, site):
    with SiteServer(site) as server:
        visit.open(server.url)
        visit.evaluate(NOTICES)
        outcome, frozen = load_freezing_workers(visit, freeze=2)
        state = visit.evaluate("window.nexttoken.state")
        again = visit.load()  # what Run does next: a fresh worker, which answers
    assert frozen == 2 and state == "failed"
    assert outcome == {"code": "unresponsive", "message": "The engine did not answer for 10 s while "
                       "loading, so it was given up. Reload the page and press Run again."}
    assert again["threads"] > 1


def test_cancel_while_the_worker_is_frozen_ends_the_load_without_a_restart(visit, site):
    with SiteServer(site) as server:
        visit.open(server.url)
        visit.evaluate(NOTICES)
        outcome, frozen = load_freezing_workers(visit, freeze=2, cancel=True)
        notices = visit.evaluate("() => window.__notices")
    assert frozen == 1 and outcome == {"code": "cancelled", "message": "Loading cancelled."}
    assert not any(n.startswith(STOPPED_AGAIN) for n in notices)


def test_one_thread_when_asked_on_an_isolated_page(visit, site):
    """What api.js asks of a fresh engine after a start-up on several threads got stuck (the
    Firefox case in runtime/loader.js): one thread, with no claim that the browser lacks them."""
    with SiteServer(site) as server:
        visit.open(server.url)
        visit.evaluate(NOTICES)
        info = visit.load({"threads": 1})
        ids = visit.greedy("Hello", 3)
        notices = visit.evaluate("() => window.__notices")
    assert info["threads"] == 1 and info["isolated"] is True and len(ids) == 3
    assert not any(n.startswith("Running on 1 thread") for n in notices), notices


def test_a_file_that_does_not_match_the_manifest_is_reported(visit, site):
    path = model_file(read_manifest(site))
    with SiteServer(site) as server:
        server.fail(path, "corrupt")
        visit.open(server.url)
        failure = visit.load_error({"retries": 1, "retryDelaySeconds": 0.1})
    assert failure["code"] == "mismatch"
    assert path in failure["message"] and "does not match" in failure["message"]


def test_cancel_stops_the_download_and_a_new_load_works(visit, site):
    manifest = read_manifest(site)
    path = model_file(manifest)
    with SiteServer(site) as server:
        server.fail(path, "slow")
        visit.open(server.url)
        loader = visit.mount_loader(render_loader(manifest))
        status = loader.locator("[data-loader-status]").element_handle()
        loader.locator("[data-loader-start]").click()
        # Some bytes are in (the slowed shard cannot be: it takes over ten seconds).
        visit.page.wait_for_function("(el) => /^Downloading: (?!0\\.0 )[\\d.]+ of /.test(el.textContent)", arg=status)
        bar = loader.locator("[data-loader-bar]")
        assert bar.is_visible() and visit.evaluate("(el) => el.value > 0", bar.element_handle())
        loader.locator("[data-loader-cancel]").click()
        visit.page.wait_for_function("(el) => el.textContent === 'Loading cancelled.'", arg=status)
        assert visit.evaluate("window.nexttoken.state") == "failed"
        assert not loader.locator("[data-loader-cancel]").is_visible()
        server.faults.clear()
        loader.locator("[data-loader-start]").click()
        visit.page.wait_for_function("(el) => el.textContent.startsWith('GPT-2 is ready')", arg=status)
        ready = status.text_content()
    assert "2 threads" in ready
