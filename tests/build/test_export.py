"""The exported ONNX variants compute what the PyTorch model computes, through their KV cache:
float32 to 1e-4, the quantized ones within the fidelity their export states."""
import numpy as np
import onnx
import pytest
import torch
from transformers import GPT2LMHeadModel

from export.model.fidelity import TEXTS, Fidelity, all_logits
from export.model.onnx_runner import OnnxLM
from export.model.shard import inference_session
from tests.models import gpt2_tokenizer

PROMPT = "The quick brown fox jumps over the lazy dog because"


@pytest.fixture(scope="module")
def torch_model(tiny_model):
    return GPT2LMHeadModel.from_pretrained(tiny_model).eval()


def _prefill_and_steps(lm, ids, steps=10):
    logits = [lm.step(ids)]
    chosen = [int(np.argmax(logits[0]))]
    for _ in range(steps):
        logits.append(lm.step([chosen[-1]]))
        chosen.append(int(np.argmax(logits[-1])))
    return logits, chosen


def test_fp32_prefill_and_ten_cached_steps_match_pytorch(variant_sites, torch_model):
    ids = gpt2_tokenizer().encode(PROMPT)
    onnx_logits, chosen = _prefill_and_steps(OnnxLM(variant_sites["fp32"]), ids)
    with torch.no_grad():
        full = torch_model(torch.tensor([ids + chosen[:-1]])).logits[0].numpy()
    expected = full[len(ids) - 1:]
    assert len(expected) == len(onnx_logits) == 11
    for position, (got, want) in enumerate(zip(onnx_logits, expected)):
        assert np.max(np.abs(got - want)) <= 1e-4, f"step {position}"


@pytest.mark.parametrize("variant", ["int8", "q4"])
def test_quantized_variants_keep_their_stated_fidelity(variant, variant_sites, variant_exports, torch_model):
    """Against PyTorch: prefills (of each prefix, as the shipped head reads the last position
    only) give the figures the export recorded (measured against optimum's float32 graph on
    every position of one prefill per text), and generating token by token through the KV cache is
    at least as faithful. (int8 rounds each call's activations with one scale, so a one-token
    step is rounded more finely than a many-token prefill.)"""
    export = variant_exports[variant]
    prefill_session = inference_session(export.dir / "model.onnx", [export.dir / n for n in export.record["shards"]])
    lm = OnnxLM(variant_sites[variant])
    tokenizer = gpt2_tokenizer()
    prefill, stepped = _Tally(), _Tally()
    for text in TEXTS:
        ids = tokenizer.encode(text)[:128]
        with torch.no_grad():
            want = torch_model(torch.tensor([ids])).logits[0].double().numpy()
        # The shipped graph's head reads the last position only: one prefill per prefix.
        prefill.add(want, np.stack([all_logits(prefill_session, ids[:n])[-1] for n in range(1, len(ids) + 1)]))
        lm.reset()
        stepped.add(want, np.stack([lm.step([token]) for token in ids]))
    stated = Fidelity.from_dict(export.record["fidelity"])
    assert prefill.count == stepped.count == stated.positions
    assert abs(prefill.top1 - stated.top1) <= 0.01
    assert prefill.kl == pytest.approx(stated.kl, rel=0.05, abs=1e-7)
    assert stepped.top1 >= stated.top1 - 0.02 and stepped.kl <= stated.kl * 1.1 + 1e-7


class _Tally:
    """Top-1 agreement and mean KL(reference || candidate) accumulated over positions."""

    def __init__(self):
        self.agree = self.kl_sum = self.count = 0

    def add(self, reference, candidate):
        p, q = _log_softmax(np.asarray(reference, np.float64)), _log_softmax(np.asarray(candidate, np.float64))
        self.agree += int(np.sum(p.argmax(-1) == q.argmax(-1)))
        self.kl_sum += float(np.sum(np.exp(p) * (p - q)))
        self.count += len(p)

    @property
    def top1(self):
        return self.agree / self.count

    @property
    def kl(self):
        return self.kl_sum / self.count


def _log_softmax(x):
    x = x - x.max(axis=-1, keepdims=True)
    return x - np.log(np.exp(x).sum(axis=-1, keepdims=True))


@pytest.mark.parametrize("variant", ["fp32", "int8", "q4"])
def test_every_variant_stores_the_tied_embedding_once(variant, variant_exports):
    graph = onnx.load(str(variant_exports[variant].dir / "model.onnx"), load_external_data=False).graph
    vocab = 50257
    tables = [i.name for i in graph.initializer if len(i.dims) == 2 and i.dims[0] == vocab and i.dims[1] >= 32]
    transposed = [i.name for i in graph.initializer if len(i.dims) >= 2 and i.dims[-1] == vocab]
    assert len(tables) == 1 and transposed == [], (tables, transposed)


def test_quantized_variants_are_smaller(variant_exports):
    size = {v: e.record["bytes"] for v, e in variant_exports.items()}
    assert size["q4"] < size["int8"] < size["fp32"] / 3


def test_greedy_restarts_cleanly(tiny_site):
    lm = OnnxLM(tiny_site)
    first = lm.greedy([464, 2068], 5)
    assert lm.greedy([464, 2068], 5) == first
    assert len(first) == 5
