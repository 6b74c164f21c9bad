"""The export's variants: which weights are stored in how many bits, and how they run.

Every variant stores GPT-2's tied embedding / LM-head matrix once (``export.dedup`` for
float32; the quantized forms share one table between the Gather and the LM head).

- ``fp32``: the weights as trained.
- ``int8``: int8 per output channel; activations rounded to uint8 per multiplication at run
  time (``export.int8``).
- ``q4``: 4-bit blocks of 32 (one scale and zero point each) for every matrix, run by
  onnxruntime's ``MatMulNBits`` (``export.nbits``). The smallest download, but onnxruntime-web's
  WASM build runs it several times slower than float32, so ``--variant auto`` never picks it.

The position embedding is 8-bit in every quantized variant: at 0.6% of the weights it is not
worth 4 bits' error.
"""
import onnx
from onnx import helper, numpy_helper

from export import int8, nbits
from export.dedup import drop_initializer, find_tied_head, initializers, tie_fp32_head

MS_DOMAIN = "com.microsoft"


VARIANTS = ("fp32", "int8", "q4")
# What --variant auto tries, smallest download first: the variants that run at a usable speed
# in the browser (q4 does not; docs/export.md has the measurements).
AUTO_ORDER = ("int8", "fp32")


def quantize_model(model: onnx.ModelProto, variant: str) -> onnx.ModelProto:
    """Rewrite ``model`` in place into ``variant``."""
    if variant not in VARIANTS:
        raise ValueError(f"unknown variant {variant!r}; choose from {', '.join(VARIANTS)}")
    if variant == "fp32":
        tie_fp32_head(model)
        return model
    graph = model.graph
    (_rewrite_int8 if variant == "int8" else _rewrite_q4)(graph)
    if not any(op.domain == MS_DOMAIN for op in model.opset_import):
        model.opset_import.append(helper.make_opsetid(MS_DOMAIN, 1))
    return model


def _rewrite_int8(graph) -> None:
    tied = find_tied_head(graph)
    if tied is not None:
        rows = int8.table_to_int8(graph, tied.embedding)
        int8.head_to_int8(graph, tied.head, rows)
        drop_initializer(graph, tied.head_weight)
    for node in [n for n in graph.node if _is_plain_gemm(graph, n)]:
        int8.gemm_to_int8(graph, node)
    for table in _gather_tables(graph):  # the position embedding (and an untied token embedding)
        int8.table_to_int8(graph, table)


def _rewrite_q4(graph) -> None:
    tied = find_tied_head(graph)
    if tied is not None:
        blocks = nbits.quantize_blocks(numpy_helper.to_array(initializers(graph)[tied.embedding]).T, 4)
        table = nbits.add_blocks(graph, tied.embedding, blocks, shape3d=False)
        nbits.gathers_to_blocks(graph, tied.embedding, table)
        nbits.head_to_blocks(graph, tied.head, table)
        drop_initializer(graph, tied.head_weight)
        drop_initializer(graph, tied.embedding)
    for node in [n for n in graph.node if _is_plain_gemm(graph, n)]:
        nbits.gemm_to_blocks(graph, node, 4)
    for name in _gather_tables(graph):
        blocks = nbits.quantize_blocks(numpy_helper.to_array(initializers(graph)[name]).T, 8)
        nbits.gathers_to_blocks(graph, name, nbits.add_blocks(graph, name, blocks, shape3d=False))
        drop_initializer(graph, name)


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
