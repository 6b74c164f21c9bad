"""The page driver itself, in every engine, on a small page with the site's kind of CSP:
scripts through the protocol, clicks, typing, keys, frames, errors."""
import pytest

from export.site.server import serving

PAGE = """<!doctype html><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'self'; script-src 'self'">
<title>driver</title><link rel="icon" href="data:,">
<button id="b">B</button><input id="i"><script src="page.js"></script>
<iframe id="f" src="frame.html"></iframe>"""
SCRIPT = """window.clicks = 0; window.keys = [];
document.querySelector('#b').addEventListener('click', () => { window.clicks++; });
document.addEventListener('keydown', (e) => window.keys.push(e.key));
try { eval('1'); window.evalResult = 'eval ran'; } catch (e) { window.evalResult = e.name; }
setTimeout(() => console.error('late error'), 50);"""
FRAME = '<!doctype html><meta charset="utf-8"><title>inner</title><p id="p">inside</p>'


@pytest.fixture(scope="module")
def small_site(tmp_path_factory):
    root = tmp_path_factory.mktemp("driver")
    (root / "index.html").write_text(PAGE, encoding="utf-8")
    (root / "page.js").write_text(SCRIPT, encoding="utf-8")
    (root / "frame.html").write_text(FRAME, encoding="utf-8")
    with serving(root) as url:
        yield url


def test_the_driver_works_under_a_strict_csp(tab, small_site):
    tab.open(small_site)
    assert tab.evaluate("document.title") == "driver"
    assert tab.evaluate("(a) => ({sum: a.x + 1, s: a.s + 'é'})", {"x": 41, "s": "caf"}) == {"sum": 42, "s": "café"}
    assert tab.evaluate("async () => { await new Promise((r) => setTimeout(r, 20)); return [1, null]; }") == [1, None]
    with pytest.raises(Exception, match="boom"):
        tab.evaluate("() => { throw new Error('boom'); }")
    # eval() stays forbidden to the page itself: the CSP holds while the driver works.
    assert tab.evaluate("window.evalResult") == "EvalError"
    tab.click("#b")
    tab.click("#b", count=2)
    assert tab.evaluate("window.clicks") == 3
    tab.fill("#i", "hello")
    assert tab.value("#i") == "hello"
    tab.focus("#i")
    tab.press("Enter")
    assert "Enter" in tab.wait_for("window.keys")
    assert tab.in_frame("#f").wait_for("() => document.querySelector('#p')?.textContent") == "inside"
    tab.wait_for("() => true")
    if tab.engine != "webkit":  # WebKit's errors start with the driver's recorder, after load
        tab.wait_for("() => new Promise((r) => setTimeout(() => r(true), 100))")
        assert "late error" in tab.errors


def test_each_tab_is_a_fresh_profile(engine_browser, small_site):
    first = engine_browser.new_page()
    first.open(small_site)
    first.evaluate("() => localStorage.setItem('k', 'v')")
    first.close()
    second = engine_browser.new_page()
    second.open(small_site)
    assert second.evaluate("() => localStorage.getItem('k')") is None
    second.close()


@pytest.mark.engines("webkit")  # WebKitWebDriver may wait for a dead browser for good: its watchdog
def test_a_browser_that_dies_under_the_driver_fails_the_next_call_plainly(engine_browser, small_site):
    import os
    import signal
    import time

    from tests.engines.page import EngineError

    page = engine_browser.new_page()
    page.open(small_site)
    (browser,) = page.watchdog.browsers
    os.kill(browser, signal.SIGKILL)
    deadline = time.monotonic() + 30
    while not page.watchdog.died:  # it ends the service, which no longer has a browser
        assert time.monotonic() < deadline, "the watchdog did not notice the browser's death"
        time.sleep(0.2)
    assert page.watchdog.service.process.wait(10) is not None
    with pytest.raises(EngineError, match="MiniBrowser exited"):
        page.evaluate("() => new Promise((r) => setTimeout(r, 300_000))")
    page.close()
    after = engine_browser.new_page()  # a fresh service and browser
    after.open(small_site)
    assert after.evaluate("document.title") == "driver"
    after.close()
