"""End-to-end fixtures: the tiny site on a localhost server and a headless Chromium page that
records every request and every error."""
import pytest

from export.server import serving


@pytest.fixture(scope="session")
def site_url(tiny_site):
    with serving(tiny_site) as url:
        yield url


class PageWatch:
    """A page plus what it did: requests (URLs) and errors (console errors, uncaught exceptions)."""

    def __init__(self, page):
        self.page, self.requests, self.errors = page, [], []
        page.on("request", lambda r: self.requests.append(r.url))
        page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("response", lambda r: r.status >= 400 and self.errors.append(f"HTTP {r.status} {r.url}"))

    def foreign_requests(self, base):
        return [u for u in self.requests if not u.startswith(base) and not u.startswith(("data:", "blob:"))]


@pytest.fixture
def watched(browser):
    # The service worker reloads a page once to make it cross-origin isolated, which would
    # race these tests' first steps; tests/runtime covers it.
    context = browser.new_context(service_workers="block")
    page = context.new_page()
    page.set_default_timeout(120_000)
    yield PageWatch(page)
    context.close()
