"""WebKitGTK (the engine of Safari) through Selenium and Debian's WebKitWebDriver, with
MiniBrowser in automation mode as the browser, on a private Xvfb display: one driver service per
session, one WebDriver session (a fresh MiniBrowser with ephemeral storage) per page.

WebKitWebDriver offers no console log and no init scripts: ``errors`` comes from a small
recorder put into the page after each navigation (console.error, uncaught errors and
rejections from then on), and ``init_script`` runs after each navigation, not before the page's
own scripts.

A MiniBrowser that dies under the driver (a crash, the kernel's OOM killer), or while it
starts, leaves WebKitWebDriver waiting on it for good: a watchdog per page notices, ends that
service so the waiting call fails at once with an error saying so, and the next page gets a
fresh service; a start that hangs is given up after STARTUP_S and tried once more."""
import contextlib
import glob
import os
import shutil
import subprocess
import threading

from tests.engines.page import EngineError, Navigating, Page

MINIBROWSER = "/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser"
STARTUP_S = 90  # a new WebDriver session (a fresh MiniBrowser) not started by then is given up
NAVIGATING = ("JavaScript execution context", "no such frame", "navigation", "unload", "no such window",
              "main frame", "Frame was destroyed")

# Records console errors and uncaught errors in window.__engineErrors (once per document).
RECORDER = """() => {
    if (window.__engineErrors) return;
    const errors = window.__engineErrors = [];
    const error = console.error;
    console.error = (...args) => { errors.push(args.map(String).join(' ')); return error.apply(console, args); };
    addEventListener('error', (e) => errors.push(e.message || String(e.error)));
    addEventListener('unhandledrejection', (e) => errors.push(String(e.reason?.message ?? e.reason)));
}"""

# Selenium's async script: call the page function with the argument, answer {ok} or {error}.
CALL = """const done = arguments[arguments.length - 1];
const fn = (%s);
Promise.resolve().then(() => fn(arguments[0])).then(
    (value) => done({ok: value === undefined ? null : JSON.parse(JSON.stringify(value) ?? 'null')}),
    (e) => done({error: String(e && e.stack ? e.message : e)}));"""


def webkit_paths():
    driver = os.environ.get("WEBKIT_WEBDRIVER") or shutil.which("WebKitWebDriver")
    browser = os.environ.get("WEBKIT_BROWSER") or MINIBROWSER
    if not driver or not os.path.exists(browser):
        raise RuntimeError("WebKitWebDriver or MiniBrowser not found: install Debian's package "
                           "(apt-get install webkit2gtk-driver, or make browsers)")
    if not shutil.which("Xvfb"):
        raise RuntimeError("Xvfb not found: install Debian's package (apt-get install xvfb xauth, or make browsers)")
    return driver, browser


@contextlib.contextmanager
def xvfb():
    """A private X display; yields its name (":N")."""
    read, write = os.pipe()
    proc = subprocess.Popen(["Xvfb", "-displayfd", str(write), "-screen", "0", "1600x1200x24", "-nolisten", "tcp"],
                            pass_fds=(write,), stderr=subprocess.DEVNULL)
    os.close(write)
    with os.fdopen(read) as pipe:
        number = pipe.readline().strip()
    if not number:
        raise RuntimeError(f"Xvfb did not start (exit {proc.wait()})")
    try:
        yield f":{number}"
    finally:
        proc.terminate()
        proc.wait(10)


def children(pid):
    """The process ids whose parent is ``pid`` (empty once it is gone)."""
    found = set()
    for path in glob.glob(f"/proc/{pid}/task/*/children"):
        with contextlib.suppress(OSError), open(path) as f:
            found.update(int(n) for n in f.read().split())
    return found


class Watchdog(threading.Thread):
    """Ends ``service`` (WebKitWebDriver) if the ``browsers`` it started for a page exit while
    the page is open; ``died`` then says so."""

    def __init__(self, service, browsers):
        super().__init__(daemon=True)
        self.service, self.browsers = service, browsers
        self.closing, self.died = threading.Event(), False
        self.start()

    def run(self):
        while not self.closing.wait(1):
            if self.gone():
                self.died = True
                self.service.process.kill()
                return

    def gone(self):
        return bool(self.browsers) and not any(map(running, self.browsers))


