"""The Tokenizer's public surface: sizes, bytes, display labels, and errors on bad input."""
import re

import pytest

from nexttoken.tokenizer import Tokenizer
from tests.tokenizer.reference import MERGES, VOCAB

TINY_VOCAB = '{"a": 0, "b": 1, "ab": 2, "<|endoftext|>": 3}'


def test_sizes(tokenizer):
    assert tokenizer.vocab_size == 50257
    assert tokenizer.eos_id == 50256


def test_from_strings_equals_from_files(tokenizer):
    text = "Same files, same ids: don't they?"
    built = Tokenizer.from_strings(VOCAB.read_text("utf-8"), MERGES.read_text("utf-8"))
    assert built.encode(text) == tokenizer.encode(text) == [30556, 3696, 11, 976, 220, 2340,
                                                            25, 836, 470, 484, 30]


def test_token_bytes(tokenizer):
    assert tokenizer.token_bytes(262) == b" the"
    assert tokenizer.token_bytes(50256) == b"<|endoftext|>"
    # "€" is one token; " 😀" needs two, the first ending mid-character.
    assert tokenizer.token_bytes(26391) == "€".encode()
    assert [tokenizer.token_bytes(i) for i in tokenizer.encode(" 😀")] == [b" \xf0\x9f\x98",
                                                                           b"\x80"]


def test_every_token_has_distinct_bytes(tokenizer):
    all_bytes = [tokenizer.token_bytes(i) for i in range(tokenizer.vocab_size)]
    assert len(set(all_bytes)) == tokenizer.vocab_size


@pytest.mark.parametrize("bad_id", [50257, -1, 10**9])
def test_unknown_ids_raise_naming_the_id(tokenizer, bad_id):
    for call in (tokenizer.token_bytes, tokenizer.display, lambda i: tokenizer.decode([0, i])):
        with pytest.raises(ValueError, match=f"unknown token id {bad_id}"):
            call(bad_id)


def test_decode_stopping_mid_character_does_not_raise(tokenizer):
    first, second = tokenizer.encode(" 😀")
    assert tokenizer.decode([first]) == " \ufffd"
    assert tokenizer.decode([second]) == "\ufffd"
    assert tokenizer.decode([first, second]) == " 😀"
    assert tokenizer.decode([]) == ""


@pytest.mark.parametrize("text, labels", [
    (" the", ["␣the"]),
    ("\n\n", ["↵↵"]),
    ("\t", ["→"]),
    ("\r\n", ["␍", "↵"]),
    ("\x00", ["␀"]),
    ("\xa0", ["⍽"]),
    ("€", ["€"]),
    (" 😀", ["␣<F0><9F><98>", "<80>"]),
    ("\u200d", ["<E2><80>", "<8D>"]),
    ("<|endoftext|>", ["<|endoftext|>"]),
])
def test_display_labels(tokenizer, text, labels):
    assert [tokenizer.display(i) for i in tokenizer.encode(text)] == labels


def test_display_of_every_token_is_visible(tokenizer):
    for token_id in range(tokenizer.vocab_size):
        label = tokenizer.display(token_id)
        assert label and label.isprintable(), (token_id, label)
        assert "\ufffd" not in label or "\ufffd".encode() in tokenizer.token_bytes(token_id)


def test_bad_input_errors():
    with pytest.raises(ValueError, match="not valid JSON"):
        Tokenizer.from_strings("{oops", "a b")
    with pytest.raises(ValueError, match="must be an object"):
        Tokenizer.from_strings("[1, 2]", "a b")
    with pytest.raises(ValueError, match=re.escape("no <|endoftext|> entry")):
        Tokenizer.from_strings('{"a": 0}', "a b")
    with pytest.raises(ValueError, match="merges line 2 is 'ab'"):
        Tokenizer.from_strings(TINY_VOCAB, "#version: 0.2\na b\nab\n")
    with pytest.raises(ValueError, match="'c', which is not in the vocab"):
        Tokenizer.from_strings(TINY_VOCAB, "a b").encode("c")


def test_encode_rejects_non_text_and_lone_surrogates(tokenizer):
    with pytest.raises(TypeError, match="expects a str, got bytes"):
        tokenizer.encode(b"abc")
    with pytest.raises(ValueError, match=re.escape("lone surrogate U+D800")):
        tokenizer.encode("ok \ud800")


def test_merges_file_with_crlf_line_ends():
    tok = Tokenizer.from_strings(TINY_VOCAB, "#version: 0.2\r\na b\r\n")
    assert tok.encode("ab") == [2]
