"""The export's variants: which weights are stored in how many bits.

Every variant stores GPT-2's tied embedding / LM-head matrix once (``export.dedup``), and
every variant runs in float32: the quantized ones are a smaller download only, expanded back
to float32 weights when the session loads (``export.blockq``).

- ``fp32``: the weights as trained.
- ``int8``: 8-bit blocks of 128 (a float16 scale and a zero point each).
- ``q4``: 4-bit blocks of 32 for every matrix: the smallest download.

The position embedding is 8-bit in every quantized variant: at 0.6% of the weights it is not
worth 4 bits' error.
"""
import onnx
from onnx import helper

from export import blockq
from export.dedup import find_tied_head, initializers, tie_fp32_head

VARIANTS = ("fp32", "int8", "q4")
BITS = {"int8": 8, "q4": 4}
# What --variant auto tries: smallest download first.
AUTO_ORDER = ("q4", "int8", "fp32")


def quantize_model(model: onnx.ModelProto, variant: str) -> onnx.ModelProto:
    """Rewrite ``model`` in place into ``variant``: only initializers change, each quantized
    one becoming a DequantizeLinear output under its own name."""
    if variant not in VARIANTS:
        raise ValueError(f"unknown variant {variant!r}; choose from {', '.join(VARIANTS)}")
    tied = find_tied_head(model.graph)
    tie_fp32_head(model)  # the LM head now reads the embedding table (its Gemm transposes it)
    if variant == "fp32":
        return model
    graph, bits = model.graph, BITS[variant]
    for weight in sorted({n.input[1] for n in graph.node if _is_plain_gemm(graph, n)}):
        blockq.store_quantized(graph, weight, axis=0, bits=bits)  # [K, N]: blocks along K, summed over
    for table in _gather_tables(graph):  # the position embedding (and an untied token embedding)
        blockq.store_quantized(graph, table, axis=1, bits=8)
    if tied is not None:  # [vocab, width]: blocks along the width, which the LM head sums over
        blockq.store_quantized(graph, tied.embedding, axis=1, bits=bits)
    blockq.require_opset(model)
    return model


def _is_plain_gemm(graph, node) -> bool:
    """Y = A @ B + C with B a 2-D initializer: the shape of every GPT-2 Conv1D layer."""
    if node.op_type != "Gemm" or node.input[1] not in initializers(graph):
        return False
    attrs = {a.name: helper.get_attribute_value(a) for a in node.attribute}
    return attrs.get("transA", 0) == 0 and attrs.get("transB", 0) == 0 and attrs.get("alpha", 1.0) == 1.0 \
        and attrs.get("beta", 1.0) == 1.0 and len(initializers(graph)[node.input[1]].dims) == 2


def _gather_tables(graph) -> list:
    """Float32 2-D initializers read only by Gathers: the embedding tables left to quantize."""
    inits = initializers(graph)
    readers = {}
    for node in graph.node:
        for name in node.input:
            readers.setdefault(name, set()).add(node.op_type)
    return sorted(name for name, ops in readers.items() if ops == {"Gather"} and name in inits
                  and inits[name].data_type == onnx.TensorProto.FLOAT and len(inits[name].dims) == 2)
