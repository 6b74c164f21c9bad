"""The page interface every engine's driver implements, and the helpers built on it.

An engine supplies a handful of primitives (``_evaluate``, ``goto``, ``reload``, ``click``,
``press``, ``set_viewport``, ``screenshot``, ``close``); everything else (waits, text, values,
"open and wait until the service worker settled") is written once here, in page JavaScript run
through ``evaluate``. Scripts are always function sources (``"(arg) => ..."``), never expression
strings: the site's CSP forbids eval(), and every engine's protocol calls a function without it.
"""
import json
import re
import time

TIMEOUT = 240  # seconds: a cold Pyodide and model start on a busy 2-core machine


class EngineError(RuntimeError):
    """A script threw, or the engine's protocol failed."""


class Navigating(EngineError):
    """The page went away while a script ran (a reload or navigation): poll again."""


FUNCTION = re.compile(r"^\s*(async\s+)?(function\b|\([^)]*\)\s*=>|\[[^\]]*\]\s*=>|[A-Za-z_$][\w$]*\s*=>)")


def script(source):
    """A function source from a function or a bare expression (``"window.x"`` -> ``"() => (window.x)"``)."""
    return source if FUNCTION.match(source) else f"() => ({source})"


class Page:
    """One tab. ``frame`` (a CSS selector of an <iframe>) points scripts and clicks into it."""

    engine = "?"

    def __init__(self, frame=None):
        self.frame = frame
        self.errors = []     # console errors, uncaught exceptions (and HTTP >= 400 where the engine reports them)
        self.requests = []   # request URLs, where the engine reports them (not WebKit)

    # --- primitives, per engine ---------------------------------------------------------------

    def _evaluate(self, source, arg):
        raise NotImplementedError

    def goto(self, url):
        raise NotImplementedError

    def reload(self):
        raise NotImplementedError

    def click(self, selector, count=1):
        raise NotImplementedError

    def press(self, key):
        """Press a key ("Enter", "Space", "Escape", "Tab") on the focused element."""
        raise NotImplementedError

    def set_viewport(self, width, height):
        raise NotImplementedError

    def screenshot(self, path):
        raise NotImplementedError

    def in_frame(self, selector):
        """The same tab, with scripts and clicks going into the <iframe> ``selector``."""
        raise NotImplementedError

    def close(self):
        raise NotImplementedError

    # --- built on them --------------------------------------------------------------------------

    def evaluate(self, source, arg=None):
        """Call the page function ``source`` (or an expression) with ``arg``; its JSON result."""
        return self._evaluate(script(source), arg)

    @property
    def url(self):
        return self.evaluate("() => location.href")

    def wait_for(self, predicate, arg=None, timeout=TIMEOUT, interval=0.1):
        """Poll the page function ``predicate(arg)`` until it is truthy; return its value.
        Navigations on the way (the service worker's reload) are tolerated."""
        deadline = time.monotonic() + timeout
        source, last = script(predicate), None
        while True:
            try:
                value = self._evaluate(source, arg)
                if value:
                    return value
            except Navigating as e:
                last = e
            if time.monotonic() > deadline:
                raise AssertionError(f"{self.engine}: timed out after {timeout} s waiting for {source!r} "
                                     f"({arg!r}){'; last: ' + str(last) if last else ''}")
            time.sleep(interval)

    def open(self, url, settle=True, timeout=60):
        """Go to ``url``; with ``settle``, wait until the service worker has had its say: the page
        is controlled and cross-origin isolated (after the worker's one reload), or it cannot
        become so (a frame, no service worker) and has loaded. Then the page is safe to drive."""
        self.goto(url)
        if settle:
            self.wait_until_settled(timeout)
        return self

    def wait_until_settled(self, timeout=60):
        self.wait_for(SETTLED, timeout=timeout, interval=0.25)
        self.wait_for("() => document.readyState === 'complete'", timeout=timeout)

    def wait_until_isolated(self, timeout=60):
        self.wait_for("() => navigator.serviceWorker.controller !== null && crossOriginIsolated",
                      timeout=timeout, interval=0.25)
        self.wait_for("() => document.readyState === 'complete'", timeout=timeout)

    def locator(self, selector):
        """A Playwright-like locator (tests/engines/locator.py)."""
        from tests.engines.locator import page_locator

        return page_locator(self, selector)

    def exists(self, selector):
        return self.evaluate("(s) => document.querySelector(s) !== null", selector)

    def wait_for_selector(self, selector, visible=False, timeout=TIMEOUT):
        self.wait_for(VISIBLE if visible else "(s) => document.querySelector(s) !== null", selector, timeout)

    def text(self, selector):
        return self.evaluate("(s) => document.querySelector(s)?.textContent ?? null", selector)

    def texts(self, selector):
        return self.evaluate("(s) => [...document.querySelectorAll(s)].map((e) => e.textContent)", selector)

    def count(self, selector):
        return self.evaluate("(s) => document.querySelectorAll(s).length", selector)

    def value(self, selector):
        return self.evaluate("(s) => document.querySelector(s).value", selector)

    def attribute(self, selector, name):
        return self.evaluate("([s, n]) => document.querySelector(s).getAttribute(n)", [selector, name])

    def is_visible(self, selector):
        return bool(self.evaluate(VISIBLE, selector))

    def is_enabled(self, selector):
        return self.evaluate("(s) => !document.querySelector(s).disabled", selector)

    def fill(self, selector, text):
        """Set a text field's value as typing would end: focus, value, an ``input`` event."""
        self.wait_for(VISIBLE, selector)
        self.evaluate("""([s, text]) => { const el = document.querySelector(s); el.focus(); el.value = text;
            el.dispatchEvent(new Event('input', {bubbles: true})); }""", [selector, text])

    def dispatch(self, selector, event):
        self.evaluate("([s, e]) => document.querySelector(s).dispatchEvent(new Event(e, {bubbles: true}))",
                      [selector, event])

    def focus(self, selector):
        self.evaluate("(s) => document.querySelector(s).focus()", selector)

    def select(self, selector, value):
        self.evaluate("""([s, v]) => { const el = document.querySelector(s); el.value = v;
            el.dispatchEvent(new Event('input', {bubbles: true})); el.dispatchEvent(new Event('change', {bubbles: true})); }""",
                      [selector, value])

    def check(self, selector, on=True):
        if bool(self.evaluate("(s) => document.querySelector(s).checked", selector)) != on:
            self.click(selector)

    def wait_clickable(self, selector, timeout=TIMEOUT):
        """What a click waits for: the element is there, visible and enabled; scrolled into view."""
        self.wait_for(CLICKABLE, selector, timeout)

    def __repr__(self):
        return f"<{self.engine} page{' frame ' + self.frame if self.frame else ''}>"


