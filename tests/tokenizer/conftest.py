"""Shared fixtures: our tokenizer and the Hugging Face references, all from GPT-2's real files."""
import logging

import pytest

from nexttoken.tokenizer import Tokenizer
from tests.tokenizer.reference import MERGES, VOCAB


@pytest.fixture(scope="session")
def tokenizer():
    return Tokenizer.from_files(VOCAB, MERGES)


@pytest.fixture(scope="session")
def hf_fast():
    from transformers import GPT2TokenizerFast

    # Long inputs make transformers log a model-length warning; it does not affect ids.
    logging.getLogger("transformers.tokenization_utils_base").setLevel(logging.ERROR)
    return GPT2TokenizerFast(vocab_file=str(VOCAB), merges_file=str(MERGES))


@pytest.fixture(scope="session")
def hf_reference(hf_fast, tmp_path_factory):
    """The tokenizer as a model directory ships it: saved, then reloaded by AutoTokenizer."""
    from transformers import AutoTokenizer

    model_dir = tmp_path_factory.mktemp("gpt2-tokenizer")
    hf_fast.save_pretrained(model_dir)
    return AutoTokenizer.from_pretrained(model_dir)


@pytest.fixture(scope="session")
def hf_slow():
    from transformers import GPT2Tokenizer

    return GPT2Tokenizer(vocab_file=str(VOCAB), merges_file=str(MERGES))


@pytest.fixture(scope="session")
def hf_pretokenizer():
    from tokenizers.pre_tokenizers import ByteLevel

    return ByteLevel(add_prefix_space=False, use_regex=True)
