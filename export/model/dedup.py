"""One copy of GPT-2's tied token-embedding / LM-head matrix.

GPT-2 computes its logits with the transpose of the token embedding, and optimum's export
stores that [vocab, width] matrix twice: once for the embedding ``Gather`` and once,
transposed, as the LM head's ``MatMul`` weight. optimum's own deduplication (run only when
``accelerate`` is installed) replaces the copy with a ``Transpose`` node; here the LM head
instead reads the embedding matrix directly, so there is nothing to transpose, per step or
at load time.
"""
from dataclasses import dataclass

import numpy as np
import onnx
from onnx import helper, numpy_helper


@dataclass
class TiedHead:
    embedding: str           # initializer [vocab, width] read by the token Gather
    head: onnx.NodeProto     # the MatMul that produces the logits
    head_weight: str         # its [width, vocab] initializer: the transposed duplicate


def initializers(graph: onnx.GraphProto) -> dict:
    return {init.name: init for init in graph.initializer}


def find_tied_head(graph: onnx.GraphProto, logits: str = "logits"):
    """The LM head and the embedding it duplicates, or None when the head has its own weights."""
    inits = initializers(graph)
    head = next((n for n in graph.node if logits in n.output), None)
    if head is None or head.op_type != "MatMul" or head.input[1] not in inits:
        return None
    weight = inits[head.input[1]]
    if len(weight.dims) != 2:
        return None
    width, vocab = weight.dims
    for node in graph.node:
        table = inits.get(node.input[0]) if node.op_type == "Gather" else None
        if table is not None and list(table.dims) == [vocab, width]:
            # Same shape is not enough (an untied checkpoint has both); compare the values.
            if np.array_equal(numpy_helper.to_array(table), numpy_helper.to_array(weight).T):
                return TiedHead(table.name, head, weight.name)
    return None


def drop_initializer(graph: onnx.GraphProto, name: str) -> None:
    if any(name in node.input for node in graph.node):
        raise ValueError(f"initializer {name} is still read by the graph")
    # Delete in place: rebuilding the list would copy every other (possibly huge) tensor.
    index = next(i for i, init in enumerate(graph.initializer) if init.name == name)
    del graph.initializer[index]


def tie_fp32_head(model: onnx.ModelProto) -> bool:
    """Point the float32 LM head at the embedding matrix; return False if the model is not tied.

    ``MatMul(h, W)`` with ``W = E^T`` becomes ``Gemm(h2d, E, transB=1)`` between two Reshapes:
    Gemm reads its second operand transposed in place, which MatMul cannot.
    """
    graph = model.graph
    tied = find_tied_head(graph)
    if tied is None:
        return False
    vocab, width = initializers(graph)[tied.embedding].dims
    hidden, logits = tied.head.input[0], tied.head.output[0]
    p = tied.head.name or "lm_head"
    n = {k: f"{p}/tied_{k}" for k in ("to_2d", "flat", "gemm", "leading_dims", "vocab", "out_shape")}
    graph.initializer.extend([numpy_helper.from_array(np.array([-1, width], dtype=np.int64), n["to_2d"]),
                              numpy_helper.from_array(np.array([vocab], dtype=np.int64), n["vocab"])])
    replace_node(graph, tied.head, [
        helper.make_node("Reshape", [hidden, n["to_2d"]], [n["flat"]], name=n["flat"]),
        helper.make_node("Gemm", [n["flat"], tied.embedding], [n["gemm"]], name=n["gemm"], transB=1),
        # logits keep the hidden state's leading dims (batch, positions), with vocab last
        helper.make_node("Shape", [hidden], [n["leading_dims"]], name=n["leading_dims"], end=-1),
        helper.make_node("Concat", [n["leading_dims"], n["vocab"]], [n["out_shape"]], name=n["out_shape"], axis=0),
        helper.make_node("Reshape", [n["gemm"], n["out_shape"]], [logits], name=p),
    ])
    drop_initializer(graph, tied.head_weight)
    return True


def replace_node(graph: onnx.GraphProto, old: onnx.NodeProto, new: list) -> None:
    """Put ``new`` where ``old`` was, keeping the node list topologically ordered."""
    index = list(graph.node).index(old)
    graph.node.remove(old)
    for offset, node in enumerate(new):
        graph.node.insert(index + offset, node)
