"""Copy what the page loads into the site: its own CSS/JS/Python and the vendored runtimes.

Runtimes come from node_modules (pinned by package-lock.json), never from a CDN, so the
built site requests nothing from any origin but its own.
"""
import json
import re
import shutil
from pathlib import Path

from export.errors import BuildError
from export.site.manifest import ORT_BUILDS, file_entry

# (npm package, files the page needs, destination under the site root, the runtime they make up)
VENDOR = [
    ("pyodide", ["pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip",
                 "pyodide-lock.json"], "vendor/pyodide", "pyodide"),
    # WASM-only build of onnxruntime-web, which every reader without WebGPU downloads: the
    # default bundle would also fetch the WebGPU build.
    ("onnxruntime-web", ["dist/ort.wasm.min.mjs", "dist/ort-wasm-simd-threaded.mjs",
                         "dist/ort-wasm-simd-threaded.wasm"], "vendor/onnxruntime-web", ORT_BUILDS["wasm"]),
    # Its JSPI build (17 MB of WASM), which a browser with WebAssembly JavaScript Promise
    # Integration (Chromium 137+) downloads instead: it reads the weights from stored files as
    # it needs them, so they are not held in JavaScript memory beside the session's copy
    # (docs/runtime.md).
    ("onnxruntime-web", ["dist/ort.jspi.min.mjs", "dist/ort-wasm-simd-threaded.jspi.mjs",
                         "dist/ort-wasm-simd-threaded.jspi.wasm"], "vendor/onnxruntime-web", ORT_BUILDS["jspi"]),
    # Its WebGPU build (27 MB of WASM), which a reader whose model runs on WebGPU downloads
    # instead (docs/runtime.md).
    ("onnxruntime-web", ["dist/ort.webgpu.min.mjs", "dist/ort-wasm-simd-threaded.asyncify.mjs",
                         "dist/ort-wasm-simd-threaded.asyncify.wasm"], "vendor/onnxruntime-web", ORT_BUILDS["webgpu"]),
]
LICENSES = ["LICENSE", "LICENSE.md", "LICENSE.txt"]
STATIC_DIRS = [("css", "assets/css"), ("js", "assets/js"), ("images", "assets/images")]
PYTHON_PACKAGE = "nexttoken"
# The service worker sits at the site root so that its scope is the whole site; it precaches
# the files listed in SHELL_LIST (every page and the page's own CSS, JS and images). The cache
# code it shares with the engine (STORE, an ES module) is written once and inlined at its top:
# a service worker that imports modules needs Firefox 147 or later.
SERVICE_WORKER = "sw.js"
STORE = "js/runtime/store.js"
SHELL_LIST = "assets/shell.json"


def check_vendor(node_modules: Path) -> None:
    """Fail early, before anything is written, if `npm ci` has not been run."""
    for package, files, *_ in VENDOR:
        for name in files:
            if not (node_modules / package / name).is_file():
                raise BuildError(f"{node_modules / package / name} is missing; run `npm ci` first "
                                 "(the README's commands do it for you)")


def copy_vendor(node_modules: Path, site: Path, webgpu: bool) -> dict:
    """Copy the runtimes and their licenses; return {path: {bytes, sha256, runtime}} of the
    files the page loads (licenses are copied, not listed), for the manifest. ``webgpu``: the
    model has a WebGPU graph, so onnxruntime-web's WebGPU build is copied too."""
    copied = {}
    for package, files, dest, runtime in VENDOR:
        if runtime == ORT_BUILDS["webgpu"] and not webgpu:
            continue
        (site / dest).mkdir(parents=True, exist_ok=True)
        for name in [n for n in LICENSES if (node_modules / package / n).is_file()]:
            shutil.copyfile(node_modules / package / name, site / dest / name)
        for name in files:
            rel = f"{dest}/{Path(name).name}"
            shutil.copyfile(node_modules / package / name, site / rel)
            copied[rel] = {**file_entry(site, rel), "runtime": runtime}
    return copied


def copy_static(site_src: Path, site: Path, pages: list) -> None:
    """Copy the page's CSS, JS and images, the service worker, and the list it precaches: the
    site's ``pages`` and every file copied here."""
    for src, dest in STATIC_DIRS:
        shutil.copytree(site_src / src, site / dest, dirs_exist_ok=True)
    (site / SERVICE_WORKER).write_text(service_worker(site_src), encoding="utf-8")
    shell = sorted(p.relative_to(site).as_posix() for _, dest in STATIC_DIRS
                   for p in (site / dest).rglob("*") if p.is_file())
    (site / SHELL_LIST).write_text(json.dumps([*pages, *shell], indent=0))


def service_worker(site_src: Path) -> str:
    """sw.js with store.js above it, its exports made plain declarations."""
    store = (site_src / STORE).read_text(encoding="utf-8")
    if re.search(r"^\s*import\b", store, re.MULTILINE):
        raise BuildError(f"{STORE} imports another module; the service worker cannot inline it")
    plain = re.sub(r"^export ", "", store, flags=re.MULTILINE)
    return (f"// ---- {STORE}, inlined by the build ----\n{plain}\n"
            f"// ---- {SERVICE_WORKER} ----\n{(site_src / SERVICE_WORKER).read_text(encoding='utf-8')}")


def copy_python(site_src: Path, site: Path) -> list:
    """Copy the nexttoken package; return its files relative to the site root, for the manifest."""
    root = site_src / "python"
    files = sorted(p for p in (root / PYTHON_PACKAGE).rglob("*.py"))
    out = []
    for path in files:
        rel = Path("assets/python") / path.relative_to(root)
        (site / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, site / rel)
        out.append(rel.as_posix())
    return out
