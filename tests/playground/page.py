"""A page holding one playground, in any engine (tests/engines), with what the tests ask of it.

The page is opened the way a reader's first visit goes: the service worker installs and
reloads the page once for cross-origin isolation, and the test starts when that has settled.
"""
import re
import time
from pathlib import Path


TIMEOUT_MS = 240_000  # a cold Pyodide + model start on a busy 2-core machine
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


class EnginePlayground:
    def __init__(self, engine, url, *, root="#playground", viewport=None, init_script=None):
        self.page = engine.new_page(init_script=init_script, viewport=viewport or {"width": 1280, "height": 900})
        self.engine = engine.engine
        self.root = root
        self.frame = self.page
        if url:
            self.page.open(url)

    @property
    def errors(self):
        return self.page.errors

    def close(self):
        self.page.close()

    # --- the page -----------------------------------------------------------------------------

    def locator(self, selector):
        return self.frame.locator(f"{self.root} {selector}")

    def button(self, action):
        return self.locator(f'[data-action="{action}"]')

    def wait_for(self, predicate, arg=None):
        """Wait until the JS function ``predicate(arg)`` is truthy in the playground's frame."""
        self.frame.wait_for(predicate, arg)

    def wait_idle(self):
        self.wait_for(
            "(root) => { const r = document.querySelector(root); return r && !r.hasAttribute('data-busy'); }",
            self.root)

    def click(self, action):
        self.button(action).click()
        self.wait_idle()

    def run(self, prompt=None):
        if prompt is not None:
            self.locator('[data-role="prompt"]').fill(prompt)
        self.click("run")
        # "Ready. ..." or, from a link with tokens, "Replayed N tokens from the link. Ready. ..."
        # ... and where the model runs ("GPT-2 runs here on WebAssembly, 1 thread.").
        assert self.status().startswith(("Ready.", "Replayed ")) and "Ready." in self.status(), self.status()
        assert re.search(r"GPT-2 runs here on (WebGPU|WebAssembly, \d+ threads?)\.$", self.status()), self.status()

    def wait_address(self, *parts):
        """Wait until the address bar's hash holds every text in ``parts`` (the page writes the
        address at most every 300 ms: playground/address.js); return the URL."""
        self.wait_for("(parts) => parts.every((part) => location.hash.includes(part))", list(parts))
        return self.evaluate("() => location.href")

    def status(self):
        return self.locator('[data-role="status"]').text_content()

    def evaluate(self, script, arg=None):
        return self.frame.evaluate(script, arg)

    def chips(self):
        return self.evaluate("""(root) => [...document.querySelectorAll(root + ' [data-role=output] .chip')]
            .map((c) => ({id: Number(c.dataset.id), prompt: c.classList.contains('pg-prompt-token'), text: c.textContent}))""",
                             self.root)

    def chosen(self):
        return [c["id"] for c in self.chips() if not c["prompt"]]

    def bars(self):
        """[(id, probability text, removed)] of the bars, top first."""
        return [(r["id"], r["prob"], r["removed"]) for r in self.evaluate(
            """(root) => [...document.querySelectorAll(root + ' [data-role=top] li')].map((li) => ({
                id: Number(li.querySelector('.pg-bar').dataset.id), prob: li.querySelector('.pg-prob').textContent,
                removed: li.classList.contains('pg-removed-row')}))""", self.root)]

    def notices(self):
        return self.locator('[data-role="notices"] li').all_text_contents()

    def set_param(self, name, value):
        """Type a value into a sampler's number box and commit it (a change event)."""
        box = self.locator(f'[data-field="{name}"] input:not([type=range])')
        box.fill(str(value))
        box.dispatch_event("change")

    def param(self, name):
        return self.locator(f'[data-field="{name}"] input:not([type=range])').input_value()

    def wait_bars(self, predicate):
        """Poll until predicate(bars) holds (bars as ``bars()`` gives them); return the bars."""
        deadline = time.monotonic() + TIMEOUT_MS / 1000
        while True:
            bars = self.bars()
            if predicate(bars):
                return bars
            if time.monotonic() > deadline:
                raise AssertionError(f"the bars never matched; last: {bars}")
            time.sleep(0.1)

    def screenshot(self, name):
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"{self.engine}-{name}"
        self.page.screenshot(path)
        return path


def Playground(target, url, **options):
    """The playground page for ``target``: an engine's browser (tests/engines: Chromium,
    Firefox or WebKit) or a Playwright ``Browser`` (Chromium only, with Playwright's API)."""
    if hasattr(target, "new_context"):
        from tests.playground.page_chromium import ChromiumPlayground

        return ChromiumPlayground(target, url, **options)
    return EnginePlayground(target, url, **options)
