"""Shared fixtures: a tiny random GPT-2 checkpoint and the site built from it (once per session)."""
import pytest

from tests.models import TINY, make_gpt2

# The three-engine page driver's fixtures: engine (per engine, per session) and tab.
pytest_plugins = ["tests.engines.fixtures"]


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the whole run: Playwright's sync API allows one at a time."""
    from tests.browser import chromium

    with chromium() as b:
        yield b


@pytest.fixture(scope="session")
def webgpu_browser(browser):
    """A second headless Chromium, with WebGPU on SwiftShader's adapter (tests.browser.WEBGPU_ARGS),
    from the same Playwright."""
    from tests.browser import WEBGPU_ARGS, chromium_path

    b = browser.browser_type.launch(executable_path=chromium_path(), args=WEBGPU_ARGS, headless=True)
    yield b
    b.close()


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory):
    """A 2-layer, width-64 GPT-2 with random weights and GPT-2's real tokenizer."""
    return make_gpt2(tmp_path_factory.mktemp("tiny-gpt2"), **TINY)


@pytest.fixture(scope="session")
def export_cache(tmp_path_factory):
    return tmp_path_factory.mktemp("export-cache")


@pytest.fixture(scope="session")
def tiny_site(tiny_model, export_cache, tmp_path_factory):
    """The whole site built by build.py from the tiny model."""
    from export.site import build

    out = tmp_path_factory.mktemp("site") / "dist"
    build.build(model=str(tiny_model), out=out, cache_dir=export_cache, log=lambda *a: None)
    return out
