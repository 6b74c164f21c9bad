"""Cold loads as an impatient reader makes them: open the playground in a fresh profile and press
Run at once, before the service worker's one-time isolation reload has happened or been given
up, many times over. Every load must end (ready, or a sentence saying what failed), never stay
"loading": Firefox used to stop for good in about one such load in three, when onnxruntime's
session on several threads was never created (docs/runtime.md)."""
import time

from export.site.manifest import read_manifest
from tests.engines.page import EngineError

# Firefox is where the stall showed; the other engines take fewer rounds of the same path.
ROUNDS = {"firefox": 4, "chromium": 2, "webkit": 2}
# A stalled download is retried after 20 s without data (runtime/fetch.js), so a load that is
# making progress never needs more than this on a busy machine; a stuck one never ends.
LOAD_SECONDS = 240

STATE = """() => [window.nexttoken?.state ?? null,
    document.querySelector('#playground [data-role=status]')?.textContent ?? '']"""


def press_run_at_once(tab, url):
    """Go to the page and press Run as soon as there is a button (the isolation reload may
    replace the page under the click: then press it again on the new page)."""
    tab.goto(url)
    for _ in range(20):
        try:
            tab.click("#playground [data-action=run]")
            # Before the page's modules run, a click does nothing (and there is no nexttoken yet)
            if tab.evaluate("() => window.nexttoken?.state ?? 'idle'") != "idle":
                return
        except EngineError:
            pass  # the page was replaced under the click
        time.sleep(0.25)
    raise AssertionError("Run never started a load")


def finish(tab):
    deadline = time.monotonic() + LOAD_SECONDS
    state = None
    while time.monotonic() < deadline:
        try:
            state = tab.evaluate(STATE)
        except EngineError:
            state = None  # a reload in between
        if state and state[0] in ("ready", "failed"):
            return state
        time.sleep(1)
    raise AssertionError(f"{tab.engine}: the load never ended; last state and status: {state}")


def test_cold_loads_started_at_once_always_end(engine_browser, site_url):
    for round_ in range(ROUNDS[engine_browser.engine]):
        tab = engine_browser.new_page()  # a fresh profile: nothing stored, no service worker yet
        try:
            press_run_at_once(tab, site_url + "playground.html")
            state, status = finish(tab)
            assert state == "ready", f"round {round_ + 1}: {status}"
            tab.wait_for("(root) => !document.querySelector(root).hasAttribute('data-busy')", "#playground")
            assert tab.text("#playground [data-role=status]").startswith("Ready"), f"round {round_ + 1}"
        finally:
            tab.close()


# A Cache API that never answers (what a stuck storage looks like to the page): every call pends.
HANGING_STORAGE = """() => {
    const never = () => new Promise(() => {});
    CacheStorage.prototype.open = async () => ({match: never, put: never, delete: never, keys: never});
}"""

DOWNLOAD = """async ([paths, seconds]) => {
    const {Downloader, fetchManifest, sha256Hex} = await import(new URL("assets/js/runtime/fetch.js", document.baseURI).href);
    const downloader = new Downloader(await fetchManifest(), {stallMs: 1000});
    const hashes = downloader.fetchAll(paths).then((files) => Promise.all([...files.values()].map(sha256Hex)));
    return Promise.race([hashes, new Promise((resolve) => setTimeout(resolve, seconds * 1000, "still waiting"))]);
}"""


def test_storage_that_never_answers_does_not_stop_a_download(tab, site_url, tiny_site):
    """The engine's downloads read and write the Cache API; when it hangs, they go on without it."""
    manifest = read_manifest(tiny_site)
    paths = [manifest["tokenizer"]["merges"], manifest["onnx"]["model"]]
    tab.open(site_url + "credits.html")
    tab.evaluate(HANGING_STORAGE)
    assert tab.evaluate(DOWNLOAD, [paths, 30]) == [manifest["files"][p]["sha256"] for p in paths]
