"""4-bit and 8-bit block quantization (export/model/blockq.py): what it stores, what onnxruntime
reads back from it, and that the session folds it into float32 weights at load."""
import numpy as np
import onnx
import onnxruntime as ort
import pytest
from onnx import helper, numpy_helper

from export.model import blockq
from export.model.shard import SESSION_CONFIG


def _weights(shape, seed=0):
    rng = np.random.default_rng(seed)
    return (rng.standard_normal(shape) * rng.choice([0.02, 1.0, 30.0], size=shape[-1])).astype(np.float32)


@pytest.mark.parametrize("bits", [4, 8])
@pytest.mark.parametrize("axis", [0, 1])
def test_every_weight_is_within_half_a_step(bits, axis):
    w = _weights((160, 140))
    w[:, 3] = 0.0          # an all-zero column: its blocks must decode to exact zeros
    w[:, 5] = 1e-9         # a range below float16's normal numbers
    codes, scales, zero_points = blockq.quantize(w, axis, bits)
    assert codes.max() < 2 ** bits and zero_points.max() < 2 ** bits and scales.dtype == np.float16
    block = blockq.BLOCKS[bits]
    back = blockq.dequantize(codes, scales, zero_points, axis, block)
    step = np.repeat(scales.astype(np.float32), block, axis=axis)[: w.shape[0], : w.shape[1]]
    assert np.all(np.abs(back - w) <= step / 2 * 1.001 + 1e-12)
    assert np.all(back[:, 3] == 0)


def test_a_length_that_is_not_a_multiple_of_the_block():
    w = _weights((45, 7))
    codes, scales, zero_points = blockq.quantize(w, 0, 4)
    assert codes.shape == (45, 7) and scales.shape == (2, 7)
    assert np.max(np.abs(blockq.dequantize(codes, scales, zero_points, 0, 32) - w)) < np.abs(w).max() / 10


def _dequantize_graph(w, axis, bits):
    """A graph whose only output is the stored weight, read back through DequantizeLinear."""
    graph = helper.make_graph([helper.make_node("Identity", ["w"], ["out"])], "g", [],
                              [helper.make_tensor_value_info("out", onnx.TensorProto.FLOAT, list(w.shape))],
                              [numpy_helper.from_array(w, "w")])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)])
    blockq.store_quantized(model.graph, "w", axis, bits)
    blockq.require_opset(model)
    onnx.checker.check_model(model, full_check=True)
    return model


@pytest.mark.parametrize("bits", [4, 8])
@pytest.mark.parametrize("axis", [0, 1])
def test_onnxruntime_reads_back_exactly_what_dequantize_says(bits, axis):
    w = _weights((160, 33), seed=bits + axis)  # an even count; the next case packs an odd one
    model = _dequantize_graph(w, axis, bits)
    got = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"]).run(None, {})[0]
    assert np.array_equal(got, blockq.dequantize(*blockq.quantize(w, axis, bits), axis, blockq.BLOCKS[bits]))


def test_an_odd_number_of_four_bit_codes_packs_and_reads_back():
    w = _weights((33, 3))
    got = ort.InferenceSession(_dequantize_graph(w, 0, 4).SerializeToString(),
                               providers=["CPUExecutionProvider"]).run(None, {})[0]
    assert np.array_equal(got, blockq.dequantize(*blockq.quantize(w, 0, 4), 0, 32))


def test_the_session_config_folds_the_dequantization_into_float32_weights(tmp_path):
    """With SESSION_CONFIG, onnxruntime's optimized graph is a plain float32 MatMul: tokens cost
    what float32 costs. Without it, the weights stay quantized and are expanded on every run
    (natively in a fused 4-bit kernel; onnxruntime-web's WASM build has no fast one)."""
    w = _weights((64, 16))
    graph = helper.make_graph([helper.make_node("MatMul", ["x", "w"], ["y"])], "g",
                              [helper.make_tensor_value_info("x", onnx.TensorProto.FLOAT, [1, 64])],
                              [helper.make_tensor_value_info("y", onnx.TensorProto.FLOAT, [1, 16])],
                              [numpy_helper.from_array(w, "w")])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)])
    blockq.store_quantized(model.graph, "w", 0, 4)
    blockq.require_opset(model)
    ops = {}
    for folded in (True, False):
        options = ort.SessionOptions()
        options.optimized_model_filepath = str(tmp_path / f"{folded}.onnx")
        for key, value in SESSION_CONFIG.items() if folded else ():
            options.add_session_config_entry(key, value)
        ort.InferenceSession(model.SerializeToString(), options, providers=["CPUExecutionProvider"])
        ops[folded] = {n.op_type for n in onnx.load(str(tmp_path / f"{folded}.onnx")).graph.node}
    assert ops[True] == {"MatMul"} and ops[False] != {"MatMul"}
