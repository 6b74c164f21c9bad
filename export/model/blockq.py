"""Weights stored in blocks of 4 or 8 bits, expanded back to float32 when the session loads.

The ``q4`` variant's download is small, but in WebAssembly nothing in it runs in 4 bits: each
quantized weight is a ``DequantizeLinear`` of constant inputs, and onnxruntime's constant
folding replaces it by the float32 matrix when the session is created, so every token is
computed by the same float32 kernels as the ``fp32`` variant (onnxruntime-web's WASM build has
no fast 4-bit kernel). On WebGPU a second graph reads the same codes with 4-/8-bit kernels
(``export.webgpu``). onnxruntime folds ``DequantizeLinear`` only with the session config
``session.disable_quant_qdq = 1`` (``export.shard.SESSION_CONFIG``, which the manifest hands
to the page); without it every step would dequantize all the weights again.

A block is ``BLOCKS[bits]`` consecutive weights (32 at 4 bits, 128 at 8) along the dimension
a matrix multiplication sums over, with its own float16 scale and an unsigned zero point of
the same width as the weights (asymmetric, like llama.cpp's ``q4_1``). Dequantized weights are
exact in float32: ``(q - zero_point) * float(scale16)`` needs at most 8 + 11 significant bits.

>>> w = np.array([[0.5, -0.25], [1.0, 0.0]], dtype=np.float32)     # [K=2, N=2]
>>> q, scales, zero_points = quantize(w, axis=0, bits=4, block=2)
>>> q.tolist(), scales.tolist(), zero_points.tolist()   # one block per column
([[7, 0], [15, 15]], [[0.06671142578125, 0.0166778564453125]], [[0, 15]])
>>> dequantize(q, scales, zero_points, axis=0, block=2).astype(float).round(3).tolist()  # 16 levels
[[0.467, -0.25], [1.001, 0.0]]
"""
import numpy as np
import onnx
from onnx import helper, numpy_helper

from export.model.dedup import initializers

# Weights per block: at 4 bits a scale per 32 costs 0.6 bits per weight and is needed for
# accuracy; at 8 bits a coarser 128 keeps the overhead at 0.2 bits.
BLOCKS = {4: 32, 8: 128}
OPSET = 21  # DequantizeLinear with block_size and 4-bit types
_TYPES = {4: onnx.TensorProto.UINT4, 8: onnx.TensorProto.UINT8}


def quantize(weight: np.ndarray, axis: int, bits: int, block: int = None) -> tuple:
    """(codes, float16 scales, zero points) of ``weight`` in blocks along ``axis``.

    Codes and zero points are unsigned ``bits``-bit integers held in uint8 arrays; scales and
    zero points have ``weight``'s shape with ``axis`` shortened to the number of blocks.
    """
    levels, block = 2 ** bits - 1, block or BLOCKS[bits]
    w = np.moveaxis(np.asarray(weight, dtype=np.float32), axis, 0)
    k = w.shape[0]
    padded = -(-k // block) * block
    blocks = np.concatenate([w, np.zeros((padded - k, *w.shape[1:]), np.float32)])
    blocks = blocks.reshape(padded // block, block, *w.shape[1:])
    # The range always includes 0, so zero weights stay exactly zero.
    low = np.minimum(blocks.min(axis=1), 0)
    high = np.maximum(blocks.max(axis=1), 0)
    exact = (high - low) / levels
    scales = exact.astype(np.float16)
    # Round the scale up, never down, so the block's ends stay within half a step too.
    short = scales.astype(np.float32) < exact
    scales[short] = np.nextafter(scales[short], np.float16(np.inf))
    scales[high == low] = 1  # an all-zero block: any scale decodes to 0
    step = scales.astype(np.float32)
    zero_points = np.clip(np.rint(-low / step), 0, levels).astype(np.uint8)
    codes = np.clip(np.rint(blocks / step[:, None]) + zero_points[:, None], 0, levels).astype(np.uint8)
    codes = codes.reshape(padded, *w.shape[1:])[:k]
    return np.moveaxis(codes, 0, axis), np.moveaxis(scales, 0, axis), np.moveaxis(zero_points, 0, axis)


def dequantize(codes, scales, zero_points, axis: int, block: int) -> np.ndarray:
    """What ``DequantizeLinear`` computes from ``quantize``'s output (for tests and checks)."""
    expand = lambda a: np.repeat(a, block, axis=axis).take(range(codes.shape[axis]), axis=axis)
    diff = codes.astype(np.float32) - expand(zero_points).astype(np.float32)
    return diff * expand(scales).astype(np.float32)


def pack(codes: np.ndarray, bits: int) -> bytes:
    """ONNX's raw layout: 8-bit codes as they are; 4-bit codes two per byte, first one low."""
    flat = codes.astype(np.uint8).ravel()
    if bits == 8:
        return flat.tobytes()
    flat = np.concatenate([flat, np.zeros(len(flat) % 2, np.uint8)])
    return (flat[0::2] | (flat[1::2] << 4)).astype(np.uint8).tobytes()


def store_quantized(graph, name: str, axis: int, bits: int) -> None:
    """Replace the float32 initializer ``name`` by its codes and a DequantizeLinear producing ``name``.

    Readers of ``name`` are left untouched: they read the dequantized tensor under the same name.
    """
    weight = numpy_helper.to_array(initializers(graph)[name])
    codes, scales, zero_points = quantize(weight, axis, bits)
    n = {k: f"{name}.{k}" for k in (f"q{bits}", "scales16", "scales", "zero_points")}
    graph.initializer.extend([
        helper.make_tensor(n[f"q{bits}"], _TYPES[bits], codes.shape, pack(codes, bits), raw=True),
        numpy_helper.from_array(scales, n["scales16"]),
        helper.make_tensor(n["zero_points"], _TYPES[bits], zero_points.shape, pack(zero_points, bits), raw=True),
    ])
    # The scales widen to float32 before DequantizeLinear so its output is float32 and exact.
    nodes = [helper.make_node("Cast", [n["scales16"]], [n["scales"]], name=n["scales"], to=onnx.TensorProto.FLOAT),
             helper.make_node("DequantizeLinear", [n[f"q{bits}"], n["scales"], n["zero_points"]], [name],
                              name=f"{name}/dequantize", axis=axis, block_size=BLOCKS[bits])]
    _drop_float(graph, name)
    for offset, node in enumerate(nodes):
        graph.node.insert(offset, node)


def _drop_float(graph, name: str) -> None:
    # drop_initializer refuses while nodes read the name; here they will read the DequantizeLinear.
    index = next(i for i, init in enumerate(graph.initializer) if init.name == name)
    del graph.initializer[index]


def require_opset(model: onnx.ModelProto) -> None:
    """Blocked DequantizeLinear needs opset 21; GPT-2's other operators mean the same there."""
    for opset in model.opset_import:
        if opset.domain in ("", "ai.onnx"):
            opset.version = max(opset.version, OPSET)

