"""Run Python code inside Pyodide (the same interpreter the browser uses), under Node.

The project directory is mounted at ``/project`` and ``site_src/python`` is on ``sys.path``,
so scripts can ``import nexttoken`` and read test data from ``/project/...``.
"""
import json
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNNER = ROOT / "tests" / "pyodide_run.mjs"


def run_in_pyodide(source: str, timeout: float = 300):
    """Execute ``source`` in Pyodide and return the JSON-decoded value of its ``result`` variable.

    >>> run_in_pyodide("import sys; result = sys.platform")
    'emscripten'
    """
    proc = subprocess.run(
        ["node", str(RUNNER)], input=source, capture_output=True, text=True,
        cwd=ROOT, timeout=timeout,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"Pyodide run failed:\n{proc.stderr[-4000:]}")
    return json.loads(proc.stdout)


def package_files():
    """Project-relative paths of the nexttoken package's Python files."""
    package = ROOT / "site_src" / "python" / "nexttoken"
    return sorted(str(p.relative_to(ROOT)) for p in package.rglob("*.py"))


def run_in_chromium_pyodide(source: str, files=(), timeout: float = 300, browser=None):
    """Like ``run_in_pyodide`` but in headless Chromium, as the site runs.

    ``files`` are extra project-relative paths copied to ``/project/<path>`` first (the
    nexttoken package always is). Pass the test session's ``browser`` fixture when one is open:
    Playwright's sync API allows one instance at a time.
    """
    from contextlib import nullcontext

    from export.site.server import serving as serve
    from tests.browser import chromium

    with serve(ROOT) as base, (nullcontext(browser) if browser else chromium()) as chrome:
        page = chrome.new_page()
        try:
            page.set_default_timeout(timeout * 1000)
            page.goto(base + "tests/pyodide_page.html")
            page.wait_for_function("window.pageReady === true")
            out = page.evaluate("([s, f]) => window.runPython(s, f)",
                                [source, package_files() + list(files)])
        finally:
            page.close()
        return json.loads(out)
