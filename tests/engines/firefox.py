"""Firefox ESR over WebDriver BiDi: puppeteer-core in a long-lived Node process
(firefox_bridge.mjs) that speaks JSON lines; a browser per session, a browser context (a
separate profile's worth of storage, service workers included) per page."""
import contextlib
import json
import os
import shutil
import subprocess
import threading
from pathlib import Path

from tests.engines.page import EngineError, Navigating, Page

BRIDGE = Path(__file__).with_name("firefox_bridge.mjs")
NAVIGATING = ("Execution context was destroyed", "navigated", "Navigation", "no such frame", "DiscardedBrowsingContextError",
              "Protocol error (script.callFunction)", "context was destroyed", "Target closed", "detached")


def firefox_path():
    path = os.environ.get("FIREFOX") or shutil.which("firefox-esr") or shutil.which("firefox")
    if not path:
        raise RuntimeError("firefox-esr not found: install Debian's package (apt-get install firefox-esr, "
                           "or make browsers) or set FIREFOX=/path/to/firefox")
    return path


class Bridge:
    """The Node process: ``call(op, **fields)`` waits for its answer; events go to their page."""

    def __init__(self):
        if not shutil.which("node"):
            raise RuntimeError("node not found: install Node.js (apt-get install nodejs)")
        self.proc = subprocess.Popen(["node", str(BRIDGE), firefox_path()], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True, encoding="utf-8",
                                     cwd=BRIDGE.parents[2])
        ready = self.proc.stdout.readline()
        if not ready:
            raise RuntimeError(f"the Firefox bridge did not start (exit {self.proc.wait()}); see its stderr above")
        self.version = json.loads(ready)["ready"]
        self.lock, self.next_id, self.waiting, self.pages = threading.Lock(), 0, {}, {}
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        for line in self.proc.stdout:
            message = json.loads(line)
            if "event" in message:
                page = self.pages.get(message["page"])
                if page is not None:
                    (page.errors if message["event"] == "error" else page.requests).append(message["text"])
                continue
            slot = self.waiting.pop(message["id"])
            slot[1] = message
            slot[0].set()
        for slot in list(self.waiting.values()):
            slot[1] = {"error": "the Firefox bridge exited"}
            slot[0].set()

    def call(self, op, timeout=600, **fields):
        with self.lock:
            self.next_id += 1
            ident = self.next_id
            slot = self.waiting[ident] = [threading.Event(), None]
            try:
                self.proc.stdin.write(json.dumps({"id": ident, "op": op, **fields}) + "\n")
                self.proc.stdin.flush()
            except (BrokenPipeError, OSError):
                raise EngineError(f"firefox: the bridge exited (code {self.proc.poll()}); see its stderr") from None
        if not slot[0].wait(timeout):
            raise EngineError(f"firefox: {op} did not answer in {timeout} s")
        answer = slot[1]
        if "error" in answer:
            if any(n in answer["error"] for n in NAVIGATING):
                raise Navigating(answer["error"])
            raise EngineError(f"firefox: {op}: {answer['error']}")
        return answer["result"]

    def close(self):
        try:
            self.call("quit", timeout=30)
        except EngineError:
            pass
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()


class FirefoxPage(Page):
    engine = "firefox"

    def __init__(self, bridge, frame=None, parent=None, init_script=None, viewport=None):
        super().__init__(frame)
        self.bridge = bridge
        if parent is not None:
            self.context, self.id, self.errors, self.requests = parent.context, parent.id, parent.errors, parent.requests
            return
        self.context = bridge.call("newContext")
        self.id = bridge.call("newPage", context=self.context)
        bridge.pages[self.id] = self
        if init_script:
            self._call("initScript", source=init_script)
        if viewport:
            self.set_viewport(viewport["width"], viewport["height"])

    def _call(self, op, **fields):
        return self.bridge.call(op, page=self.id, frame=self.frame, **fields)

    def _evaluate(self, source, arg):
        return self._call("evaluate", source=source, arg=arg)

    def goto(self, url):
        self._call("goto", url=url)

    def reload(self):
        self._call("reload")

    def click(self, selector, count=1):
        self.wait_clickable(selector)
        self._call("click", selector=selector, count=count)

    def press(self, key):
        self._call("press", key=key)

    def set_viewport(self, width, height):
        self._call("viewport", width=width, height=height)

    def screenshot(self, path):
        self._call("screenshot", path=str(path))

    def in_frame(self, selector):
        return FirefoxPage(self.bridge, frame=selector, parent=self)

    def close(self):
        if self.frame is None:
            self.bridge.pages.pop(self.id, None)
            self.bridge.call("closeContext", context=self.context)


class FirefoxBrowser:
    engine = "firefox"

    def __init__(self, bridge):
        self.bridge = bridge

    def new_page(self, init_script=None, viewport=None):
        return FirefoxPage(self.bridge, init_script=init_script, viewport=viewport)


@contextlib.contextmanager
def launch():
    bridge = Bridge()
    try:
        yield FirefoxBrowser(bridge)
    finally:
        bridge.close()
