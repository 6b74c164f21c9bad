"""Native onnxruntime from Python on the site's ONNX file: how fast this machine runs the model.

``export.onnx_runner.OnnxLM`` feeds the model exactly as the page's worker does (tensor names
and cache layout from the manifest), so the rows pair with the browser's:

- session ready from the network: download the model files from the same localhost server
  the browser uses, then create the session; from cache: create it from the file on disk;
- prefill of the 10-token prompt; decode: one-token steps; generate loop: step plus argmax.
"""
import shutil
import tempfile
import time
import urllib.request
from pathlib import Path

import numpy as np

from benchmarks.common import summarize
from export.site.manifest import MANIFEST, read_manifest
from export.model.onnx_runner import OnnxLM


def _ms(start: float) -> float:
    return (time.perf_counter() - start) * 1000


def _download_site_model(site_url: str, manifest: dict, into: Path) -> None:
    """Fetch the manifest and the ONNX files over HTTP into ``into`` (a site-shaped directory)."""
    onnx = manifest["onnx"]
    for rel in [MANIFEST, onnx["model"], *onnx["external_data"]["shards"]]:
        (into / rel).parent.mkdir(parents=True, exist_ok=True)
        with urllib.request.urlopen(site_url + rel) as response, open(into / rel, "wb") as out:
            shutil.copyfileobj(response, out, 1 << 20)


def session_times(site: Path, site_url: str, threads: int, settings) -> dict:
    manifest = read_manifest(site)
    times = {"session_network": [], "session_cache": []}
    for round_ in range(settings.load_warmups + settings.loads):
        with tempfile.TemporaryDirectory(prefix="nexttoken-native-") as scratch:
            start = time.perf_counter()
            _download_site_model(site_url, manifest, Path(scratch))
            OnnxLM(scratch, threads)
            network = _ms(start)
        start = time.perf_counter()
        OnnxLM(site, threads)
        cache = _ms(start)
        if round_ >= settings.load_warmups:
            times["session_network"].append(network)
            times["session_cache"].append(cache)
    return times


def step_times(lm: OnnxLM, prompt_ids: list, settings) -> dict:
    """Prefills on an empty cache, then greedy runs of one-token steps (after a warm-up run)."""
    def run(count, decode=None, loop=None):
        lm.reset()
        next_id = int(np.argmax(lm.step(prompt_ids)))
        for _ in range(count):
            start = time.perf_counter()
            logits = lm.step([next_id])
            stepped = time.perf_counter()
            next_id = int(np.argmax(logits))  # the loop's own choice of the next token
            if decode is not None:
                decode.append((stepped - start) * 1000)
                loop.append(_ms(start))

    run(3)
    prefill = []
    for _ in range(settings.prefills):
        lm.reset()
        start = time.perf_counter()
        lm.step(prompt_ids)
        prefill.append(_ms(start))
    decode, loop = [], []
    for _ in range(settings.decode_runs):
        run(settings.decode_steps, decode, loop)
    return {"prefill": prefill, "decode": decode, "generate_loop": loop}


def measure(site: Path, site_url: str, prompt_ids: list, threads: int, settings) -> dict:
    """All native rows at ``threads`` intra-op threads; ``site_url`` serves the built site."""
    raw = session_times(site, site_url, threads, settings)
    raw.update(step_times(OnnxLM(site, threads), prompt_ids, settings))
    return {"threads": threads, "rows": {key: summarize(values) for key, values in raw.items()}}
