"""A static server for runtime tests that a test can stop mid-way and make misbehave.

It serves a directory like ``export.server.serving`` does (same handler, same MIME types) and
adds what the browser-runtime tests need: ``stop()`` (the site goes offline), a count of the
requests per path, and faults injected per path: an HTTP error, a stalled or slowed body, a
corrupted body, or no answer at all.
"""
import collections
import functools
import http.server
import pathlib
import threading
import urllib.parse
from dataclasses import dataclass

from export.site.server import Handler

CHUNK = 64 * 1024
SLOW_CHUNK = 8 * 1024  # every 0.1 s: 80 kB/s, so a 1 MB shard takes over 10 s


@dataclass
class Fault:
    kind: str            # "status", "stall", "slow", "corrupt", "hang" or "hold" (sent on release())
    times: int = None    # how many requests it spoils; None: all of them
    status: int = 404
    plain: bool = False  # only requests without a query (a runtime's own import, not ?sha256=)
    dest: str = None     # only requests with this Sec-Fetch-Dest ("worker": a thread's script)


class SiteServer:
    """``directory`` on 127.0.0.1: ``url`` is its base URL; use as a context manager."""

    def __init__(self, directory, headers=None):
        """``headers``: sent with every answer (COOP and COEP make the page isolated without
        a service worker)."""
        self.directory = pathlib.Path(directory)
        self.hits = collections.Counter()   # URL path -> requests
        self.faults = {}                    # URL path -> Fault
        self.stopping = threading.Event()
        self.released = threading.Event()
        handler = type("FaultyHandler", (_FaultyHandler,), {"site": self, "extra_headers": dict(headers or {})})
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                                     functools.partial(handler, directory=str(directory)))
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def fail(self, path, kind, times=None, status=404, plain=False, dest=None):
        """Spoil requests for ``path`` (relative to the server root, e.g. "model/model.onnx");
        with ``plain``, only those without a query string; with ``dest``, only those whose
        Sec-Fetch-Dest header is ``dest``."""
        self.faults["/" + path.lstrip("/")] = Fault(kind, times, status, plain, dest)

    def release(self):
        """Send the bodies that "hold" faults are holding back."""
        self.released.set()

    def requests_for(self, path):
        return self.hits["/" + path.lstrip("/")]

    def stop(self):
        """Stop serving: every later request fails as if the reader were offline."""
        if self.thread is None:
            return
        self.stopping.set()
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


class _FaultyHandler(Handler):
    site: SiteServer = None

    def do_GET(self):
        path, query = urllib.parse.urlsplit(self.path)[2:4]
        self.site.hits[path] += 1
        fault = self.site.faults.get(path)
        if (fault is None or fault.times == 0 or (fault.plain and query)
                or (fault.dest and self.headers.get("Sec-Fetch-Dest") != fault.dest)):
            return super().do_GET()
        if fault.times is not None:
            fault.times -= 1
        if fault.kind == "status":
            return self.send_error(fault.status)
        if fault.kind == "hang":  # no answer at all, not even headers (a store that never answers)
            self.site.stopping.wait(120)
            self.close_connection = True
            return
        body = bytearray((self.site.directory / path.lstrip("/")).read_bytes())
        if fault.kind == "corrupt":
            body[len(body) // 2] ^= 0xFF
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self._send_body(fault.kind, bytes(body))
        except (BrokenPipeError, ConnectionResetError):
            pass  # the browser gave up on this response, as it should

    def _send_body(self, kind, body):
        if kind == "hold":  # the bytes as they were when asked for, sent once released
            while not (self.site.released.wait(0.1) or self.site.stopping.is_set()):
                pass
        if kind == "stall":
            # Some data, then nothing until the server stops: the browser must notice and retry.
            self.wfile.write(body[:CHUNK])
            self.wfile.flush()
            self.site.stopping.wait(120)
            self.close_connection = True
            return
        step = SLOW_CHUNK if kind == "slow" else CHUNK
        for start in range(0, len(body), step):
            self.wfile.write(body[start:start + step])
            if kind == "slow":
                self.wfile.flush()
                if self.site.stopping.wait(0.1):
                    return
