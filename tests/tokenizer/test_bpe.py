"""BPE merging on GPT-2's real merges, and the property behind the whole-word shortcut."""
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nexttoken.tokenizer.bpe import bpe, parse_merges
from nexttoken.tokenizer.byte_map import bytes_to_unicode
from tests.tokenizer.reference import MERGES, VOCAB

STAND_INS = bytes_to_unicode()


@pytest.fixture(scope="module")
def ranks():
    return parse_merges(MERGES.read_text(encoding="utf-8"))


def openai_bpe(symbols, ranks):
    """OpenAI's original merge loop (gpt-2 src/encoder.py): merge every occurrence of the
    lowest-ranked pair, left to right, then repeat. An independent check of ``bpe``."""
    word = list(symbols)
    while len(word) > 1:
        pair = min(zip(word, word[1:]), key=lambda p: ranks.get(" ".join(p), float("inf")))
        if " ".join(pair) not in ranks:
            break
        merged, i = [], 0
        while i < len(word):
            if word[i:i + 2] == list(pair):
                merged.append(word[i] + word[i + 1])
                i += 2
            else:
                merged.append(word[i])
                i += 1
        word = merged
    return word


def test_every_vocab_entry_merges_into_itself(ranks):
    # Tokenizer._encode_chunk returns a pre-token that is a vocab entry as one token
    # without running BPE; that is exact only because this holds for every entry.
    vocab = json.loads(VOCAB.read_text(encoding="utf-8"))
    broken = [entry for entry in vocab
              if entry != "<|endoftext|>" and bpe(entry, ranks) != [entry]]
    assert broken == []


def test_merges_file_parses(ranks):
    assert len(ranks) == 50000
    assert ranks["Ġ t"] == 0
    assert max(ranks.values()) == 49999


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=40) | st.text(max_size=30).map(lambda t: t.encode("utf-8", "replace")))
def test_bpe_agrees_with_openais_loop(ranks, data):
    symbols = "".join(STAND_INS[b] for b in data)
    pieces = bpe(symbols, ranks)
    assert "".join(pieces) == symbols
    assert pieces == openai_bpe(symbols, ranks)


@pytest.mark.parametrize("text", ["a" * 3000, "ab" * 1500, "1" * 2000, "  " * 1000])
def test_long_runs_agree_with_openais_loop(ranks, text):
    symbols = "".join(STAND_INS[b] for b in text.encode())
    assert bpe(symbols, ranks) == openai_bpe(symbols, ranks)
