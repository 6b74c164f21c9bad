"""What a built site takes from an export: the model files and the manifest's model entry."""
import json
import shutil
from pathlib import Path

from export.model.onnx_export import MODEL_FILE, TOKENIZER_FILES, Export

MODEL_DIR = "model"
# A WebGPU graph of another variant than the WebAssembly one, with that variant's own shards.
WEBGPU_DIR = f"{MODEL_DIR}/webgpu"


def copy_model(site: Path, export: Export, webgpu: Export = None):
    """Copy graph, shards and tokenizer into ``site/model/``, and the WebGPU graph of ``webgpu``
    (``export.onnx_export.export_webgpu``): beside them when it is ``export`` (it reads the same
    shards), else with its own variant's shards in ``site/model/webgpu/``.

    Returns (graph path, shard paths in order, {"vocab": path, "merges": path}, WebGPU entry or
    None), relative to the site; the WebGPU entry is {model, shards, variant, fidelity}.
    """
    names = [MODEL_FILE, *export.record["shards"], *TOKENIZER_FILES]
    rel = _copy(export.dir, site, MODEL_DIR, names)
    tokenizer = {name.split(".")[0]: rel[name] for name in TOKENIZER_FILES}
    gpu = None
    if webgpu is not None:
        graph = webgpu.record["webgpu"]
        shared = webgpu.dir == export.dir
        gpu_rel = _copy(webgpu.dir, site, MODEL_DIR if shared else WEBGPU_DIR,
                        [graph] if shared else [graph, *webgpu.record["shards"]])
        gpu = {"model": gpu_rel[graph], "variant": webgpu.variant, "fidelity": webgpu.record["fidelity"],
               "shards": [(rel if shared else gpu_rel)[name] for name in webgpu.record["shards"]]}
    return rel[MODEL_FILE], [rel[name] for name in export.record["shards"]], tokenizer, gpu


def _copy(source: Path, site: Path, folder: str, names: list) -> dict:
    """Copy ``names`` from ``source`` into ``site/folder``; {name: path relative to the site}."""
    (site / folder).mkdir(parents=True, exist_ok=True)
    for name in names:
        shutil.copyfile(source / name, site / folder / name)
    return {name: f"{folder}/{name}" for name in names}


def model_entry(source, export: Export) -> dict:
    """The manifest's ``model``: which checkpoint, which variant, its shape and its fidelity."""
    config = json.loads((source.path / "config.json").read_text())
    return {"name": source.name, "fingerprint": source.fingerprint, "revision": source.revision,
            "variant": export.variant,
            "bytes": export.record["bytes"], "fidelity": export.record["fidelity"],
            "vocab_size": config["vocab_size"], "n_ctx": config["n_positions"],
            "n_layer": config["n_layer"], "n_head": config["n_head"], "n_embd": config["n_embd"],
            "eos_id": config.get("eos_token_id", 50256)}
