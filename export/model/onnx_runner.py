"""Run an exported site's model with native onnxruntime, exactly as the page does.

It reads only the manifest, so it checks the contract from the Python side: tests compare
the browser's tokens with it, and the build uses it to bake distributions into the story.
"""
from pathlib import Path

import numpy as np

from export.site.manifest import graph_files, read_manifest
from export.model.shard import inference_session
from export.model.source import file_sha256


class OnnxLM:
    """A GPT-2 ONNX export with its KV cache: one prefill, then one-token steps.

    >>> lm = OnnxLM("dist")                       # doctest: +SKIP
    >>> lm.greedy([464, 2068, 7586], 3)          # doctest: +SKIP
    [21831, 18045, 625]
    """

    def __init__(self, site_root, threads: int = 1, graph: str = "wasm"):
        """``graph``: "wasm" runs ``onnx.model``, "webgpu" the graph a WebGPU reader runs
        (``onnx.webgpu.model``: 4-/8-bit kernels, here onnxruntime's CPU ones)."""
        self.root = Path(site_root)
        self.manifest = read_manifest(self.root)
        onnx = self.manifest["onnx"]
        if graph not in ("wasm", "webgpu") or (graph == "webgpu" and not onnx.get("webgpu")):
            raise ValueError(f"graph must be 'wasm' or 'webgpu' (this site has {'a' if onnx.get('webgpu') else 'no'} "
                             f"WebGPU graph), not {graph!r}")
        model_file, *shards = [self.root / rel for rel in graph_files(self.manifest, graph)]
        for path in shards:  # what the page's loader checks before joining them
            entry = self.manifest["files"][path.relative_to(self.root).as_posix()]
            if path.stat().st_size != entry["bytes"] or file_sha256(path) != entry["sha256"]:
                raise ValueError(f"{path} does not match manifest.json (size or sha256); rebuild the site")
        self.inference = inference_session(model_file, shards, threads)
        self.reset()

    def reset(self):
        onnx = self.manifest["onnx"]
        empty = np.zeros((1, onnx["cache_heads"], 0, onnx["cache_head_dim"]), dtype=np.float32)
        self.cache = {c["past"]: empty for c in onnx["cache"]}
        self.length = 0

    def step(self, ids) -> np.ndarray:
        """Feed ``ids`` after what was fed before; return the next-token logits (float32)."""
        onnx = self.manifest["onnx"]
        n = len(ids)
        feeds = {
            "input_ids": np.array([ids], dtype=np.int64),
            "attention_mask": np.ones((1, self.length + n), dtype=np.int64),
            "position_ids": np.arange(self.length, self.length + n, dtype=np.int64)[None, :],
            **self.cache,
        }
        feeds = {k: v for k, v in feeds.items() if k in onnx["inputs"] or k in self.cache}
        names = [onnx["logits"]] + [c["present"] for c in onnx["cache"]]
        logits, *present = self.inference.run(names, feeds)
        self.cache = {c["past"]: p for c, p in zip(onnx["cache"], present)}
        self.length += n
        return logits[0, -1]

    def greedy(self, prompt_ids, max_new_tokens: int) -> list:
        self.reset()
        logits = self.step(list(prompt_ids) or [self.manifest["model"]["eos_id"]])
        out = []
        for _ in range(max_new_tokens):
            out.append(int(np.argmax(logits)))
            logits = self.step([out[-1]])
        return out
