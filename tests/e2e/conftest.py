"""End-to-end fixtures: the tiny site on a localhost server (pages come from the three-engine
driver's ``tab``: tests/engines)."""
import pytest

from export.site.server import serving


@pytest.fixture(scope="session")
def site_url(tiny_site):
    with serving(tiny_site) as url:
        yield url


def foreign_requests(tab, base):
    """Requests that left the site (WebKitWebDriver reports no requests: none there)."""
    return [u for u in tab.requests if not u.startswith(base) and not u.startswith(("data:", "blob:"))]
