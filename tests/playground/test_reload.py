"""The service worker's one-time reload for cross-origin isolation (sw-register.js) keeps a
prompt the reader typed before it, in the story's figure and on playground.html."""
import pytest

from tests.playground.page import Playground

# Holds the service worker's registration until the test calls window.__release(), so the
# reader can type before the reload; the reloaded page (already controlled) is left alone.
HOLD_REGISTRATION = """
if (navigator.serviceWorker && !navigator.serviceWorker.controller) {
  const register = ServiceWorkerContainer.prototype.register;
  const released = new Promise((resolve) => { window.__release = resolve; });
  ServiceWorkerContainer.prototype.register = function (...args) {
    return released.then(() => register.apply(this, args));
  };
}
"""


@pytest.mark.parametrize("page", ["index.html", "playground.html"])
def test_a_prompt_typed_before_the_isolation_reload_is_kept(browser, site_url, page):
    pg = Playground(browser, site_url + page, root="[data-playground]", init_script=HOLD_REGISTRATION,
                    service_workers="allow")
    typed = "Typed before the reload: ünïcode 👩‍👩‍👧"
    box = pg.locator('[data-role="prompt"]')
    pg.page.wait_for_function("() => typeof window.__release === 'function'")
    box.fill(typed)
    with pg.page.expect_navigation():
        pg.evaluate("() => window.__release()")
    pg.page.wait_for_function("() => window.crossOriginIsolated && document.querySelector('[data-playground][data-state]')")
    assert box.input_value() == typed
    # Kept for that one reload only: a later reload shows the page's own prompt again.
    pg.page.reload()
    pg.page.wait_for_function("() => document.querySelector('[data-playground][data-state]')")
    assert box.input_value() != typed
    assert pg.errors == []
    pg.close()
