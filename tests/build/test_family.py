"""Other GPT-2-family checkpoints through --model: tiny random models shaped like distilgpt2
(6 layers) and gpt2-medium (more heads, wider), of the same transformers class."""
import numpy as np
import pytest
import torch
from transformers import GPT2LMHeadModel

from benchmarks.export_wasm import model_site
from export.site.manifest import read_manifest
from export.model.onnx_export import ExportSettings, export_model
from export.model.onnx_runner import OnnxLM
from export.model.source import resolve
from tests.models import make_gpt2

SHAPES = {
    "distilgpt2": dict(n_layer=6, n_head=4, n_embd=64, n_positions=96),
    "gpt2-medium": dict(n_layer=4, n_head=8, n_embd=128, n_positions=64),
}


@pytest.mark.parametrize("shape", SHAPES)
def test_family_shapes_export_and_match_pytorch(shape, tmp_path, export_cache):
    config = SHAPES[shape]
    source = resolve(str(make_gpt2(tmp_path / shape, seed=3, **config)))
    ids = [464, 2068, 7586, 21831, 18045, 625]
    with torch.no_grad():
        want = GPT2LMHeadModel.from_pretrained(source.path).eval()(torch.tensor([ids])).logits[0].numpy()
    export = export_model(source, export_cache, ExportSettings(variant="fp32"))
    site = model_site(export, source, tmp_path / "site")
    manifest = read_manifest(site)
    assert {k: manifest["model"][k] for k in ("n_layer", "n_head", "n_embd")} == \
        {k: config[k] for k in ("n_layer", "n_head", "n_embd")}
    assert len(manifest["onnx"]["cache"]) == 2 * config["n_layer"]
    assert manifest["onnx"]["cache_heads"] == config["n_head"]
    assert manifest["onnx"]["cache_head_dim"] == config["n_embd"] // config["n_head"]
    lm = OnnxLM(site)
    assert np.max(np.abs(lm.step(ids[:3]) - want[2])) <= 1e-4      # prefill
    for position in range(3, len(ids)):                              # then the KV cache
        assert np.max(np.abs(lm.step([ids[position]]) - want[position])) <= 1e-4
