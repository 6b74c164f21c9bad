"""manifest.json: the one contract between the build (Python) and the page (JavaScript).

File names, tensor names, model shape and sha256 hashes are written here once, by the build,
and only ever read by the browser; nothing in JavaScript repeats them.
"""
import hashlib
import json
import subprocess
import sys
from pathlib import Path

from export.errors import BuildError
from export.model.shard import SESSION_CONFIG, files as external_files
from export.model.source import file_sha256

MANIFEST = "manifest.json"
# 3: weights in external-data files of one or more shards (onnx.external_data.files);
# 4: onnx.webgpu, the graph a WebGPU reader runs on the same shards (or null)
# 5: runtimes.files of a third onnxruntime build, "onnxruntime-jspi" (ORT_BUILDS)
# 6: onnx.webgpu names its own variant, fidelity and external_data (maybe another variant's shards)
FORMAT = 6
# The runtime group of each onnxruntime-web build (export.site.assets.VENDOR), by the build's
# name (runtime/model.js BUILDS): a reader downloads one of them, the one model.js chooseOrtBuild picks.
ORT_BUILDS = {"wasm": "onnxruntime", "jspi": "onnxruntime-jspi", "webgpu": "onnxruntime-webgpu"}
# What the pages say (data-build) until ``stamp_build_id`` knows the id: as long as an id.
PENDING_BUILD_ID = "pending-build-id"


def describe_graph(model_path: Path) -> dict:
    """Tensor names and KV-cache layout of an optimum GPT-2 export, read from the graph itself.

    >>> describe_graph(Path("model.onnx"))["cache"][0]  # doctest: +SKIP
    {'past': 'past_key_values.0.key', 'present': 'present.0.key'}
    """
    import onnx

    graph = onnx.load(str(model_path), load_external_data=False).graph
    inputs = {i.name: i for i in graph.input}
    outputs = {o.name for o in graph.output}
    cache = [{"past": name, "present": name.replace("past_key_values.", "present.", 1)}
             for name in inputs if name.startswith("past_key_values.")]
    missing = [c["present"] for c in cache if c["present"] not in outputs]
    if "logits" not in outputs or missing or not cache:
        raise ValueError(f"{model_path.name} is not a with-past text-generation export "
                         f"(missing outputs: {missing or ['logits']})")
    dims = inputs[cache[0]["past"]].type.tensor_type.shape.dim
    return {
        "inputs": [name for name in inputs if not name.startswith("past_key_values.")],
        "logits": "logits",
        "cache": cache,
        # [batch, heads, past_sequence, head_dim]; batch and past length are dynamic
        "cache_heads": dims[1].dim_value,
        "cache_head_dim": dims[3].dim_value,
    }


def sampling_schema(python_dir: Path) -> dict:
    """Every sampler's name, default, range, label, help and orders, and the presets, from
    ``SamplingParams`` in the site's own copy of nexttoken (the Python the page runs), run in a
    fresh interpreter so that it is exactly that copy (docs/parameters.md)."""
    # ``python -c`` puts its working directory first on the module path: the site's copy wins
    code = "import json; from nexttoken.sampling.params import schema; print(json.dumps(schema()))"
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=python_dir)
    if run.returncode:
        last = (run.stderr.strip().splitlines() or ["no output"])[-1]
        raise BuildError(f"{python_dir}: the sampling schema (nexttoken/sampling/params.py) "
                         f"failed to load: {last}; fix the declaration it names")
    return json.loads(run.stdout)


def file_entry(root: Path, relpath: str) -> dict:
    path = root / relpath
    return {"bytes": path.stat().st_size, "sha256": file_sha256(path)}


def build_manifest(root: Path, model: dict, onnx_file: str, shards: list, graph: dict, tokenizer: dict,
                   python_files: list, runtimes: dict, tools: dict, sampling: dict = None, webgpu: dict = None) -> dict:
    """Assemble the manifest for a site rooted at ``root`` (all paths relative to it).

    ``shards`` are the weight files in order (``export.shard``); ``onnx.external_data.files``
    says under which name the graph reads each and which shards make it (one, unless a single
    tensor is larger than a shard). ``runtimes``: {path: {bytes, sha256, runtime}} of the
    vendored runtimes' files. ``sampling`` is ``sampling_schema``'s: the samplers' settings,
    from which the build renders the pages' controls and the figures' labels (None for a site
    without the Python package). ``webgpu``: {model, shards, variant, fidelity} of the graph a
    WebGPU reader runs with 4-/8-bit kernels (``export.webgpu``; site_model.copy_model), on the
    same shards or its own variant's, or None: ``onnx.webgpu`` then says which variant and which
    external data it reads. The ``build_id`` is pending until the pages are written
    (``stamp_build_id``).
    """
    gpu = [webgpu["model"], *webgpu["shards"]] if webgpu else []
    listed = [onnx_file, *shards, *tokenizer.values(), *python_files, *gpu]
    files = {rel: file_entry(root, rel) for rel in dict.fromkeys(listed)}
    external = _external_data(shards, files)
    if webgpu:
        webgpu = {"model": webgpu["model"], "variant": webgpu["variant"], "fidelity": webgpu["fidelity"],
                  "external_data": _external_data(webgpu["shards"], files)}
    return {
        "format": FORMAT,
        "build_id": PENDING_BUILD_ID,
        "model": model,
        "onnx": {"model": onnx_file, "external_data": external, "session_config": dict(SESSION_CONFIG),
                 "webgpu": webgpu or None, **graph},
        "tokenizer": tokenizer,
        "python": python_files,
        "sampling": sampling,
        "files": files,
        "runtimes": {"pyodide": "vendor/pyodide/", "onnxruntime": "vendor/onnxruntime-web/",
                     "files": runtimes},
        "tools": tools,
    }


