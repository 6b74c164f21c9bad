"""The LM head on the last position only: what the page and every caller read.

optimum's export gives logits for every position fed: a prefill of n tokens computes n rows of
50,257 through the LM head (GPT-2 small's largest matrix) and hands back n × 50,257 floats,
206 MB for a 1,024-token window, in WASM memory that never shrinks. Every caller reads the
last row only (``model.js``'s ``forward``, ``OnnxLM.step``), so the shipped graphs take the last
position of the final layer norm's output before the head: ``logits`` is ``[batch, 1, vocab]``
and the head runs once per call, whatever the prefill's length.

The fidelity measurement (``export.fidelity``), which compares every position of a prefill,
runs before this on the same weights.
"""
from pathlib import Path

import onnx
from onnx import helper, numpy_helper
import numpy as np

INT64_MAX = np.iinfo(np.int64).max


def keep_last_position(model_path: Path) -> None:
    """Rewrite the graph ``model_path`` (its external data is not read) so that its LM head
    reads only the last position (of the final layer norm's output, once reshaped back to
    [batch, positions, width]); raise ValueError if it has no final layer norm to cut at."""
    model = onnx.load(str(model_path), load_external_data=False)
    graph = model.graph
    norms = [n for n in graph.node if n.op_type == "LayerNormalization"]
    if not norms or norms[-1].output[0] in {o.name for o in graph.output}:
        raise ValueError(f"{model_path}: no final layer norm before the LM head to cut at")
    after = norms[-1]
    hidden = norms[-1].output[0]
    # The layer norm may run on [batch * positions, width]: cut after the Reshape back to 3-D.
    while len(users := [n for n in graph.node if hidden in n.input]) == 1 \
            and users[0].op_type == "Reshape" and users[0].input[0] == hidden:
        hidden, after = users[0].output[0], users[0]
    last = f"{hidden}/last_position"
    graph.initializer.extend([numpy_helper.from_array(np.array([v], dtype=np.int64), f"{last}/{k}")
                              for k, v in (("starts", -1), ("ends", INT64_MAX), ("axes", 1))])
    for node in graph.node:
        node.input[:] = [last if name == hidden else name for name in node.input]
    at = list(graph.node).index(after) + 1
    graph.node.insert(at, helper.make_node("Slice", [hidden, f"{last}/starts", f"{last}/ends", f"{last}/axes"],
                                           [last], name=last))
    _last_position_shape(graph)
    Path(model_path).write_bytes(model.SerializeToString())


def _last_position_shape(graph) -> None:
    """The logits output's declared positions dimension is now 1."""
    for output in graph.output:
        if output.name == "logits" and len(output.type.tensor_type.shape.dim) == 3:
            dim = output.type.tensor_type.shape.dim[1]
            dim.Clear()
            dim.dim_value = 1
