"""What the benchmarks serve on localhost: the built site, the benchmark pages, and for
transformers.js its bundle, its WASM files and a Hugging Face-style model directory, all laid
out under one root so every page is same-origin with the files it loads.

Two servers share the root: a plain one (no threads for WASM) and a cross-origin-isolated one
(COOP/COEP headers, so WASM may use several threads).
"""
import contextlib
import os
import shutil
from pathlib import Path

from benchmarks.chromium import ISOLATION
from export.site.server import serving

PAGES = Path(__file__).resolve().parent / "pages"


def make_root(root: Path, site: Path, **extra) -> Path:
    """(Re)create ``root`` with symlinks: site/, pages/, and any ``name=directory`` given."""
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    for name, target in {"site": site, "pages": PAGES, **extra}.items():
        os.symlink(Path(target).resolve(), root / name, target_is_directory=True)
    return root


@contextlib.contextmanager
def servers(root: Path):
    """Yield ``{"plain": url, "isolated": url}`` for two servers of ``root``."""
    with serving(root) as plain, serving(root, headers=ISOLATION) as isolated:
        yield {"plain": plain, "isolated": isolated}