def dumps(value):
    return json.dumps(value, ensure_ascii=False)


# The service worker's one-time reload has happened or never will (see site_src/js/sw-register.js:
# no reload in a frame, without service workers, or on a page that does not register one).
SETTLED = """() => {
    if (document.readyState !== 'complete') return false;
    if (document.querySelector('script[src*="assets/js/api.js"]') && !window.nexttoken) return false;
    const framed = (() => { try { return window.self !== window.top; } catch { return true; } })();
    const registers = document.querySelector('script[src*="sw-register"]') !== null;
    if (!registers || !('serviceWorker' in navigator) || !window.isSecureContext || framed) return true;
    return navigator.serviceWorker.controller !== null && window.crossOriginIsolated;
}"""

VISIBLE = """(s) => { const el = document.querySelector(s);
    if (!el) return false;
    const style = getComputedStyle(el), box = el.getBoundingClientRect();
    return style.visibility !== 'hidden' && style.display !== 'none' && box.width > 0 && box.height > 0; }"""

CLICKABLE = """(s) => { const el = document.querySelector(s);
    if (!el || el.disabled) return false;
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.height === 0 || getComputedStyle(el).visibility === 'hidden') return false;
    el.scrollIntoView({block: 'center', inline: 'center'});
    return true; }"""
