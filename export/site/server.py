"""A static file server for the built site (``build.py serve``) and for tests."""
import contextlib
import functools
import http.server
import threading

# Python 3.11's mimetypes table lacks some of these, and browsers refuse ES modules and
# streaming WASM compilation without the right types.
TYPES = {".mjs": "text/javascript", ".js": "text/javascript", ".wasm": "application/wasm",
         ".json": "application/json", ".webmanifest": "application/manifest+json",
         ".onnx": "application/octet-stream", ".txt": "text/plain; charset=utf-8"}


class Handler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map, **TYPES}
    extra_headers: dict = {}
    quiet = True

    def end_headers(self):
        for name, value in self.extra_headers.items():
            self.send_header(name, value)
        super().end_headers()

    def log_message(self, *args):
        if not self.quiet:
            super().log_message(*args)


def make_server(directory, host="127.0.0.1", port=0, headers=None, quiet=True):
    handler = type("SiteHandler", (Handler,), {"extra_headers": dict(headers or {}), "quiet": quiet})
    return http.server.ThreadingHTTPServer((host, port), functools.partial(handler, directory=str(directory)))


@contextlib.contextmanager
def serving(directory, headers=None, port=0):
    """Serve ``directory`` on 127.0.0.1 in a background thread; yields the base URL (ends in '/')."""
    server = make_server(directory, port=port, headers=headers)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
