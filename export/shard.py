"""The model's weights as numbered shards of one external-data file, and the way back.

The graph (``model.onnx``) records every large tensor as a byte range of one external file,
``model.onnx.data``. That file is cut into shards of at most ``shard_bytes`` (GitHub warns
about files over 50 MB and refuses them over 100 MB); the page fetches the shards, joins them
into one buffer and hands it to onnxruntime-web under the name the graph records. The Python
side (``session``) does exactly the same, so both read the shards the manifest lists.
"""
from pathlib import Path

import numpy as np

MODEL_FILE = "model.onnx"
DATA_LOCATION = "model.onnx.data"   # the location string written into the graph
SHARD_BYTES = 50_000_000            # under GitHub's 50 MB warning, whichever MB it means
INLINE_LIMIT = 1024                 # tensors smaller than this stay inside model.onnx
# onnxruntime session config for every variant, passed by the page too (manifest.json's
# onnx.session_config): fold DequantizeLinear of constant weights into float32 at load
# (export.blockq), instead of keeping it for quantized kernels, which means dequantizing per step.
SESSION_CONFIG = {"session.disable_quant_qdq": "1"}


def save_sharded(model, out_dir: Path, shard_bytes: int = SHARD_BYTES) -> list:
    """Write ``model.onnx`` plus its weights as shards into ``out_dir``; return the shard names."""
    import onnx

    out_dir = Path(out_dir)
    onnx.save_model(model, str(out_dir / MODEL_FILE), save_as_external_data=True,
                    all_tensors_to_one_file=True, location=DATA_LOCATION, size_threshold=INLINE_LIMIT)
    data = out_dir / DATA_LOCATION
    if not data.exists():  # every tensor small enough to stay inline
        return []
    names = split(data, shard_bytes)
    data.unlink()
    return names


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


def join(paths) -> bytearray:
    """The external-data file the shards were cut from, in memory."""
    data = bytearray()
    for path in paths:
        data += Path(path).read_bytes()
    return data


def session(model_path: Path, shard_paths: list, threads: int = 1):
    """An onnxruntime session for a sharded model: the shards joined in memory, as in the page."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    for key, value in SESSION_CONFIG.items():
        options.add_session_config_entry(key, value)
    if shard_paths:
        data = np.frombuffer(join(shard_paths), dtype=np.uint8)
        options.add_external_initializers_from_files_in_memory([DATA_LOCATION], [data], [len(data)])
    return ort.InferenceSession(str(model_path), options, providers=["CPUExecutionProvider"])
