"""transformers.js, what a developer would pick instead, on the site's own ONNX file.

The pinned ``@huggingface/transformers`` is installed by npm into the benchmarks' work
directory (never into the site's package.json); its browser bundle runs in a module worker
(benchmarks/pages/tfjs_worker.js) of the same headless Chromium, loading from localhost a
Hugging Face-style model directory whose ``onnx/model.onnx`` is a link to the site's file.
"""
import json
import shutil
import subprocess
from pathlib import Path

from benchmarks import chromium
from benchmarks.common import summarize

PACKAGE = "@huggingface/transformers"
VERSION = "4.3.2"
MODEL_ID = "nexttoken-gpt2"
BENCH_PAGE = "pages/bench.html?worker=tfjs_worker.js"
CHECKPOINT_FILES = ("config.json", "generation_config.json", "tokenizer.json", "tokenizer_config.json")


def install(prefix: Path) -> dict:
    """Install the pinned transformers.js under ``prefix`` (once); return where its files are."""
    package = prefix / "node_modules" / PACKAGE
    if _version(package) != VERSION:
        prefix.mkdir(parents=True, exist_ok=True)
        npm = shutil.which("npm")
        if not npm:
            raise RuntimeError("npm not found: install Node.js 20+ with npm to benchmark transformers.js")
        proc = subprocess.run([npm, "install", "--prefix", str(prefix), "--ignore-scripts", "--no-save",
                               "--no-audit", "--no-fund", "--omit=optional", f"{PACKAGE}@{VERSION}"],
                              capture_output=True, text=True)
        if proc.returncode != 0:
            raise RuntimeError(f"npm install {PACKAGE}@{VERSION} failed: {proc.stderr.strip()[-500:]}")
    # transformers.js loads the WASM build of the onnxruntime-web it depends on.
    ort = package / "node_modules" / "onnxruntime-web"
    if not ort.is_dir():
        ort = prefix / "node_modules" / "onnxruntime-web"
    return {"dist": package / "dist", "ort_dist": ort / "dist", "version": _version(package),
            "onnxruntime-web": _version(ort)}


def _version(package: Path) -> str:
    try:
        return json.loads((package / "package.json").read_text())["version"]
    except (OSError, ValueError, KeyError):
        return ""


# transformers.js's file for each dtype it is asked for (its own naming: q8 is model_quantized)
GRAPH_FILES = {"fp32": "model.onnx", "q8": "model_quantized.onnx"}


def layout_model(models: Path, site: Path, checkpoint: Path, dtype: str = "fp32", model_id: str = MODEL_ID) -> dict:
    """A local model directory for transformers.js: the checkpoint's config and tokenizer, the
    site's graph linked as ``onnx/model.onnx``, and its external-data files under the names the
    graph gives them (the same bytes). Returns the onnxruntime-web session options the site
    itself uses: ``externalData`` handing each file over under its name, and ``extra``, the manifest's session config (without it, onnxruntime would expand
    quantized weights on every call instead of once at load; docs/export.md)."""
    manifest = json.loads((site / "manifest.json").read_text())
    target = models / model_id
    shutil.rmtree(target, ignore_errors=True)
    (target / "onnx").mkdir(parents=True)
    for name in CHECKPOINT_FILES:
        if (checkpoint / name).is_file():
            shutil.copyfile(checkpoint / name, target / name)
    (target / "onnx" / GRAPH_FILES[dtype]).symlink_to((site / manifest["onnx"]["model"]).resolve())
    options = {"extra": manifest["onnx"].get("session_config", {})}
    external = manifest["onnx"]["external_data"]["files"]
    if not external:
        return options
    for entry in external:  # each external-data file under the name the graph gives it
        with open(target / "onnx" / entry["location"], "wb") as joined:
            for shard in entry["shards"]:
                with open(site / shard, "rb") as part:
                    shutil.copyfileobj(part, joined, 1 << 20)
    return {**options, "externalData": [{"path": e["location"], "data": f"onnx/{e['location']}"} for e in external]}


def measure(base_url: str, prompt_ids: list, threads: int, settings, session_options=None) -> dict:
    """Session ready (network, cache), prefill, decode and generate-loop rows for transformers.js."""
    url = base_url + BENCH_PAGE
    loads = {"session_network": [], "session_cache": []}
    with chromium.profile() as session:
        for round_ in range(settings.load_warmups + settings.loads):
            chromium.clear_origin(session.cdp, url)
            for state in ("network", "cache"):
                call = chromium.open_bench(session.page, url)
                info = call("load", modelId=MODEL_ID, threads=threads, sessionOptions=session_options or {})
                if round_ >= settings.load_warmups:
                    loads[f"session_{state}"].append(info["ms"])
        steps = call("steps", prompt=prompt_ids, prefills=settings.prefills,
                     runs=settings.decode_runs, steps=settings.decode_steps)
        errors = [e for e in session.errors if "numThreads" not in e]
        if errors:
            raise RuntimeError(f"the transformers.js page reported errors: {errors[:3]}")
    rows = {key: summarize(values) for key, values in loads.items()}
    rows.update(prefill=summarize(steps["prefill"]), decode=summarize(steps["decode"]),
                generate_loop=summarize(steps["loop"]))
    wasm = info["wasmPaths"].get("wasm", "") if isinstance(info["wasmPaths"], dict) else info["wasmPaths"]
    return {"threads": info["threads"], "isolated": info["isolated"], "wasm": wasm.rsplit("/", 1)[-1], "rows": rows}
