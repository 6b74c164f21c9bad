"""The export's variants: which weights are stored in how many bits, and computed in how many.

``fp32``, ``int8`` and ``q4`` store GPT-2's tied embedding / LM-head matrix once
(``export.dedup``) and run in float32: the quantized ones are a smaller download only,
expanded back to float32 weights when the session loads (``export.blockq``); on WebGPU the
blocked ones are computed on as they are (``export.webgpu``).

- ``fp32``: the weights as trained.
- ``int8``: 8-bit blocks of 128 (a float16 scale and a zero point each).
- ``q4``: 4-bit blocks of 32 for every matrix: the smallest download.
- ``q4h8``: 4-bit blocks of 32 for the transformer's matrices, 8-bit blocks of 128 for the tied
  embedding / LM head, the matrix most sensitive to rounding on real GPT-2 (issue 14).
- ``q8``: weights kept 8-bit at run time, activations quantized per call: onnxruntime's
  dynamic quantization (``quantize_dynamic``, per-channel int8 weights), as transformers.js
  makes its ``q8`` files. Its integer kernels read the embedding and the LM head as two int8
  matrices (a Gather's and a MatMul's), so the tied matrix is stored twice, at 8 bits each.

The position embedding is 8-bit in every quantized variant: at 0.6% of the weights it is not
worth 4 bits' error.
"""
import onnx
from onnx import helper

from export.model import blockq
from export.model.dedup import find_tied_head, initializers, tie_fp32_head

VARIANTS = ("fp32", "int8", "q4", "q4h8", "q8")
BITS = {"int8": 8, "q4": 4, "q4h8": 4}          # the transformer's matrices
HEAD_BITS = {"int8": 8, "q4": 4, "q4h8": 8}     # the tied embedding / LM head
# What --variant auto tries, in order, keeping the first faithful one (fidelity first): least
# memory at run time first (the weights a reader's tab holds), then the smaller download.
AUTO_ORDER = ("q8", "q4", "q4h8", "int8", "fp32")
# The variants with a WebGPU graph (export.webgpu computes on their blocks as stored), in the
# order --webgpu auto tries them when the WebAssembly variant has none: AUTO_ORDER's.
WEBGPU_ORDER = tuple(v for v in AUTO_ORDER if v in BITS)
# Why each sits where it does in AUTO_ORDER: what the session holds, then the download.
RUNS_AS = {"q8": "8-bit weights at run time", "q4": "float32 at run time, the smallest download",
           "q4h8": "float32 at run time, an 8-bit LM head", "int8": "float32 at run time", "fp32": "float32"}


def quantize_model(model: onnx.ModelProto, variant: str) -> onnx.ModelProto:
    """Rewrite ``model`` in place into ``variant``: each quantized initializer becomes a
    DequantizeLinear output under its own name (a Gemm's weight transposed, read with transB=1)."""
    if variant not in VARIANTS:
        raise ValueError(f"unknown variant {variant!r}; choose from {', '.join(VARIANTS)}")
    if variant == "q8":
        return dynamic_int8(model)
    tied = find_tied_head(model.graph)
    tie_fp32_head(model)  # the LM head now reads the embedding table (its Gemm transposes it)
    if variant == "fp32":
        return model
    graph, bits = model.graph, BITS[variant]
    for weight in sorted({n.input[1] for n in graph.node if _is_plain_gemm(graph, n)}):
        _transpose_weight(graph, weight)  # [N, K], read with transB=1: the block kernels' layout
        blockq.store_quantized(graph, weight, axis=1, bits=bits)  # blocks along K, summed over
    for table in _gather_tables(graph):  # the position embedding (and an untied token embedding)
        blockq.store_quantized(graph, table, axis=1, bits=8)
    if tied is not None:  # [vocab, width]: blocks along the width, which the LM head sums over
        blockq.store_quantized(graph, tied.embedding, axis=1, bits=HEAD_BITS[variant])
    blockq.require_opset(model)
    return model


def _is_plain_gemm(graph, node) -> bool:
    """Y = A @ B + C with B a 2-D initializer: the shape of every GPT-2 Conv1D layer."""
    if node.op_type != "Gemm" or node.input[1] not in initializers(graph):
        return False
    attrs = {a.name: helper.get_attribute_value(a) for a in node.attribute}
    return attrs.get("transA", 0) == 0 and attrs.get("transB", 0) == 0 and attrs.get("alpha", 1.0) == 1.0 \
        and attrs.get("beta", 1.0) == 1.0 and len(initializers(graph)[node.input[1]].dims) == 2


def _transpose_weight(graph, name: str) -> None:
    """Store the Gemm weight ``name`` as its transpose and have its Gemms read it with ``transB=1``."""
    from onnx import numpy_helper

    init = initializers(graph)[name]
    init.CopyFrom(numpy_helper.from_array(numpy_helper.to_array(init).T.copy(), name))
    for node in graph.node:
        if node.op_type == "Gemm" and node.input[1] == name:
            kept = [a for a in node.attribute if a.name != "transB"]
            del node.attribute[:]
            node.attribute.extend([*kept, helper.make_attribute("transB", 1)])


def _gather_tables(graph) -> list:
    """Float32 2-D initializers read only by Gathers: the embedding tables left to quantize."""
    inits = initializers(graph)
    readers = {}
    for node in graph.node:
        for name in node.input:
            readers.setdefault(name, set()).add(node.op_type)
    return sorted(name for name, ops in readers.items() if ops == {"Gather"} and name in inits
                  and inits[name].data_type == onnx.TensorProto.FLOAT and len(inits[name].dims) == 2)


def dynamic_int8(model: onnx.ModelProto) -> onnx.ModelProto:
    """``q8``: every Conv1D Gemm as MatMul + Add (onnxruntime quantizes MatMul, not Gemm), then
    ``quantize_dynamic`` of the MatMuls and the embedding Gathers; returns the new model."""
    import tempfile
    from pathlib import Path

    from onnxruntime.quantization import QuantType, quantize_dynamic

    graph = model.graph
    for node in [n for n in graph.node if _is_plain_gemm(graph, n)]:
        product = f"{node.name or node.output[0]}/matmul"
        nodes = [helper.make_node("MatMul", node.input[:2], [product], name=product)]
        if len(node.input) > 2 and node.input[2]:
            nodes.append(helper.make_node("Add", [product, node.input[2]], list(node.output),
                                          name=f"{node.name or node.output[0]}/add"))
        else:
            nodes[0].output[0] = node.output[0]
        at = list(graph.node).index(node)
        graph.node.remove(node)
        for offset, new in enumerate(nodes):
            graph.node.insert(at + offset, new)
    with tempfile.TemporaryDirectory() as tmp:
        source, target = Path(tmp) / "in.onnx", Path(tmp) / "out.onnx"
        onnx.save_model(model, str(source), save_as_external_data=True, location="in.data")
        quantize_dynamic(source, target, op_types_to_quantize=["MatMul", "Gather"], per_channel=True,
                         weight_type=QuantType.QInt8, use_external_data_format=True)
        return onnx.load(str(target))
