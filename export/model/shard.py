"""The model's weights as external-data files of at most ``shard_bytes`` each, and the way back.

The graph (``model.onnx``) records every large tensor as a byte range of an external file.
Tensors are packed, in graph order, into files ``model.onnx.data.000``, ``.001``, ... of at
most ``shard_bytes`` each (GitHub warns about files over 50 MB and refuses them over 100 MB),
and each such file is one shard: the page hands every shard to onnxruntime-web as it is, under
its own name, so no buffer ever holds all the weights at once besides onnxruntime's own.

A single tensor larger than ``shard_bytes`` (float32's 154 MB tied embedding) gets a file of
its own, cut into pieces ``model.onnx.data.NNN.000``, ``.001``, ...; only those pieces are
joined, in the page and here. ``files`` says which shards make which file; the Python side
(``session``) reads them exactly as the page does.
"""
import re
from pathlib import Path

import numpy as np

MODEL_FILE = "model.onnx"
DATA_PREFIX = "model.onnx.data"     # external-data files are DATA_PREFIX.NNN
SHARD_BYTES = 50_000_000            # under GitHub's 50 MB warning, whichever MB it means
INLINE_LIMIT = 1024                 # tensors smaller than this stay inside model.onnx
ALIGN = 64                          # each tensor starts at a multiple of this in its file
# onnxruntime session config for the variants that store weights as DequantizeLinear of
# constants (export.blockq), passed by the page too (manifest.json's onnx.session_config):
# fold them into float32 once at load instead of dequantizing on every step.
SESSION_CONFIG = {"session.disable_quant_qdq": "1"}
_PIECE = re.compile(r"(.*\.\d{3})\.\d{3}$")


def save_sharded(model, out_dir: Path, shard_bytes: int = SHARD_BYTES) -> list:
    """Write ``model.onnx`` plus its weight files into ``out_dir``; return the shard names."""
    from onnx import TensorProto, numpy_helper
    from onnx.external_data_helper import set_external_data

    if shard_bytes < 1:
        raise ValueError(f"shard size must be a positive number of bytes, not {shard_bytes}")
    out_dir = Path(out_dir)
    files = []  # [name, bytearray]
    for tensor in model.graph.initializer:
        if tensor.data_location == TensorProto.EXTERNAL:
            raise ValueError(f"{tensor.name}: load the model with its external data before sharding it")
        data = tensor.raw_data or numpy_helper.to_array(tensor).tobytes()
        if len(data) < INLINE_LIMIT:
            continue
        start = -(-len(files[-1][1]) // ALIGN) * ALIGN if files else 0
        if not files or start + len(data) > shard_bytes:
            files.append([f"{DATA_PREFIX}.{len(files):03d}", bytearray()])
            start = 0
        name, blob = files[-1]
        blob.extend(bytes(start - len(blob)))
        blob.extend(data)
        _clear_values(tensor)
        tensor.raw_data = data  # onnx records external data only for raw tensors
        set_external_data(tensor, location=name, offset=start, length=len(data))
        tensor.data_location = TensorProto.EXTERNAL
        tensor.ClearField("raw_data")
    (out_dir / MODEL_FILE).write_bytes(model.SerializeToString())
    shards = []
    for name, blob in files:
        (out_dir / name).write_bytes(blob)
        if len(blob) > shard_bytes:  # one tensor too large for a shard: cut its file
            shards += split(out_dir / name, shard_bytes)
            (out_dir / name).unlink()
        else:
            shards.append(name)
    return shards


def _clear_values(tensor):
    for field in ("raw_data", "float_data", "int32_data", "int64_data", "double_data", "uint64_data",
                  "string_data"):
        tensor.ClearField(field)


def split(path: Path, shard_bytes: int) -> list:
    """Cut ``path`` into ``path.000``, ``path.001``, ... of at most ``shard_bytes`` each."""
    if shard_bytes < 1:
        raise ValueError(f"shard size must be a positive number of bytes, not {shard_bytes}")
    names = []
    with open(path, "rb") as source:
        while True:
            chunk = source.read(shard_bytes)
            if not chunk:
                break
            name = f"{path.name}.{len(names):03d}"
            (path.parent / name).write_bytes(chunk)
            names.append(name)
    return names


def files(shards) -> list:
    """[(external-data file name the graph records, [its shards in order])] for shard paths
    or names: a shard is a file of its own unless it is a piece ``NAME.NNN.MMM`` of one."""
    out = []
    for shard in shards:
        name = Path(shard).name
        piece = _PIECE.fullmatch(name)
        location = piece.group(1) if piece else name
        if piece and out and out[-1][0] == location:
            out[-1][1].append(shard)
        else:
            out.append((location, [shard]))
    return out


def join(paths) -> bytearray:
    """The bytes of the shards one after the other (a file cut into pieces, in memory)."""
    data = bytearray()
    for path in paths:
        data += Path(path).read_bytes()
    return data


def inference_session(model_path: Path, shard_paths: list, threads: int = 1, config: dict = SESSION_CONFIG):
    """An onnxruntime session for a sharded model: each external-data file handed over from
    memory under its name, as the page does."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    for key, value in config.items():
        options.add_session_config_entry(key, value)
    names, buffers = [], []
    for location, parts in files(shard_paths):
        names.append(location)
        buffers.append(np.frombuffer(join(parts), dtype=np.uint8))
    if names:
        options.add_external_initializers_from_files_in_memory(names, buffers, [len(b) for b in buffers])
    return ort.InferenceSession(str(model_path), options, providers=["CPUExecutionProvider"])
