"""The shipped graphs run the LM head on the last position only (export/model/last_position.py):
a prefill returns one row of logits, and it is the one transformers' GPT-2 gives there."""
import numpy as np
import onnx
import pytest

from export.model.onnx_runner import OnnxLM
from export.model.quantize import VARIANTS
from tests.models import gpt2_tokenizer

PROMPT = "Once upon a time, in a quiet town by the sea,"


@pytest.mark.parametrize("variant", VARIANTS)
def test_a_prefill_returns_the_last_positions_logits_only(variant, variant_sites):
    site = variant_sites[variant]
    lm = OnnxLM(site)
    graphs = [lm.manifest["onnx"]["model"], *([lm.manifest["onnx"]["webgpu"]["model"]] if lm.manifest["onnx"]["webgpu"] else [])]
    for rel in graphs:
        output = next(o for o in onnx.load(str(site / rel), load_external_data=False).graph.output if o.name == "logits")
        assert output.type.tensor_type.shape.dim[1].dim_value == 1, rel
    ids = gpt2_tokenizer().encode(PROMPT)
    feeds = {"input_ids": np.array([ids]), "attention_mask": np.ones((1, len(ids)), np.int64),
             "position_ids": np.arange(len(ids))[None, :], **lm.cache}
    feeds = {k: v for k, v in feeds.items() if k in lm.manifest["onnx"]["inputs"] or k in lm.cache}
    logits = lm.inference.run(["logits"], feeds)[0]
    assert logits.shape == (1, 1, lm.manifest["model"]["vocab_size"])


def test_the_last_positions_logits_are_transformers(variant_sites, tiny_model):
    import torch
    from transformers import GPT2LMHeadModel

    ids = gpt2_tokenizer().encode(PROMPT)
    with torch.no_grad():
        expected = GPT2LMHeadModel.from_pretrained(tiny_model).eval()(torch.tensor([ids])).logits[0, -1].numpy()
    lm = OnnxLM(variant_sites["fp32"])
    assert np.max(np.abs(lm.step(ids) - expected)) <= 1e-4
    # and through the KV cache, one token at a time after the prefill
    with torch.no_grad():
        expected = GPT2LMHeadModel.from_pretrained(tiny_model).eval()(torch.tensor([ids + [13]])).logits[0, -1].numpy()
    assert np.max(np.abs(lm.step([13]) - expected)) <= 1e-4
