"""Headless Chromium for the benchmarks: a fresh profile per measurement, cache clearing,
the benchmark pages' RPC, and the renderer process's peak memory (read from /proc).

A persistent profile (not an incognito context) is used so that caches behave as they do for
a returning visitor: the disk HTTP cache, Cache Storage and OPFS all keep large files.
"""
import contextlib
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from tests.browser import CHROMIUM_ARGS, chromium_path

# Headers that make a page cross-origin isolated, so WASM may use threads.
ISOLATION = {"Cross-Origin-Opener-Policy": "same-origin", "Cross-Origin-Embedder-Policy": "require-corp"}
# measureUserAgentSpecificMemory otherwise waits for a garbage collection, up to 20 s or more.
EXTRA_ARGS = ["--enable-blink-features=ForceEagerMeasureMemory"]
TIMEOUT_MS = 600_000  # loading GPT-2 small on one busy core, several times over, takes a while
LOCAL = ("http://127.0.0.1:", "data:", "blob:", "about:")


@dataclass
class Session:
    context: object   # playwright BrowserContext (persistent profile)
    page: object      # its page
    cdp: object       # a CDP session on the page
    version: str      # Chromium's version
    errors: list      # uncaught errors, console errors, HTTP errors and foreign requests so far


@contextlib.contextmanager
def profile(**options):
    """Yield a ``Session`` in headless Chromium with a new, empty profile; removed on exit."""
    from playwright.sync_api import sync_playwright

    user_data = Path(tempfile.mkdtemp(prefix="nexttoken-bench-profile-"))
    try:
        with sync_playwright() as p:
            context = p.chromium.launch_persistent_context(
                str(user_data), executable_path=chromium_path(), args=CHROMIUM_ARGS + EXTRA_ARGS,
                headless=True, **options)
            try:
                page = context.pages[0] if context.pages else context.new_page()
                page.set_default_timeout(TIMEOUT_MS)
                cdp = context.new_cdp_session(page)
                yield Session(context, page, cdp, _version(cdp), _watch(context, page))
            finally:
                context.close()
    finally:
        shutil.rmtree(user_data, ignore_errors=True)


def _watch(context, page) -> list:
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    # Everything must come from localhost: a request elsewhere is a benchmark bug.
    context.on("request", lambda r: r.url.startswith(LOCAL) or errors.append(f"foreign request {r.url}"))
    page.on("response", lambda r: r.status >= 400 and errors.append(f"HTTP {r.status} {r.url}"))
    page.on("console", lambda m: m.type == "error" and not m.text.startswith("Failed to load resource")
            and errors.append(m.text))
    return errors


def _version(cdp) -> str:
    product = cdp.send("Browser.getVersion")["product"]  # e.g. "HeadlessChrome/156.0.8078.108"
    return product.split("/", 1)[-1]


def clear_origin(cdp, url: str) -> None:
    """Forget everything the origin of ``url`` stored: HTTP cache, Cache Storage, OPFS, IndexedDB."""
    origin = "/".join(url.split("/")[:3])
    cdp.send("Network.clearBrowserCache")
    cdp.send("Storage.clearDataForOrigin", {"origin": origin, "storageTypes": "all"})


def open_bench(page, url: str):
    """Load a page of benchmarks/pages and return ``call(type, **args)`` for its worker."""
    page.goto(url)
    page.wait_for_function("window.benchReady === true || window.benchError")

    def call(kind, **args):
        return page.evaluate("([kind, args]) => window.bench(kind, args)", [kind, args])

    return call


def _children() -> dict:
    children = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    return children


def _descendants(pid: int) -> list:
    children, found, todo = _children(), [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _status_kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def renderer_memory() -> dict:
    """Peak and current resident memory (MB) of the busiest renderer this process started.

    The page, its workers (with their WASM memories) and their threads all live in one
    renderer process, so its high-water mark is the page's peak memory.
    """
    if not Path("/proc/self/status").exists():
        raise RuntimeError("peak memory is read from /proc; run the benchmarks on Linux")
    best = None
    for pid in _descendants(os.getpid()):
        try:
            if b"--type=renderer" not in Path(f"/proc/{pid}/cmdline").read_bytes():
                continue
            peak, now = _status_kb(pid, "VmHWM"), _status_kb(pid, "VmRSS")
        except OSError:
            continue
        if best is None or peak > best[0]:
            best = (peak, now)
    if best is None:
        raise RuntimeError("no Chromium renderer process found under this process")
    return {"peak_mb": best[0] / 1024, "current_mb": best[1] / 1024}
