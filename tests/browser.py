"""Headless Chromium (Debian's package) driven by Playwright, for tests and benchmarks."""
import contextlib
import os
import shutil

CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-gpu", "--no-first-run", "--disable-quic"]
# WebGPU on SwiftShader's adapter (the CPU, reported as a fallback adapter): the site then runs
# its model on WebGPU only when asked to (backend "webgpu"), as the tests do.
WEBGPU_ARGS = [a for a in CHROMIUM_ARGS if a != "--disable-gpu"] + ["--enable-unsafe-webgpu"]


def chromium_path() -> str:
    path = os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        raise RuntimeError("chromium not found: install Debian's package (apt-get install chromium) "
                           "or set CHROMIUM=/path/to/chromium")
    return path


@contextlib.contextmanager
def chromium(webgpu: bool = False, **launch_kwargs):
    """Yield a launched headless Chromium ``Browser`` (with WebGPU: ``WEBGPU_ARGS``); closed on exit."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=WEBGPU_ARGS if webgpu else CHROMIUM_ARGS,
                                    headless=True, **launch_kwargs)
        try:
            yield browser
        finally:
            browser.close()
