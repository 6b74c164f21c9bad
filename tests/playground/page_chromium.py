"""A Playwright page (Chromium) holding one playground, for the tests that need what only
Playwright offers (navigation events, frames, the keyboard, service workers blocked or not);
``tests.playground.page.Playground`` gives one for a Playwright ``Browser``.

The site's CSP forbids eval(), so waits use functions (never expression strings). Service
workers are blocked by default: the worker's one-time reload for cross-origin isolation would
otherwise race the test's first click (the runtime tests cover the service worker;
test_reload.py allows it to test that reload).
"""
from tests.playground.page import ARTIFACTS, TIMEOUT_MS, EnginePlayground


class ChromiumPlayground(EnginePlayground):
    """The same playground API on a Playwright page: ``page`` is Playwright's."""

    def __init__(self, browser, url, *, root="#playground", viewport=None, init_script=None,
                 service_workers="block"):
        self.context = browser.new_context(service_workers=service_workers,
                                           viewport=viewport or {"width": 1280, "height": 900})
        if init_script:
            self.context.add_init_script(init_script)
        self.page = self.context.new_page()
        self.page.set_default_timeout(TIMEOUT_MS)
        self.engine = "chromium"
        self._errors = []
        self.page.on("console", lambda m: m.type == "error" and self._errors.append(m.text))
        self.page.on("pageerror", lambda e: self._errors.append(str(e)))
        self.root = root
        self.frame = self.page
        if url:
            self.page.goto(url)

    @property
    def errors(self):
        return self._errors

    def close(self):
        self.context.close()

    def wait_for(self, predicate, arg=None):
        self.frame.wait_for_function(predicate, arg=arg)

    def shared_link(self):
        """Press "Copy link" and return the link it offers."""
        self.click("link")
        return self.locator('[data-role="share"] textarea').input_value()

    def texts(self):
        return "".join(c["text"] for c in self.chips())

    def screenshot(self, name):
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / name
        self.page.screenshot(path=str(path), full_page=True)
        return path