def running(pid):
    """Whether process ``pid`` exists and has not exited (a zombie has)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rpartition(")")[2].split()[0] not in "ZX"
    except OSError:
        return False


class WebKitPage(Page):
    engine = "webkit"

    def __init__(self, service, browser_binary, frame=None, parent=None, init_script=None, viewport=None):
        super().__init__(frame)
        if parent is not None:
            self.driver, self.init_script, self.watchdog = parent.driver, parent.init_script, parent.watchdog
            self.errors = parent.errors
            return
        from selenium import webdriver
        from selenium.webdriver.remote.client_config import ClientConfig
        from selenium.webdriver.remote.remote_connection import RemoteConnection
        from selenium.webdriver.webkitgtk.options import Options

        options = Options()
        options.binary_location = browser_binary
        options.add_argument("--automation")
        connection = RemoteConnection(client_config=ClientConfig(remote_server_addr=service.service_url))
        before = children(service.process.pid)
        # A browser that dies while starting leaves the new-session call waiting for good too.
        deadline = threading.Timer(STARTUP_S, service.process.kill)
        deadline.start()
        try:
            self.driver = webdriver.Remote(command_executor=connection, options=options)
        except Exception as e:
            raise EngineError(f"webkit: MiniBrowser did not start ({e.__class__.__name__}); "
                              "the next page starts a fresh one") from None
        finally:
            deadline.cancel()
        browsers = children(service.process.pid) - before
        if not browsers:
            service.process.kill()
            raise EngineError("webkit: no MiniBrowser process after the session started; the next page starts a fresh one")
        self.watchdog = Watchdog(service, browsers)
        self.driver.set_script_timeout(600)
        self.driver.set_page_load_timeout(240)
        self.init_script = init_script
        viewport = viewport or {"width": 1280, "height": 900}
        self.set_viewport(viewport["width"], viewport["height"])

    def _switch(self):
        from selenium.webdriver.common.by import By

        self.driver.switch_to.default_content()
        if self.frame:
            self.driver.switch_to.frame(self.driver.find_element(By.CSS_SELECTOR, self.frame))

    @contextlib.contextmanager
    def _alive(self):
        """Any failure of a call once the browser has died is that death, said plainly."""
        try:
            yield
        except Exception:
            if self.watchdog.died or self.watchdog.gone():
                raise EngineError("webkit: MiniBrowser exited under the driver (crashed or was killed); "
                                  "the next page starts a fresh one") from None
            raise

    def _evaluate(self, source, arg):
        from selenium.common.exceptions import NoSuchElementException, WebDriverException

        try:
            with self._alive():
                self._switch()
                answer = self.driver.execute_async_script(CALL % source, arg)
        except NoSuchElementException as e:
            raise Navigating(str(e)) from None
        except WebDriverException as e:
            if any(n in str(e) for n in NAVIGATING):
                raise Navigating(str(e)) from None
            raise EngineError(f"webkit: {e.msg or e}") from None
        if answer is None:
            raise Navigating("webkit: the script got no answer (the page went away)")
        if "error" in answer:
            raise EngineError(f"webkit: evaluate: {answer['error']}")
        self._collect()
        return answer["ok"]

    def _collect(self):
        """Take the recorder's errors (and install it in a new document)."""
        got = self.driver.execute_script(
            "const e = window.__engineErrors; if (!e) return null; return e.splice(0, e.length);")
        if got is None:
            self.driver.execute_async_script(f"const done = arguments[0]; ({RECORDER})(); done(null);")
            if self.init_script:
                self.driver.execute_async_script(f"const done = arguments[0]; (() => {{ {self.init_script} }})(); done(null);")
        else:
            self.errors.extend(got)

    def goto(self, url):
        with self._alive():
            self.driver.switch_to.default_content()
            self.driver.get(url)
            self._collect()

    def reload(self):
        with self._alive():
            self.driver.switch_to.default_content()
            self.driver.refresh()
            self._collect()

    def click(self, selector, count=1):
        from selenium.webdriver.common.action_chains import ActionChains
        from selenium.webdriver.common.by import By

        from selenium.common.exceptions import WebDriverException

        self.wait_clickable(selector)
        try:
            self._switch()
            element = self.driver.find_element(By.CSS_SELECTOR, selector)
            if self.frame:
                element = self._into_view(element, selector)
            if count == 2:
                ActionChains(self.driver).double_click(element).perform()
            else:
                element.click()
        except WebDriverException as e:
            raise Navigating(f"webkit: {e.msg or e}") from None

    def _into_view(self, element, selector):
        """WebKitWebDriver does not scroll the top page for an element in a frame, so a click on
        one below the fold lands nowhere: scroll the top page to put it mid-screen first."""
        from selenium.webdriver.common.by import By

        top = self.driver.execute_script("return arguments[0].getBoundingClientRect().top;", element)
        self.driver.switch_to.default_content()
        self.driver.execute_script("""const frame = document.querySelector(arguments[0]);
            window.scrollBy(0, frame.getBoundingClientRect().top + arguments[1] - innerHeight / 2);""",
                                   self.frame, top)
        self._switch()
        return self.driver.find_element(By.CSS_SELECTOR, selector)

    def press(self, key):
        from selenium.webdriver.common.action_chains import ActionChains
        from selenium.webdriver.common.keys import Keys

        self._switch()
        ActionChains(self.driver).send_keys({"Enter": Keys.ENTER, "Space": Keys.SPACE, "Escape": Keys.ESCAPE,
                                             "Tab": Keys.TAB}.get(key, key)).perform()

    def set_viewport(self, width, height):
        # The window's outer size: the page then gets what the window leaves it; correct by the difference.
        self.driver.set_window_size(width, height)
        inner = self.driver.execute_script("return [window.innerWidth, window.innerHeight];")
        if inner != [width, height]:
            self.driver.set_window_size(2 * width - inner[0], 2 * height - inner[1])

    def screenshot(self, path):
        self.driver.switch_to.default_content()
        # Right after a window resize WebKitGTK may not have painted yet (the capture comes out
        # black): wait for two frames first.
        self.driver.execute_async_script(
            "const done = arguments[arguments.length - 1]; requestAnimationFrame(() => requestAnimationFrame(done));")
        self.driver.save_screenshot(str(path))

    def in_frame(self, selector):
        return WebKitPage(None, None, frame=selector, parent=self)

    def close(self):
        if self.frame is None:
            self.watchdog.closing.set()
            try:
                self.driver.quit()
            except Exception:  # noqa: BLE001 - the browser may already be gone; nothing to keep
                pass


class WebKitBrowser:
    engine = "webkit"

    def __init__(self, driver, browser_binary, display):
        self.driver, self.browser_binary, self.display = driver, browser_binary, display
        self.service = None

    def _service(self):
        """The running WebKitWebDriver service; a fresh one if a watchdog ended the last."""
        from selenium.webdriver.webkitgtk.service import Service

        if self.service is None or self.service.process.poll() is not None:
            self.service = Service(executable_path=self.driver, env={**os.environ, "DISPLAY": self.display})
            self.service.start()
        return self.service

    def new_page(self, init_script=None, viewport=None):
        """A fresh page; a browser that fails to start is tried once more, on a fresh service."""
        try:
            return WebKitPage(self._service(), self.browser_binary, init_script=init_script, viewport=viewport)
        except EngineError:
            self.service.process.kill()
            self.service.process.wait(10)
            return WebKitPage(self._service(), self.browser_binary, init_script=init_script, viewport=viewport)

    def stop(self):
        if self.service is not None:
            self.service.stop()


@contextlib.contextmanager
def launch():
    driver, browser = webkit_paths()
    with xvfb() as display:
        webkit = WebKitBrowser(driver, browser, display)
        try:
            yield webkit
        finally:
            webkit.stop()
