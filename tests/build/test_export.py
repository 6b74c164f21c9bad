"""The exported ONNX model computes what the PyTorch model computes, through its KV cache."""
import numpy as np
import pytest
import torch
from transformers import GPT2LMHeadModel

from export.onnx_runner import OnnxLM
from tests.models import gpt2_tokenizer

PROMPT = "The quick brown fox jumps over the lazy dog because"


@pytest.fixture(scope="module")
def torch_model(tiny_model):
    return GPT2LMHeadModel.from_pretrained(tiny_model).eval()


def test_prefill_and_ten_cached_steps_match_pytorch(tiny_site, torch_model):
    ids = gpt2_tokenizer().encode(PROMPT)
    lm = OnnxLM(tiny_site)
    onnx_logits = [lm.step(ids)]
    steps = [int(np.argmax(onnx_logits[0]))]
    for _ in range(10):
        onnx_logits.append(lm.step([steps[-1]]))
        steps.append(int(np.argmax(onnx_logits[-1])))
    with torch.no_grad():
        full = torch_model(torch.tensor([ids + steps[:-1]])).logits[0].numpy()
    expected = full[len(ids) - 1:]
    assert len(expected) == len(onnx_logits) == 11
    for position, (got, want) in enumerate(zip(onnx_logits, expected)):
        assert np.max(np.abs(got - want)) <= 1e-4, f"step {position}"


def test_greedy_restarts_cleanly(tiny_site):
    lm = OnnxLM(tiny_site)
    first = lm.greedy([464, 2068], 5)
    assert lm.greedy([464, 2068], 5) == first
    assert len(first) == 5
