"""The WebGPU graph (export/model/webgpu.py): the blocked variants' second graph, which reads
the same shards with 4-/8-bit kernels. Natively it gives what the WASM graph gives; in
headless Chromium on SwiftShader's WebGPU adapter, through the site's own model.js, it gives
native onnxruntime's tokens and distributions. A variant without one (q8, fp32) can ship
another variant's WebGPU graph over that variant's own shards (export_webgpu)."""
from collections import Counter

import numpy as np
import onnx
import pytest

from benchmarks.export_wasm import model_site, run_in_browser
from export.errors import BuildError
from export.model.onnx_export import ExportSettings, export_webgpu
from export.model.onnx_runner import OnnxLM
from export.site.manifest import download_bytes, graph_files, loaded_files
from tests.build.conftest import BLOCKED, SMALL_SHARDS
from tests.models import gpt2_tokenizer

PROMPT = "Once upon a time, in a quiet town by the sea,"


def graph_ops(site, rel):
    graph = onnx.load(str(site / rel), load_external_data=False).graph
    return graph, Counter(n.op_type for n in graph.node)


@pytest.mark.parametrize("variant", ["fp32", "q8"])
def test_only_blocked_variants_have_a_webgpu_graph_of_their_own(variant, variant_sites):
    assert OnnxLM(variant_sites[variant]).manifest["onnx"]["webgpu"] is None
    with pytest.raises(ValueError, match="graph must be 'wasm' or 'webgpu' \\(this site has no WebGPU graph\\)"):
        OnnxLM(variant_sites[variant], graph="webgpu")


@pytest.mark.parametrize("variant", BLOCKED)
def test_the_webgpu_graph_reads_every_block_with_a_block_kernel_from_the_same_shards(variant, wide_sites):
    site = wide_sites[variant]
    onnx_entry = OnnxLM(site).manifest["onnx"]
    graph, ops = graph_ops(site, onnx_entry["webgpu"]["model"])
    _, wasm_ops = graph_ops(site, onnx_entry["model"])
    assert wasm_ops["Gemm"] == ops["MatMulNBits"] > 0 and wasm_ops["DequantizeLinear"] > 0
    assert ops["Gemm"] == ops["DequantizeLinear"] == 0 and ops["GatherBlockQuantized"] == 2  # tokens, positions
    bits = {helper_attr(n, "bits") for n in graph.node if n.op_type == "MatMulNBits"}
    assert bits == {"int8": {8}, "q4": {4}, "q4h8": {4, 8}}[variant]
    locations = {e.value for t in graph.initializer for e in t.external_data if e.key == "location"}
    assert locations and locations <= {f["location"] for f in onnx_entry["external_data"]["files"]}


def helper_attr(node, name):
    return next(onnx.helper.get_attribute_value(a) for a in node.attribute if a.name == name)


@pytest.mark.parametrize("variant", BLOCKED)
def test_the_webgpu_graph_computes_what_the_wasm_graph_does(variant, wide_sites):
    site = wide_sites[variant]
    ids = gpt2_tokenizer().encode(PROMPT)
    wasm, gpu = OnnxLM(site), OnnxLM(site, graph="webgpu")
    assert np.max(np.abs(wasm.step(ids) - gpu.step(ids))) <= 1e-4
    assert wasm.greedy(ids, 8) == gpu.greedy(ids, 8)


def log_softmax(x):
    x = np.asarray(x, dtype=np.float64)
    return x - x.max() - np.log(np.exp(x - x.max()).sum())


@pytest.mark.parametrize("variant", ["q4", "q4h8"])
def test_webgpu_in_the_browser_matches_native(variant, wide_sites, webgpu_browser):
    site = wide_sites[variant]
    ids = gpt2_tokenizer().encode(PROMPT)
    result = run_in_browser(webgpu_browser, site, ids, steps=6, backend="webgpu")
    lm = OnnxLM(site, graph="webgpu")
    native = log_softmax(lm.step(ids))
    page = log_softmax(result["first"])
    assert result["backend"] == "webgpu"
    assert np.argmax(page) == np.argmax(native)
    assert float(np.sum(np.exp(native) * (native - page))) <= 1e-3  # KL, far inside the fidelity bar (0.01)
    assert result["ids"] == lm.greedy(ids, 6)


SETTINGS = ExportSettings(shard_bytes=SMALL_SHARDS)


@pytest.mark.parametrize("variant", BLOCKED)
def test_webgpu_auto_takes_a_blocked_variants_own_graph(variant, variant_exports, tiny_source, export_cache):
    gpu, report = export_webgpu(tiny_source, export_cache, SETTINGS, variant_exports[variant], "auto")
    assert gpu is variant_exports[variant]
    assert report == [f"  {variant}: the WebAssembly variant's own WebGPU graph, on the same shards"]


def test_webgpu_auto_takes_the_first_faithful_blocked_variant(variant_exports, tiny_source, export_cache):
    """On the tiny random model q4 and q4h8 fail the fidelity bar and int8 meets it: a q8 build
    gets int8's WebGPU graph, and the report says what was tried and why."""
    gpu, report = export_webgpu(tiny_source, export_cache, SETTINGS, variant_exports["q8"], "auto")
    assert gpu.variant == "int8" and gpu.dir == variant_exports["int8"].dir and gpu.record["webgpu"]
    assert [line.split()[0] for line in report[:-1]] == ["q4", "q4h8", "int8"]
    assert all("below the bar" in line and "chosen" not in line for line in report[:2])
    assert " ok  <- chosen" in report[2]
    assert report[-1] == "  int8 on its own shards, which only WebGPU readers download"


