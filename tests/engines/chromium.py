"""Chromium (Debian's package) through Playwright: a browser per session, a context per page."""
import contextlib

from tests.browser import chromium
from tests.engines.page import EngineError, Navigating, Page

NAVIGATING = ("Execution context was destroyed", "navigation", "Target page, context or browser has been closed",
              "Cannot find context", "frame was detached")


class ChromiumPage(Page):
    engine = "chromium"

    def __init__(self, browser, frame=None, parent=None, init_script=None, viewport=None):
        super().__init__(frame)
        if parent is not None:
            self.context, self.page, self.errors, self.requests = parent.context, parent.page, parent.errors, parent.requests
            return
        self.context = browser.new_context(viewport=viewport or {"width": 1280, "height": 900})
        if init_script:
            self.context.add_init_script(init_script)
        self.page = self.context.new_page()
        self.page.set_default_timeout(240_000)
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("response", lambda r: r.status >= 400 and self.errors.append(f"HTTP {r.status} {r.url}"))
        self.page.on("request", lambda r: self.requests.append(r.url))

    @property
    def target(self):
        if not self.frame:
            return self.page
        return self.page.wait_for_selector(self.frame).content_frame()

    def _evaluate(self, source, arg):
        from playwright.sync_api import Error

        try:
            return self.target.evaluate(source, arg)
        except Error as e:
            if any(n in str(e) for n in NAVIGATING):
                raise Navigating(str(e)) from None
            raise EngineError(f"chromium: {e}") from None

    def goto(self, url):
        self.page.goto(url)

    def reload(self):
        self.page.reload()

    def click(self, selector, count=1):
        from playwright.sync_api import Error

        self.wait_clickable(selector)
        try:
            if count == 2:
                self.target.dblclick(selector)
            else:
                self.target.click(selector, click_count=count)
        except Error as e:
            raise (Navigating if any(n in str(e) for n in NAVIGATING) else EngineError)(f"chromium: {e}") from None

    def press(self, key):
        self.page.keyboard.press(key)

    def set_viewport(self, width, height):
        self.page.set_viewport_size({"width": width, "height": height})

    def screenshot(self, path):
        self.page.screenshot(path=str(path), full_page=True)

    def in_frame(self, selector):
        return ChromiumPage(None, frame=selector, parent=self)

    def close(self):
        if self.frame is None:
            self.context.close()


class ChromiumBrowser:
    engine = "chromium"

    def __init__(self, browser):
        self.browser = browser

    def new_page(self, init_script=None, viewport=None):
        return ChromiumPage(self.browser, init_script=init_script, viewport=viewport)


@contextlib.contextmanager
def launch():
    with chromium() as browser:
        yield ChromiumBrowser(browser)
