"""The WebGPU graph (export/model/webgpu.py): the blocked variants' second graph, which reads
the same shards with 4-/8-bit kernels. Natively it gives what the WASM graph gives; in
headless Chromium on SwiftShader's WebGPU adapter, through the site's own model.js, it gives
native onnxruntime's tokens and distributions."""
from collections import Counter

import numpy as np
import onnx
import pytest

from benchmarks.export_wasm import run_in_browser
from export.model.onnx_runner import OnnxLM
from tests.build.conftest import BLOCKED
from tests.models import gpt2_tokenizer

PROMPT = "Once upon a time, in a quiet town by the sea,"


def graph_ops(site, rel):
    graph = onnx.load(str(site / rel), load_external_data=False).graph
    return graph, Counter(n.op_type for n in graph.node)


@pytest.mark.parametrize("variant", ["fp32", "q8"])
def test_only_blocked_variants_have_a_webgpu_graph(variant, variant_sites):
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
