"""One page driver over three browser engines, for the browser tests:

- ``chromium``: Debian's Chromium through Playwright (tests/browser.py),
- ``firefox``: Firefox ESR over WebDriver BiDi, through puppeteer-core in a Node bridge,
- ``webkit``: WebKitGTK's MiniBrowser through Selenium and WebKitWebDriver, under Xvfb.

``launch(name)`` yields a browser whose ``new_page()`` gives a fresh profile's page (see
tests/engines/page.py for what a page offers). ``NEXTTOKEN_ENGINES=chromium,firefox`` selects
engines (default: all three); a missing browser is an error naming its Debian package.
"""
import contextlib
import importlib
import os

ENGINES = ("chromium", "firefox", "webkit")


def selected():
    """The engines to test, from NEXTTOKEN_ENGINES (comma-separated; default all)."""
    names = [n.strip().lower() for n in os.environ.get("NEXTTOKEN_ENGINES", ",".join(ENGINES)).split(",") if n.strip()]
    unknown = [n for n in names if n not in ENGINES]
    if unknown:
        raise ValueError(f"NEXTTOKEN_ENGINES: unknown engine {', '.join(unknown)}; choose from {', '.join(ENGINES)}")
    return names


@contextlib.contextmanager
def launch(name):
    if name not in ENGINES:
        raise ValueError(f"unknown engine {name!r}; choose from {', '.join(ENGINES)}")
    with importlib.import_module(f"tests.engines.{name}").launch() as browser:
        yield browser
