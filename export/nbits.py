"""onnxruntime's own 4-bit operators: ``MatMulNBits`` and ``GatherBlockQuantized``.

The ``q4`` variant: the smallest download, but onnxruntime-web 1.30's WASM build has no fast
kernel for MatMulNBits, so a token takes several times longer than in float32 (measurements in
docs/export.md). The tied matrix is stored once, in the
[vocab, width/2] layout that GatherBlockQuantized reads; the LM head's MatMulNBits reads the
same bytes as [vocab, blocks, 16] through a Reshape that onnxruntime folds at load.
"""
import numpy as np
import onnx
from onnx import helper, numpy_helper

from export.dedup import drop_initializer, initializers, replace_node

BLOCK = 32
MS_DOMAIN = "com.microsoft"


def quantize_blocks(weight_kn: np.ndarray, bits: int) -> dict:
    """Quantize a [K, N] matrix in blocks of BLOCK along K with onnxruntime's kernel (asymmetric)."""
    from onnxruntime.capi._pybind_state import quantize_matmul_4bits, quantize_matmul_8bits

    k, n = weight_kn.shape
    blocks = k // BLOCK
    packed = np.zeros((n, blocks, BLOCK * bits // 8), dtype=np.uint8)
    scales = np.zeros((n, blocks), dtype=np.float32)
    zero_points = np.zeros((n, (blocks * bits + 7) // 8), dtype=np.uint8)
    kernel = {4: quantize_matmul_4bits, 8: quantize_matmul_8bits}[bits]
    kernel(packed, np.ascontiguousarray(weight_kn, dtype=np.float32), scales, zero_points, BLOCK, n, k, False)
    return {"packed": packed, "scales": scales, "zero_points": zero_points, "bits": bits, "k": k, "n": n}


def add_blocks(graph, base: str, blocks: dict, shape3d: bool) -> dict:
    """Store the blocks; ``shape3d`` keeps MatMulNBits' [N, K/BLOCK, bytes], else a Gather's [N, bytes]."""
    packed = blocks["packed"] if shape3d else blocks["packed"].reshape(blocks["n"], -1)
    names = {"data": f"{base}.q{blocks['bits']}", "scales": f"{base}.scales", "zero_points": f"{base}.zero_points"}
    graph.initializer.extend([numpy_helper.from_array(packed, names["data"]),
                              numpy_helper.from_array(blocks["scales"], names["scales"]),
                              numpy_helper.from_array(blocks["zero_points"], names["zero_points"])])
    return {**blocks, **names}


def gathers_to_blocks(graph, table_name: str, table: dict) -> None:
    for node in [n for n in graph.node if n.op_type == "Gather" and n.input[0] == table_name]:
        inputs = [table["data"], node.input[1], table["scales"], table["zero_points"]]
        replace_node(graph, node, [helper.make_node(
            "GatherBlockQuantized", inputs, list(node.output), name=node.name, domain=MS_DOMAIN,
            bits=table["bits"], block_size=BLOCK, gather_axis=0, quantize_axis=1)])


def head_to_blocks(graph, head, table: dict) -> None:
    shape, reshaped = f"{table['data']}.blocks_shape", f"{table['data']}.blocks"
    graph.initializer.append(numpy_helper.from_array(
        np.array([table["n"], table["k"] // BLOCK, BLOCK * table["bits"] // 8], dtype=np.int64), shape))
    reshape = helper.make_node("Reshape", [table["data"], shape], [reshaped], name=reshaped)
    replace_node(graph, head, [reshape, matmul_nbits(head, reshaped, table)])


def gemm_to_blocks(graph, node, bits: int) -> None:
    weight = node.input[1]
    table = add_blocks(graph, weight, quantize_blocks(numpy_helper.to_array(initializers(graph)[weight]), bits),
                       shape3d=True)
    bias = node.input[2] if len(node.input) > 2 else ""
    replace_node(graph, node, [matmul_nbits(node, table["data"], table, bias)])
    drop_initializer(graph, weight)


def matmul_nbits(node, weight: str, table: dict, bias: str = "") -> onnx.NodeProto:
    inputs = [node.input[0], weight, table["scales"], table["zero_points"]] + (["", bias] if bias else [])
    # No accuracy_level: activations stay float32, as they do in onnxruntime-web, whose WASM
    # kernel ignores the setting; with 4 (int8 activations) native results would drift from it.
    return helper.make_node("MatMulNBits", inputs, list(node.output), name=node.name, domain=MS_DOMAIN,
                            K=table["k"], N=table["n"], bits=table["bits"], block_size=BLOCK)
