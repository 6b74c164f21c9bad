"""Export time and artifact size per variant, through the build's own ``export_model``.

- the build's export: ``--variant auto`` from an empty cache (optimum's float32 export, then
  each variant tried until one is faithful), as a first build runs it;
- each variant on its own, with benchmarks/bench_export.py's pieces: export from optimum's
  export already made (linked into an otherwise empty cache, so the seconds are the variant's
  own), a model-only site (export_wasm.py), its decode speed in the browser and natively, its
  size and its fidelity to float32.
"""
import os
import re
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from benchmarks import bench_export, export_wasm
from benchmarks.common import single
from export.model.onnx_export import ExportSettings, export_model
from export.model.onnx_runner import OnnxLM
from export.model.quantize import VARIANTS
from tests.browser import chromium

ENGINE = Path(__file__).resolve().parent.parent / "site_src" / "js" / "runtime"
IMPORT = re.compile(r"""^\s*import\b[^"']*["']\./([\w.-]+\.js)["']""", re.M)


def measure(source, cache: Path, prompt_ids: list, steps: int, log=print) -> dict:
    """Export ``source`` into ``cache`` (emptied first); the build then reuses that cache."""
    shutil.rmtree(cache, ignore_errors=True)
    start = time.perf_counter()
    chosen = export_model(source, cache, ExportSettings())
    build_seconds = time.perf_counter() - start
    log(f"export (--variant auto, empty cache): {build_seconds:.0f} s, chose {chosen.variant}")
    reference = next(cache.glob("optimum-*"))
    artifacts = []
    with tempfile.TemporaryDirectory(prefix="nexttoken-variants-") as work, chromium() as browser:
        for variant in VARIANTS:
            alone = Path(work) / f"cache-{variant}"
            alone.mkdir()
            os.symlink(reference.resolve(), alone / reference.name, target_is_directory=True)
            row = _variant(variant, source, alone, Path(work) / variant, browser, prompt_ids, steps)
            log(f"export {variant}: {row['export_s']:.0f} s, {row['mb']:.1f} MB")
            artifacts.append(row)
    return {"export_seconds": build_seconds, "chosen": chosen.variant, "artifacts": artifacts}


def _variant(variant, source, cache, site, browser, prompt_ids, steps) -> dict:
    """bench_export.measure's figures for one variant (same pieces, same definitions)."""
    start = time.perf_counter()
    export = export_model(source, cache, ExportSettings(variant=variant))
    seconds = time.perf_counter() - start
    export_wasm.model_site(export, source, site)
    _complete_engine(site)
    page = export_wasm.run_in_browser(browser, site, prompt_ids, steps + 1)
    fidelity = export.record["fidelity"]
    same_tokens = page["ids"] == OnnxLM(site).greedy(prompt_ids, steps + 1)
    return {"variant": variant, "browser_tokens_match_native": same_tokens,
            "mb": export.record["bytes"] / 1e6, "shards": len(export.record["shards"]),
            "export_s": seconds, "seconds": single(seconds, "s"),
            "native_ms_1": bench_export.native_decode_ms(site, prompt_ids, steps, 1),
            "native_ms_2": bench_export.native_decode_ms(site, prompt_ids, steps, 2),
            "browser_ms": statistics.median(page["decode"][1:]), "browser_load_ms": page["load"],
            "top1": fidelity["top1"], "kl": fidelity["kl"], "positions": fidelity["positions"]}


def _complete_engine(site: Path) -> None:
    """Add any engine module that model.js imports (directly or not) and the site lacks: the
    engine's files change, and a missing one would leave the page waiting until its timeout."""
    engine = site / "assets" / "js" / "runtime"
    todo, seen = ["model.js"], set()
    while todo:
        name = todo.pop()
        seen.add(name)
        if not (engine / name).is_file():
            shutil.copyfile(ENGINE / name, engine / name)
        todo += [n for n in IMPORT.findall((engine / name).read_text()) if n not in seen]
