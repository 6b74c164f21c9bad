"""pytest fixtures for the three-engine page driver (a plugin of tests/conftest.py).

- ``engine_browser``: a launched browser, once per session per engine. A test that takes it (or a
  fixture built on it) runs once per engine in NEXTTOKEN_ENGINES, with ids ``[chromium]``,
  ``[firefox]``, ``[webkit]``; ``@pytest.mark.engines("chromium")`` limits a test to some of them
  (say why in a comment: a Playwright-only feature, or a heavy test that one engine covers).
- ``tab``: a fresh page (fresh profile: no storage, no service worker) in that browser.
"""
import pytest

from tests.engines import launch, selected


def pytest_configure(config):
    config.addinivalue_line("markers", "engines(*names): run only in these browser engines")


def pytest_generate_tests(metafunc):
    if "engine_browser" not in metafunc.fixturenames:
        return
    marker = metafunc.definition.get_closest_marker("engines")
    names = [n for n in selected() if marker is None or n in marker.args]
    metafunc.parametrize("engine_browser", names, indirect=True, scope="session", ids=names)


@pytest.fixture(scope="session")
def engine_browser(request):
    name = request.param
    if name == "chromium":
        # Playwright's sync API allows one Chromium at a time: share the session's.
        from tests.engines.chromium import ChromiumBrowser

        yield ChromiumBrowser(request.getfixturevalue("browser"))
        return
    with launch(name) as browser:
        yield browser


@pytest.fixture
def tab(engine_browser):
    page = engine_browser.new_page()
    yield page
    page.close()
