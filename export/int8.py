"""Per-channel int8 weights multiplied by dynamically quantized activations.

Each weight matrix becomes int8 with one float scale per output channel (symmetric, zero point
0), and each multiplication a ``DynamicQuantizeMatMul``: onnxruntime rounds the activations to
uint8 per call and multiplies in integers, which its WASM build does with SIMD kernels.

GPT-2's tied matrix is stored once, as int8 rows [vocab, width] with one scale per token: the
embedding Gather picks rows and rescales them, and the LM head multiplies by the transpose,
which onnxruntime computes once when the session loads (constant folding), never per token.
"""
import numpy as np
import onnx
from onnx import helper, numpy_helper

from export.dedup import drop_initializer, initializers, replace_node

MS_DOMAIN = "com.microsoft"


def quantize_rows(weight_nk: np.ndarray):
    """Symmetric int8 per row of an [N, K] matrix: (int8 [N, K], float32 scales [N])."""
    scales = (np.maximum(np.abs(weight_nk).max(axis=1), 1e-30) / 127).astype(np.float32)
    q = np.clip(np.rint(weight_nk / scales[:, None]), -127, 127).astype(np.int8)
    return q, scales


def gemm_to_int8(graph, node) -> None:
    """``A @ W + b`` (W a [K, N] initializer) becomes a DynamicQuantizeMatMul on int8 W."""
    weight = node.input[1]
    q, scales = quantize_rows(numpy_helper.to_array(initializers(graph)[weight]).T)
    names = _store(graph, weight, np.ascontiguousarray(q.T), scales)
    bias = node.input[2] if len(node.input) > 2 else ""
    replace_node(graph, node, [_matmul(node, node.input[0], *names, bias)])
    drop_initializer(graph, weight)


def table_to_int8(graph, table: str) -> tuple:
    """Store an embedding table as int8 rows; its Gathers rescale the rows they pick."""
    rows, scales = _store(graph, table, *quantize_rows(numpy_helper.to_array(initializers(graph)[table])))
    last = f"{table}.last_axis"
    graph.initializer.append(numpy_helper.from_array(np.array([-1], dtype=np.int64), last))
    for node in [n for n in graph.node if n.op_type == "Gather" and n.input[0] == table]:
        ids, p = node.input[1], node.name or table
        replace_node(graph, node, [
            helper.make_node("Gather", [rows, ids], [f"{p}/rows"], name=f"{p}/rows"),
            helper.make_node("Cast", [f"{p}/rows"], [f"{p}/rows_f"], name=f"{p}/cast", to=onnx.TensorProto.FLOAT),
            helper.make_node("Gather", [scales, ids], [f"{p}/scale"], name=f"{p}/scale"),
            helper.make_node("Unsqueeze", [f"{p}/scale", last], [f"{p}/scale_col"], name=f"{p}/unsqueeze"),
            helper.make_node("Mul", [f"{p}/rows_f", f"{p}/scale_col"], list(node.output), name=p),
        ])
    drop_initializer(graph, table)
    return rows, scales


def head_to_int8(graph, head, table: tuple) -> None:
    """The tied LM head multiplies by the embedding's int8 rows, transposed once at load."""
    rows, scales = table
    transposed = f"{rows}.T"
    replace_node(graph, head, [
        helper.make_node("Transpose", [rows], [transposed], name=f"{head.name}/transpose", perm=[1, 0]),
        _matmul(head, head.input[0], transposed, scales),
    ])


def _store(graph, name: str, q: np.ndarray, scales: np.ndarray) -> tuple:
    graph.initializer.extend([numpy_helper.from_array(q, f"{name}.int8"),
                              numpy_helper.from_array(scales, f"{name}.scales")])
    return f"{name}.int8", f"{name}.scales"


def _matmul(node, a: str, weight_kn: str, scales: str, bias: str = "") -> onnx.NodeProto:
    inputs = [a, weight_kn, scales, "", bias] if bias else [a, weight_kn, scales]
    return helper.make_node("DynamicQuantizeMatMul", inputs, list(node.output), name=node.name, domain=MS_DOMAIN)