def _external_data(shards: list, files: dict) -> dict:
    """Which external-data file the graph reads under which name, made of which shards (one,
    unless a single tensor is larger than a shard), and their bytes."""
    return {"files": [{"location": location, "shards": parts} for location, parts in external_files(shards)],
            "shards": list(shards), "bytes": sum(files[rel]["bytes"] for rel in shards)}


def stamp_build_id(root: Path, manifest: dict) -> str:
    """Give the build its id and write it into the pages and manifest.json; return it.

    One id for the whole build: the service worker and the browser's caches are keyed by it, so
    any changed file a page loads (model, tokenizer, Python, runtimes, HTML, JS, CSS, images,
    the service worker) invalidates what an earlier visit stored. It is a hash of every file of
    the site but manifest.json, the pages as written with ``PENDING_BUILD_ID`` in them (listed
    files by the sha256 the manifest holds, so the model is not read twice).
    """
    root = Path(root)
    known = {**manifest["files"], **manifest["runtimes"]["files"]}
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        rel = path.relative_to(root).as_posix()
        if rel == MANIFEST:
            continue
        sha = known[rel]["sha256"] if rel in known else file_sha256(path)
        digest.update(f"{rel}\0{sha}\n".encode())
    build_id = digest.hexdigest()[:16]
    for page in root.glob("*.html"):
        page.write_text(page.read_text(encoding="utf-8").replace(PENDING_BUILD_ID, build_id), encoding="utf-8")
    manifest["build_id"] = build_id
    write_manifest(root, manifest)
    return build_id


def graph_files(manifest: dict, ort_build: str = "wasm") -> list:
    """The graph onnxruntime-web's build ``ort_build`` runs and the shards it reads (runtime/model.js
    ortBuildFiles): ``onnx.webgpu``'s for "webgpu", else ``onnx``'s."""
    onnx = manifest["onnx"]
    entry = onnx["webgpu"] if ort_build == "webgpu" else onnx
    return [entry["model"], *entry["external_data"]["shards"]]


def loaded_files(manifest: dict, ort_build: str = "wasm") -> dict:
    """{path: entry} of what a load with onnxruntime-web's build ``ort_build`` ("wasm", "jspi"
    or "webgpu") downloads: every listed file and runtime but the other builds' and the model
    files it does not run (the page's fileGroups, runtime/loader.js)."""
    if ort_build not in ORT_BUILDS:
        raise ValueError(f"ort_build must be one of {', '.join(ORT_BUILDS)}, not {ort_build!r}")
    if ort_build == "webgpu" and not manifest["onnx"].get("webgpu"):
        raise ValueError("this build has no WebGPU graph (manifest onnx.webgpu is null)")
    builds = ("wasm", "webgpu") if manifest["onnx"].get("webgpu") else ("wasm",)
    other_model = {path for build in builds for path in graph_files(manifest, build)} - set(graph_files(manifest, ort_build))
    others = set(ORT_BUILDS.values()) - {ORT_BUILDS[ort_build]}
    runtimes = manifest.get("runtimes", {}).get("files", {})
    return {**{path: f for path, f in manifest["files"].items() if path not in other_model},
            **{path: f for path, f in runtimes.items() if f.get("runtime") not in others}}


def download_bytes(manifest: dict) -> int:
    """What a reader who loads the model on WebAssembly downloads (with the larger of the two
    WebAssembly builds, so the page never promises less than it fetches)."""
    return max(sum(f["bytes"] for f in loaded_files(manifest, ort_build).values()) for ort_build in ("wasm", "jspi"))


def write_manifest(root: Path, manifest: dict) -> Path:
    path = root / MANIFEST
    path.write_text(json.dumps(manifest, indent=1, sort_keys=True))
    return path


def read_manifest(root: Path) -> dict:
    return json.loads((Path(root) / MANIFEST).read_text())
