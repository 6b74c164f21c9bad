"""What a built site takes from an export: the model files and the manifest's model entry."""
import json
import shutil
from pathlib import Path

from export.model.onnx_export import MODEL_FILE, TOKENIZER_FILES, Export

MODEL_DIR = "model"


def copy_model(site: Path, export: Export):
    """Copy graph, shards and tokenizer into ``site/model/``.

    Returns (graph path, shard paths in order, {"vocab": path, "merges": path}, WebGPU graph
    path or None), relative to the site.
    """
    (site / MODEL_DIR).mkdir(exist_ok=True)
    gpu = export.record.get("webgpu")
    names = [MODEL_FILE, *export.record["shards"], *TOKENIZER_FILES, *([gpu] if gpu else [])]
    for name in names:
        shutil.copyfile(export.dir / name, site / MODEL_DIR / name)
    rel = {name: f"{MODEL_DIR}/{name}" for name in names}
    tokenizer = {name.split(".")[0]: rel[name] for name in TOKENIZER_FILES}
    return rel[MODEL_FILE], [rel[name] for name in export.record["shards"]], tokenizer, rel.get(gpu)


def model_entry(source, export: Export) -> dict:
    """The manifest's ``model``: which checkpoint, which variant, its shape and its fidelity."""
    config = json.loads((source.path / "config.json").read_text())
    return {"name": source.name, "fingerprint": source.fingerprint, "revision": source.revision,
            "variant": export.variant,
            "bytes": export.record["bytes"], "fidelity": export.record["fidelity"],
            "vocab_size": config["vocab_size"], "n_ctx": config["n_positions"],
            "n_layer": config["n_layer"], "n_head": config["n_head"], "n_embd": config["n_embd"],
            "eos_id": config.get("eos_token_id", 50256)}