def test_webgpu_as_asked(variant_exports, tiny_source, export_cache):
    q8 = variant_exports["q8"]
    gpu, report = export_webgpu(tiny_source, export_cache, SETTINGS, q8, "q4h8")
    assert gpu.variant == "q4h8" and gpu.dir == variant_exports["q4h8"].dir and "<- chosen" in report[0]
    assert report[-1] == "  q4h8 on its own shards, which only WebGPU readers download"
    gpu, report = export_webgpu(tiny_source, export_cache, SETTINGS, variant_exports["q4"], "q4")
    assert gpu is variant_exports["q4"] and report == ["  q4: the WebAssembly variant's own WebGPU graph, on the same shards"]
    assert export_webgpu(tiny_source, export_cache, SETTINGS, variant_exports["q4"], "none")[0] is None
    with pytest.raises(BuildError, match=r"^--webgpu q8: unknown; choose one of auto, none, q4, q4h8, int8$"):
        export_webgpu(tiny_source, export_cache, SETTINGS, q8, "q8")


def test_a_variant_without_a_webgpu_graph_is_never_shipped_for_webgpu(export_cache, tmp_path_factory):
    """Width 36: no matrix is a whole number of q4's block pairs (64), so q4 has no WebGPU graph;
    auto passes over it and asking for it is one clear error."""
    from export.model.onnx_export import export_model
    from export.model.source import resolve
    from tests.models import make_gpt2

    source = resolve(str(make_gpt2(tmp_path_factory.mktemp("narrow-gpt2"), n_layer=1, n_head=2, n_embd=36,
                                   n_positions=32)))
    q8 = export_model(source, export_cache, ExportSettings(variant="q8"))
    with pytest.raises(BuildError, match=r"^--webgpu q4: no matrix of this model is a whole number of q4's blocks, "
                                         r"so it has no WebGPU graph; choose --webgpu auto or none$"):
        export_webgpu(source, export_cache, ExportSettings(), q8, "q4")
    gpu, report = export_webgpu(source, export_cache, ExportSettings(), q8, "auto")
    assert gpu is None and [line.split()[0] for line in report[:-1]] == ["q4", "q4h8", "int8"]
    assert report[-1] == "  none is faithful with a WebGPU graph: WebGPU readers run q8 on WebAssembly"


@pytest.fixture(scope="module")
def q8_site_with_q4_webgpu(wide_exports, wide_source, tmp_path_factory):
    """A q8 site whose WebGPU graph is q4's, over q4's own shards (model/webgpu/)."""
    return model_site(wide_exports["q8"], wide_source, tmp_path_factory.mktemp("q8-q4") / "site",
                      webgpu=wide_exports["q4"])


def test_another_variants_webgpu_graph_reads_its_own_shards(q8_site_with_q4_webgpu, wide_sites):
    site = q8_site_with_q4_webgpu
    manifest = OnnxLM(site).manifest
    gpu = manifest["onnx"]["webgpu"]
    assert gpu["variant"] == "q4" and manifest["model"]["variant"] == "q8"
    wasm_files, gpu_files = set(graph_files(manifest, "wasm")), set(graph_files(manifest, "webgpu"))
    assert not wasm_files & gpu_files and all(p.startswith("model/webgpu/") for p in gpu_files)
    # Each reader downloads only its own graph and shards.
    assert not gpu_files & set(loaded_files(manifest, "jspi")) and not wasm_files & set(loaded_files(manifest, "webgpu"))
    # The Load button's size is the WebAssembly reader's: every listed file outside model/webgpu/.
    assert download_bytes(manifest) == sum(f["bytes"] for path, f in manifest["files"].items()
                                           if not path.startswith("model/webgpu/"))
    graph = onnx.load(str(site / gpu["model"]), load_external_data=False).graph
    locations = {e.value for t in graph.initializer for e in t.external_data if e.key == "location"}
    assert locations == {f["location"] for f in gpu["external_data"]["files"]}
    # It computes what q4's own site computes on its WebGPU graph.
    ids = gpt2_tokenizer().encode(PROMPT)
    assert OnnxLM(site, graph="webgpu").greedy(ids, 8) == OnnxLM(wide_sites["q4"], graph="webgpu").greedy(ids, 8)


def test_another_variants_webgpu_graph_in_the_browser(q8_site_with_q4_webgpu, webgpu_browser):
    """Through the site's model.js: WebGPU runs q4 from its own shards, WebAssembly q8."""
    site = q8_site_with_q4_webgpu
    ids = gpt2_tokenizer().encode(PROMPT)
    gpu = run_in_browser(webgpu_browser, site, ids, steps=6, backend="webgpu")
    assert (gpu["backend"], gpu["variant"]) == ("webgpu", "q4")
    assert gpu["ids"] == OnnxLM(site, graph="webgpu").greedy(ids, 6)
    wasm = run_in_browser(webgpu_browser, site, ids, steps=6, backend="wasm")
    assert (wasm["backend"], wasm["variant"]) == ("wasm", "q8") and wasm["ids"] == OnnxLM(site).greedy(ids, 6)
