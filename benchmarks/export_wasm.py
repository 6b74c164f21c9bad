"""An export's model in onnxruntime-web (headless Chromium), through the site's own model.js.

``model_site`` lays out the smallest site that loads a model: the graph and shards, the
manifest written by the build's own functions, the page's engine modules and the vendored
onnxruntime-web. ``run_in_browser`` serves it and runs ``pages/export_model.html``: a prefill,
greedy steps, and their timings, with one WASM thread (the site's case without cross-origin
isolation). Used by benchmarks/bench_export.py and tests/build/test_wasm.py.
"""
import shutil
from pathlib import Path

from export.site import assets
from export.site.manifest import build_manifest, describe_graph, write_manifest
from export.model.onnx_export import tool_versions
from export.site.server import serving
from export.site.site_model import copy_model, model_entry

ROOT = Path(__file__).resolve().parent.parent
PAGE = Path(__file__).resolve().parent / "pages" / "export_model.html"
ENGINE_MODULES = ("model.js", "fetch.js", "progress.js", "store.js")


def model_site(export, source, site: Path, webgpu=None) -> Path:
    """Write a model-only site for ``export`` into ``site`` (which must not exist). Its WebGPU
    graph: ``webgpu``'s (an export of a variant with one), else ``export``'s own if it has one."""
    site.mkdir(parents=True)
    webgpu = webgpu or (export if export.record.get("webgpu") else None)
    onnx_file, shards, tokenizer, webgpu = copy_model(site, export, webgpu)
    manifest = build_manifest(site, model_entry(source, export), onnx_file, shards,
                              describe_graph(site / onnx_file), tokenizer, [], {}, tool_versions(), webgpu=webgpu)
    for package, files, dest, *_ in [v for v in assets.VENDOR if v[0] == "onnxruntime-web"]:  # WASM and WebGPU
        (site / dest).mkdir(parents=True, exist_ok=True)
        for name in files:
            shutil.copyfile(ROOT / "node_modules" / package / name, site / dest / Path(name).name)
        manifest["runtimes"]["onnxruntime"] = f"{dest}/"
    write_manifest(site, manifest)
    (site / "assets/js/runtime").mkdir(parents=True)
    for name in ENGINE_MODULES:
        shutil.copyfile(ROOT / "site_src/js/runtime" / name, site / "assets/js/runtime" / name)
    shutil.copyfile(PAGE, site / PAGE.name)
    return site


def run_in_browser(browser, site: Path, prompt: list, steps: int, backend: str = "wasm") -> dict:
    """Run the page against ``site`` in a fresh context of ``browser`` on ``backend`` ("wasm",
    or "webgpu": the browser needs WebGPU, see tests.browser.WEBGPU_ARGS); raise on any page error."""
    errors = []
    with serving(site) as url:
        context = browser.new_context()
        try:
            page = context.new_page()
            page.set_default_timeout(600_000)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("console", lambda m: m.type == "error" and errors.append(m.text))
            page.goto(url + PAGE.name)
            page.wait_for_function("window.ready === true")
            result = page.evaluate("(args) => window.runModel(args)", {"prompt": prompt, "steps": steps, "backend": backend})
        finally:
            context.close()
    if errors:
        raise RuntimeError(f"the page reported errors: {errors[:3]}")
    return result
