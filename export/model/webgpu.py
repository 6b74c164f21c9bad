"""The WebGPU graph: the same shards as ``model.onnx``, read by 4- or 8-bit kernels.

In WASM the blocked variants (``int8``, ``q4``, ``q4h8``) are a download format only: each
weight is a ``DequantizeLinear`` of constants that onnxruntime folds into float32 at load
(``export.blockq``). onnxruntime-web's WebGPU execution provider has kernels that compute on
the blocks themselves: ``MatMulNBits`` for a matrix product and ``GatherBlockQuantized`` for
an embedding lookup. This module writes a second, small graph (``model.webgpu.onnx``) that uses
them and reads the very same bytes: ``blockq`` stores each matrix as ``[N, K]`` with blocks
along ``K`` (the products read it with ``transB=1``), which is the byte layout those kernels
take (codes two per byte at 4 bits, first one low; one zero point per block, packed the same
way). So a reader on WebGPU downloads the shards every reader downloads, plus this graph, and
the weights stay 4-bit (or 8-bit) in the GPU's memory.

Each ``DequantizeLinear`` whose output feeds only ``Gemm(A, W, transB=1)`` and ``Gather(W,
ids)`` is replaced: every such Gemm by ``MatMulNBits`` (+ ``Add`` for its bias), every such
Gather by ``GatherBlockQuantized``. Its scales keep their ``Cast`` to float32 (constant, so
folded at load). Anything else is left as it is.
"""
from pathlib import Path

import onnx
from onnx import TensorProto, helper

from export.model.dedup import initializers

WEBGPU_FILE = "model.webgpu.onnx"
MS = "com.microsoft"
_BITS = {TensorProto.UINT4: 4, TensorProto.UINT8: 8}


def write_webgpu_graph(model_path: Path, out_path: Path) -> bool:
    """Write the WebGPU graph of the sharded ``model_path`` (its external data is not read);
    return False, writing nothing, when no weight is stored in blocks (``fp32``, ``q8``)."""
    model = onnx.load(str(model_path), load_external_data=False)
    if not rewrite(model.graph):
        return False
    if not any(o.domain == MS for o in model.opset_import):
        model.opset_import.append(helper.make_opsetid(MS, 1))
    out_path.write_bytes(model.SerializeToString())
    return True


def rewrite(graph) -> int:
    """Replace in ``graph`` each blocked weight's readers by the block kernels; return how
    many weights were rewritten."""
    inits = initializers(graph)
    readers = {}
    for node in graph.node:
        for name in node.input:
            readers.setdefault(name, []).append(node)
    done = 0
    for dq in [n for n in graph.node if n.op_type == "DequantizeLinear"]:
        codes = inits.get(dq.input[0])
        users = readers.get(dq.output[0], [])
        if codes is None or codes.data_type not in _BITS or len(codes.dims) != 2 or len(dq.input) < 3 \
                or _attr(dq, "axis") != 1 or not users or not all(_readable(u, dq.output[0]) for u in users):
            continue
        bits, block = _BITS[codes.data_type], _attr(dq, "block_size")
        n, k = codes.dims
        blocks = -(-k // block)
        if k % block or (bits == 4 and blocks % 2):
            continue  # the packed bytes would not line up with the kernels' per-row layout
        scales = _producer(graph, dq.input[1])  # Cast(float16 scales) -> float32
        zero_points = inits[dq.input[2]]
        name = dq.output[0]
        for user in users:
            if user.op_type == "Gemm":
                matrix = _retyped(graph, codes, f"{name}.nbits", [n, blocks, block * bits // 8])
                zp = _retyped(graph, zero_points, f"{name}.nbits_zero_points", [n * blocks * bits // 8])
                flat = f"{name}.nbits_scales"
                if not any(x.output[0] == flat for x in graph.node):
                    _insert_after(graph, scales, helper.make_node("Reshape", [scales.output[0], _shape(graph, flat, [-1])],
                                                                  [flat], name=f"{flat}/reshape"))
                out = user.output[0] if len(user.input) < 3 or not user.input[2] else f"{user.output[0]}/nbits"
                new = [helper.make_node("MatMulNBits", [user.input[0], matrix, flat, zp], [out], domain=MS,
                                        name=f"{user.name or out}/nbits", K=k, N=n, bits=bits, block_size=block)]
                if out != user.output[0]:
                    new.append(helper.make_node("Add", [out, user.input[2]], [user.output[0]], name=f"{out}/bias"))
            else:  # Gather
                table = _retyped(graph, codes, f"{name}.gather", [n, k * bits // 8])
                zp = _retyped(graph, zero_points, f"{name}.gather_zero_points", [n, blocks * bits // 8])
                new = [helper.make_node("GatherBlockQuantized", [table, user.input[1], scales.output[0], zp],
                                        list(user.output), domain=MS, name=f"{user.name or name}/blocks",
                                        bits=bits, block_size=block, gather_axis=0, quantize_axis=1)]
            at = list(graph.node).index(user)
            graph.node.remove(user)
            for offset, node in enumerate(new):
                graph.node.insert(at + offset, node)
        graph.node.remove(dq)
        _drop(graph, codes.name)
        _drop(graph, zero_points.name)
        done += 1
    return done


def _readable(node, weight) -> bool:
    if node.op_type == "Gemm":
        return list(node.input[1:2]) == [weight] and node.input[0] != weight and _attr(node, "transB") == 1 \
            and not _attr(node, "transA") and _attr(node, "alpha", 1.0) == 1.0 and _attr(node, "beta", 1.0) == 1.0
    return node.op_type == "Gather" and node.input[0] == weight and node.input[1] != weight and not _attr(node, "axis")


def _attr(node, name, default=None):
    return next((helper.get_attribute_value(a) for a in node.attribute if a.name == name), default)


def _producer(graph, output):
    return next(n for n in graph.node if output in n.output)


def _retyped(graph, tensor, name: str, dims: list) -> str:
    """An initializer ``name`` over ``tensor``'s bytes (the same file range when external) as uint8 of ``dims``."""
    if name not in initializers(graph):
        copy = TensorProto()
        copy.CopyFrom(tensor)
        copy.name, copy.data_type = name, TensorProto.UINT8
        del copy.dims[:]
        copy.dims.extend(dims)
        graph.initializer.append(copy)
    return name


def _shape(graph, name: str, dims: list) -> str:
    graph.initializer.append(helper.make_tensor(f"{name}.shape", TensorProto.INT64, [len(dims)], dims))
    return f"{name}.shape"


def _insert_after(graph, node, new) -> None:
    graph.node.insert(list(graph.node).index(node) + 1, new)


def _drop(graph, name: str) -> None:
    if not any(name in n.input for n in graph.node):
        index = next(i for i, t in enumerate(graph.initializer) if t.name == name)
        del graph.initializer[index]
