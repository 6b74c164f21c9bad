"""The engine's loading modules on their own, in Node: which files each runtime needs, the
out-of-memory and unsupported-browser checks, the time-left estimate; and the loading control's
size, as the build renders it from the manifest."""
import json
import re
import subprocess
from pathlib import Path

import pytest

from export.site.manifest import graph_files, loaded_files, read_manifest
from tests.runtime.conftest import render_loader

ENGINE = Path(__file__).resolve().parents[2] / "site_src" / "js" / "runtime"

SCRIPT = """
const loader = await import(process.argv[1] + "/loader.js");
const model = await import(process.argv[1] + "/model.js");
const support = await import(process.argv[1] + "/support.js");
const { Progress } = await import(process.argv[1] + "/fetch.js");
const manifest = JSON.parse(await (await import("node:fs/promises")).readFile(process.argv[2], "utf8"));
const reports = [];
const progress = new Progress((r) => reports.push(r), 0);
progress.expect(1000);
progress.add(400, false);          // from storage: no rate yet
const beforeRate = progress.secondsLeft();
progress.started = performance.now() - 2000;  // 200 network bytes over the last 2 s
progress.add(200, true);
const backend = (m, asked) => loader.chooseBackend(m, asked).catch((e) => `${e.code}: ${e.message}`);
console.log(JSON.stringify({
  groups: loader.fileGroups(manifest),
  jspiGroups: loader.fileGroups(manifest, "jspi"),
  webgpuGroups: loader.fileGroups(manifest, "webgpu"),
  ortBuilds: [model.chooseOrtBuild("wasm", { WebAssembly: {} }), model.chooseOrtBuild("webgpu"),
    model.chooseOrtBuild("wasm", { WebAssembly: { Suspending: function () {}, promising: () => {} } })],
  backends: await Promise.all([backend(manifest, "auto"), backend(manifest, undefined), backend(manifest, "wasm"),
    backend(manifest, "webgpu"), backend(manifest, "cuda"),
    backend({ ...manifest, onnx: { ...manifest.onnx, webgpu: null } }, "webgpu")]),
  oom: ["RangeError: Array buffer allocation failed", "Aborted(OOM)", "MemoryError",
        "WebAssembly.Memory.grow(): Maximum memory size exceeded", "ValueError: top_p"].map(loader.isOutOfMemory),
  unsupported: support.unsupported(),
  threads: loader.threadCount(),
  beforeRate, left: progress.secondsLeft(), reports: reports.length,
}));
"""


def run_node(manifest_path):
    out = subprocess.run(["node", "--input-type=module", "-e", SCRIPT, ENGINE.as_uri(), str(manifest_path)],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


@pytest.fixture(params=["int8", "q8"])
def built(request):
    """int8 (its WebGPU graph reads its shards) or q8 (WebGPU runs q4's graph and shards)."""
    return request.getfixturevalue("site" if request.param == "int8" else "q8_site")


def test_loading_modules(built):
    site = built
    manifest = read_manifest(site)
    result = run_node(site / "manifest.json")
    groups = result["groups"]
    listed = [*manifest["files"], *manifest["runtimes"]["files"]]
    # Every file a load with each onnxruntime build downloads, exactly once, by the runtime that needs it.
    for name, ort_build in (("groups", "wasm"), ("jspiGroups", "jspi"), ("webgpuGroups", "webgpu")):
        assert sorted(sum(result[name].values(), [])) == sorted(loaded_files(manifest, ort_build)), ort_build
    only = {b: set(loaded_files(manifest, b)) - set(loaded_files(manifest)) for b in ("jspi", "webgpu")}
    gpu_model = set(graph_files(manifest, "webgpu")) - set(graph_files(manifest, "wasm"))
    assert len(only["jspi"]) == 3 and len(only["webgpu"] - gpu_model) == 3
    assert len(gpu_model) == (1 if manifest["model"]["variant"] == "int8" else 1 + len(
        manifest["onnx"]["webgpu"]["external_data"]["shards"]))  # the graph, or the graph and q4's shards
    assert set(listed) == set(loaded_files(manifest)) | only["jspi"] | only["webgpu"]
    assert set(result["jspiGroups"]["onnxruntime"]) == only["jspi"]
    assert set(result["webgpuGroups"]["onnxruntime"]) == only["webgpu"] - gpu_model
    assert set(result["webgpuGroups"]["model"]) == set(graph_files(manifest, "webgpu"))
    # A WebAssembly without JavaScript Promise Integration gets the plain WASM build, one with
    # Suspending and promising the JSPI build; WebGPU has its own.
    assert result["ortBuilds"] == ["wasm", "webgpu", "jspi"]
    # Node has no WebGPU: "auto" (the default) is WASM, asking for WebGPU is an error, as is a
    # backend that does not exist or WebGPU asked of a build without its graph.
    assert result["backends"] == [
        "wasm", "wasm", "wasm",
        'unsupported: backend "webgpu" was asked for, but this browser offers no WebGPU adapter; '
        'load with backend "auto" or "wasm"',
        'options: backend must be "auto", "wasm" or "webgpu", not "cuda"',
        f'options: backend "webgpu" was asked for, but this build\'s {manifest["model"]["variant"]} model has no '
        'WebGPU graph; load it with backend "auto" or "wasm"']
    assert set(manifest["onnx"]["external_data"]["shards"]) <= set(groups["model"])
    assert manifest["onnx"]["model"] in groups["model"]
    assert all(p.startswith("vendor/onnxruntime-web/") for p in groups["onnxruntime"])
    assert set(manifest["python"]) <= set(groups["python"])
    assert result["oom"] == [True, True, True, True, False]
    assert result["unsupported"] is None  # Node's V8 has WASM SIMD
    assert result["threads"] == 1  # not cross-origin isolated
    assert result["beforeRate"] is None
    assert 3 < result["left"] < 5  # 400 bytes left at 100 bytes/s, within the clock's drift
    assert result["reports"] == 2


def test_loading_control_states_the_download_size(site):
    """What a load on WebAssembly downloads, with the larger of onnxruntime's two WebAssembly
    builds: not the WebGPU graph nor onnxruntime's WebGPU build."""
    manifest = read_manifest(site)
    total = max(sum(e["bytes"] for e in loaded_files(manifest, b).values()) for b in ("wasm", "jspi"))
    html = render_loader(manifest)
    label = re.search(r"data-loader-start>([^<]*)<", html).group(1)
    assert label == f"Load GPT-2, {total / 1e6:.0f} MB"
    assert f'max="{total}"' in html
