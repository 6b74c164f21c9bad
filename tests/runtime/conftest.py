"""Fixtures for the browser-runtime tests: the site with its weights in several shards, a fresh
browser context per test (so each test is a first visit with empty storage) in the session's
headless Chromium (tests/conftest.py), and helpers to open the site and wait for its service
worker."""
import json
import time
from pathlib import Path

import pytest
from playwright.sync_api import Error as PlaywrightError

from export.story import render
from export.site.manifest import download_bytes

SITE_SRC = Path(__file__).resolve().parents[2] / "site_src"

# Milliseconds: a cold Pyodide and model start on a busy 2-core machine takes a while.
TIMEOUT_MS = 180_000
# 1 MB shards cut even the tiny model's weights into several (the same export settings as
# tests/build use, so one pytest session exports once).
SMALL_SHARDS = 1_000_000
# A JS expression for the name of the page's cache of stored files (runtime/store.js names it).
FILES = ("(await import(new URL('assets/js/runtime/store.js', document.baseURI).href))"
         ".cacheNames(new URL('.', document.baseURI)).files")


def build_tiny_site(tiny_model, export_cache, tmp_path_factory, variant, webgpu="auto"):
    """The whole site built by build.py from the tiny model as ``variant`` (and ``webgpu`` as
    build.py's --webgpu), its weights in several shards."""
    from export.site import build
    from export.model.onnx_export import ExportSettings

    out = tmp_path_factory.mktemp(f"runtime-site-{variant}") / "dist"
    build.build(model=str(tiny_model), out=out, cache_dir=export_cache, log=lambda *a: None,
                export_settings=ExportSettings(variant=variant, shard_bytes=SMALL_SHARDS), webgpu=webgpu)
    return out


@pytest.fixture(scope="session")
def site(tiny_model, export_cache, tmp_path_factory):
    """The whole site built by build.py from the tiny model, its weights in several shards."""
    return build_tiny_site(tiny_model, export_cache, tmp_path_factory, "int8")


@pytest.fixture(scope="session")
def q4_site(tiny_model, export_cache, tmp_path_factory):
    """The same as q4, a variant whose WebGPU graph reads every weight in blocks."""
    return build_tiny_site(tiny_model, export_cache, tmp_path_factory, "q4")


@pytest.fixture(scope="session")
def q8_site(tiny_model, export_cache, tmp_path_factory):
    """q8 for WebAssembly; for WebGPU, q4's graph over q4's own shards (build.py --webgpu q4)."""
    return build_tiny_site(tiny_model, export_cache, tmp_path_factory, "q8", webgpu="q4")


def on_each_worker(context, visit, script, arg=None, times=None) -> list:
    """Run ``script(arg)`` in each engine worker (the first ``times``; None: all) as it asks for
    manifest.json, before it starts or chooses anything; returns the list of workers it ran in.
    Use with ``service_workers="block"``: the route does not see requests a service worker answers."""
    done = []

    def route(request):
        for worker in visit.page.workers:
            if worker.url.endswith("/runtime/worker.js") and worker not in done and (times is None or len(done) < times):
                worker.evaluate(script, arg)
                done.append(worker)
        request.continue_()

    context.route("**/manifest.json", route)
    return done


BUILD = "() => document.querySelector('script[data-build]').dataset.build"
# What sw-register.js does on a page of the given build.
REGISTER = "(build) => navigator.serviceWorker.register(new URL('sw.js?build=' + build, document.baseURI).href)"


def controlled_by(page, build):
    """Wait until ``build``'s service worker controls ``page`` and has finished activating."""
    page.wait_for_function(f"""() => {{
        const worker = navigator.serviceWorker.controller;
        return worker?.scriptURL.endsWith("build={build}") && worker.state === "activated";
    }}""")


class Visit:
    """A page in a fresh browser context, with the errors and CSP violations it reported."""

    def __init__(self, context):
        self.context = context
        self.page = context.new_page()
        self.page.set_default_timeout(TIMEOUT_MS)
        self.errors, self.warnings, self.requests = [], [], []
        self.page.on("console", self._console)
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))

    def _console(self, message):
        (self.errors if message.type == "error" else self.warnings).append(message.text)

    def open(self, url, isolated=True):
        """Go to ``url``; with ``isolated``, wait until the service worker controls the page and
        the page is cross-origin isolated (after the worker's one reload)."""
        self.page.goto(url)
        if isolated:
            self.wait_until_isolated()
        return self.page

    def wait_until_isolated(self, seconds=60):
        """Poll (the page reloads itself once on the way, which would break a single wait)."""
        deadline = time.monotonic() + seconds
        while True:
            try:
                if self.page.evaluate("navigator.serviceWorker.controller !== null && crossOriginIsolated"):
                    break
            except PlaywrightError:
                pass  # the context went away with the reload
            if time.monotonic() > deadline:
                raise AssertionError(f"{self.page.url} did not become cross-origin isolated in {seconds} s")
            self.page.wait_for_timeout(250)
        self.page.wait_for_load_state("load")

    def onto_build(self, build):
        """After a deploy, make sure this tab runs ``build``: on a busy machine the old worker
        answers a navigation slower than 4 s from the old shell (sw.js, SLOW_NETWORK_MS), and
        that page registers the old worker again. So do what sw-register.js does on a page of
        the new build (registering the same script twice is a no-op); an idle page of the old
        build then reloads onto it."""
        self.evaluate(REGISTER, build)
        controlled_by(self.page, build)
        self.page.wait_for_function(f"() => document.querySelector('script[data-build]')?.dataset.build === '{build}'")
        self.wait_until_isolated()

    def mount_loader(self, html):
        """Put the loading control (the rendered partial) at the top of the page and wire it."""
        self.page.evaluate("""async (html) => {
            const holder = document.createElement("div");
            holder.innerHTML = html;
            document.querySelector("main").prepend(holder);
            const module = await import(new URL("assets/js/loading.js", document.baseURI).href);
            module.mountLoader(holder.querySelector("[data-loader]"));
        }""", html)
        return self.page.locator("[data-loader]").first

    def evaluate(self, script, arg=None):
        return self.page.evaluate(script, arg)

    def load(self, options=None):
        return self.page.evaluate("(o) => window.nexttoken.load(o)", options or {})

    def load_error(self, options=None):
        """The message and code of a load that must fail."""
        return self.page.evaluate("""(o) => window.nexttoken.load(o).then(
            () => ({message: 'loaded', code: null}), (e) => ({message: e.message, code: e.code ?? null}))""",
                                  options or {})

    def greedy(self, prompt, n=5):
        return self.page.evaluate("([p, n]) => window.nexttoken.generate(p, {max_new_tokens: n, temperature: 0})",
                                  [prompt, n])["ids"]


@pytest.fixture
def visit(browser):
    context = browser.new_context()
    yield Visit(context)
    context.close()


def render_loader(manifest, options=None):
    """The loading-control partial as the build renders it, with optional load() tuning."""
    env = render.make_environment(SITE_SRC / "templates")
    html = env.get_template("partials/loader.html").render(manifest=manifest,
                                                           download_bytes=download_bytes(manifest))
    if options:
        attr = json.dumps(options).replace('"', "&quot;")
        html = html.replace("data-loader>", f'data-loader data-loader-options="{attr}">', 1)
    return html
