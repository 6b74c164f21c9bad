"""Token ids equal to Hugging Face's GPT-2 tokenizer, and text survives encode -> decode."""
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.tokenizer.corpus import CORPUS, EOS
from tests.tokenizer.reference import hf_ids
from tests.tokenizer.strategies import unicode_text

NAMES = sorted(CORPUS)


@pytest.mark.parametrize("name", NAMES)
def test_corpus_ids_match_reference(tokenizer, hf_reference, name):
    text = CORPUS[name]
    assert tokenizer.encode(text) == hf_ids(hf_reference, text)


@pytest.mark.parametrize("name", NAMES)
def test_corpus_round_trips(tokenizer, name):
    text = CORPUS[name]
    assert tokenizer.decode(tokenizer.encode(text)) == text


def test_saved_and_reloaded_reference_matches_the_one_built_from_files(hf_fast, hf_reference):
    # The fixture chain (files -> GPT2TokenizerFast -> save_pretrained -> AutoTokenizer)
    # must not change behaviour, in particular around <|endoftext|>.
    assert type(hf_reference).__name__ == "GPT2TokenizerFast"
    assert hf_reference.eos_token == EOS and hf_reference.eos_token_id == 50256
    texts = list(CORPUS.values())
    assert hf_fast(texts)["input_ids"] == hf_reference(texts)["input_ids"]


def test_slow_reference_agrees_on_corpus(tokenizer, hf_slow):
    # The slow tokenizer uses the `regex` module and OpenAI's original merge loop.
    for name in NAMES:
        text = CORPUS[name]
        assert tokenizer.encode(text) == hf_slow(text)["input_ids"], name


def test_endoftext_typed_in_text_is_one_token(tokenizer):
    assert tokenizer.encode(f"a {EOS} b") == [64, 220, 50256, 275]
    assert tokenizer.encode(EOS * 2) == [50256, 50256]


def test_encode_ordinary_spells_endoftext_out(tokenizer, hf_fast):
    text = f"x{EOS} y"
    ids = tokenizer.encode_ordinary(text)
    assert 50256 not in ids
    assert ids == hf_fast(text, split_special_tokens=True)["input_ids"]


@settings(max_examples=300, deadline=None)
@given(unicode_text())
def test_generated_text_ids_match_reference(tokenizer, hf_reference, text):
    ids = tokenizer.encode(text)
    assert ids == hf_ids(hf_reference, text)
    assert tokenizer.decode(ids) == text


@settings(max_examples=100, deadline=None)
@given(unicode_text(max_parts=200))
def test_long_generated_text_ids_match_reference(tokenizer, hf_reference, text):
    assert tokenizer.encode(text) == hf_ids(hf_reference, text)


def test_cache_does_not_change_ids(tokenizer, hf_reference):
    from nexttoken.tokenizer import Tokenizer
    from tests.tokenizer.reference import MERGES, VOCAB

    fresh = Tokenizer.from_files(VOCAB, MERGES)
    text = CORPUS["ascii prose"] + CORPUS["code"]
    first, second = fresh.encode(text), fresh.encode(text)
    assert first == second == hf_ids(hf_reference, text)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(0, 50256), max_size=12))
def test_decode_of_any_ids_matches_reference(tokenizer, hf_reference, ids):
    # Random ids often cut UTF-8 characters; both sides then substitute U+FFFD the same way.
    assert tokenizer.decode(ids) == hf_reference.decode(ids, clean_up_tokenization_spaces=False)
