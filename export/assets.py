"""Copy what the page loads into the site: its own CSS/JS/Python and the vendored runtimes.

Runtimes come from node_modules (pinned by package-lock.json), never from a CDN, so the
built site requests nothing from any origin but its own.
"""
import shutil
from pathlib import Path

from export.errors import BuildError

# (npm package, files the page needs, destination under the site root)
VENDOR = [
    ("pyodide", ["pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip",
                 "pyodide-lock.json"], "vendor/pyodide"),
    # WASM-only build of onnxruntime-web: the default bundle would also fetch WebGPU files.
    ("onnxruntime-web", ["dist/ort.wasm.min.mjs", "dist/ort-wasm-simd-threaded.mjs",
                         "dist/ort-wasm-simd-threaded.wasm"], "vendor/onnxruntime-web"),
]
LICENSES = ["LICENSE", "LICENSE.md", "LICENSE.txt"]
STATIC_DIRS = [("css", "assets/css"), ("js", "assets/js"), ("images", "assets/images")]
PYTHON_PACKAGE = "nexttoken"


def check_vendor(node_modules: Path) -> None:
    """Fail early, before anything is written, if `npm ci` has not been run."""
    for package, files, _ in VENDOR:
        for name in files:
            if not (node_modules / package / name).is_file():
                raise BuildError(f"{node_modules / package / name} is missing; run `npm ci` first "
                                 "(the README's commands do it for you)")


def copy_vendor(node_modules: Path, site: Path) -> list:
    copied = []
    for package, files, dest in VENDOR:
        (site / dest).mkdir(parents=True, exist_ok=True)
        for name in files + [n for n in LICENSES if (node_modules / package / n).is_file()]:
            shutil.copyfile(node_modules / package / name, site / dest / Path(name).name)
            copied.append(f"{dest}/{Path(name).name}")
    return copied


def copy_static(site_src: Path, site: Path) -> None:
    for src, dest in STATIC_DIRS:
        shutil.copytree(site_src / src, site / dest, dirs_exist_ok=True)


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
