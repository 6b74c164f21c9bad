"""A Playwright page (Chromium) holding one playground, for the tests that need what only
Playwright offers (navigation events, frames, the keyboard); tests/playground/page.py picks it.

The site's CSP forbids eval(), so waits use functions (never expression strings). Service
workers are blocked: the worker's one-time reload for cross-origin isolation would otherwise
race the test's first click (the runtime tests cover the service worker; test_reload.py
allows it to test that reload).
"""
import time
from pathlib import Path

TIMEOUT_MS = 240_000  # a cold Pyodide + model start on a busy 2-core machine
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


class ChromiumPlayground:
    def __init__(self, browser, url, *, root="#playground", viewport=None, init_script=None, service_workers="block"):
        self.context = browser.new_context(service_workers=service_workers,
                                           viewport=viewport or {"width": 1280, "height": 900})
        if init_script:
            self.context.add_init_script(init_script)
        self.page = self.context.new_page()
        self.page.set_default_timeout(TIMEOUT_MS)
        self.errors = []
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.root = root
        self.frame = self.page
        if url:
            self.page.goto(url)

    def close(self):
        self.context.close()

    # --- the page -----------------------------------------------------------------------------

    def locator(self, selector):
        return self.frame.locator(f"{self.root} {selector}")

    def button(self, action):
        return self.locator(f'[data-action="{action}"]')

    def wait_idle(self):
        self.frame.wait_for_function(
            "(root) => { const r = document.querySelector(root); return r && !r.hasAttribute('data-busy'); }",
            arg=self.root)

    def click(self, action):
        self.button(action).click()
        self.wait_idle()

    def run(self, prompt=None):
        if prompt is not None:
            self.locator('[data-role="prompt"]').fill(prompt)
        self.click("run")
        assert self.status().startswith("Ready"), self.status()

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

    def shared_link(self):
        """Press "Copy link" and return the link it offers."""
        self.click("link")
        return self.locator('[data-role="share"] textarea').input_value()

    def texts(self):
        return "".join(c["text"] for c in self.chips())

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
            self.page.wait_for_timeout(100)

    def screenshot(self, name):
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / name
        self.page.screenshot(path=str(path), full_page=True)
        return path
