"""Our split regex against Hugging Face's ByteLevel pre-tokenizer (GPT-2's, on Oniguruma).

The regex's behaviour depends on each character only through three memberships: letter
(\\p{L}), number (\\p{N}) and whitespace (\\s). ``test_every_code_point`` settles all three for
every code point, so together with the structural tests below it proves the two splitters
equal; the corpus and hypothesis tests check that claim directly.
"""
import pytest
from hypothesis import given, settings

from nexttoken.tokenizer.charclass import WHITESPACE_RANGES
from nexttoken.tokenizer.pretokenize import pretokenize
from tests.tokenizer.corpus import CORPUS
from tests.tokenizer.reference import as_stand_ins, hf_pieces
from tests.tokenizer.strategies import unicode_text

WHITESPACE = "".join(chr(cp) for lo, hi in WHITESPACE_RANGES for cp in range(lo, hi + 1))


def probe(ch: str) -> str:
    """Contexts that split differently for each of: letter, number, whitespace, other.

    "a" + ch joins iff ch is a letter, "1" + ch iff a number, "!" + ch iff neither and not
    whitespace, and "  " + ch + "\\n" tells whether ch is whitespace even if it is also a
    letter or number (then ``\\s+(?!\\S)`` takes all of it).
    """
    return f"a{ch}1{ch}!{ch}  {ch}\n"


def test_every_code_point(hf_pretokenizer):
    block = 0x1000
    for start in range(0, 0x110000, block):
        chars = [chr(cp) for cp in range(start, start + block) if not 0xD800 <= cp <= 0xDFFF]
        # Fast path: "!" + the block is one piece only if every character is "other" (not
        # a letter, number or whitespace). That settles the unassigned and private-use planes.
        run = "!" + "".join(chars)
        if hf_pieces(hf_pretokenizer, run) == as_stand_ins([run]):
            assert pretokenize(run) == [run]
            continue
        text = "".join(probe(ch) for ch in chars)
        if as_stand_ins(pretokenize(text)) != hf_pieces(hf_pretokenizer, text):
            bad = [ch for ch in chars if as_stand_ins(pretokenize(probe(ch)))
                   != hf_pieces(hf_pretokenizer, probe(ch))]
            pytest.fail(f"split differs for {[f'U+{ord(ch):04X}' for ch in bad[:20]]}")


def test_whitespace_is_unicode_white_space_not_python_isspace(hf_pretokenizer):
    # Python's str.isspace() (and re's \s) also accepts U+001C..U+001F; GPT-2's \s does not.
    extra = "".join(chr(cp) for cp in range(0x110000) if chr(cp).isspace()
                    and chr(cp) not in WHITESPACE)
    assert extra == "\x1c\x1d\x1e\x1f"
    text = "".join(f"a {ch} b{ch}" for ch in extra)
    assert as_stand_ins(pretokenize(text)) == hf_pieces(hf_pretokenizer, text)


@pytest.mark.parametrize("ws", list(WHITESPACE))
@pytest.mark.parametrize("follow", ["x", "1", "!", "", "\n", " ", "\u3000"])
def test_whitespace_run_leaves_last_char_to_next_piece(hf_pretokenizer, ws, follow):
    for run in (ws, ws * 2, " " + ws, ws + " ", ws * 3 + "  "):
        text = f"a{run}{follow}"
        assert as_stand_ins(pretokenize(text)) == hf_pieces(hf_pretokenizer, text)


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_corpus_splits(hf_pretokenizer, name):
    text = CORPUS[name]
    pieces = pretokenize(text)
    assert "".join(pieces) == text
    assert as_stand_ins(pieces) == hf_pieces(hf_pretokenizer, text)


@settings(max_examples=300, deadline=None)
@given(unicode_text())
def test_generated_text_splits(hf_pretokenizer, text):
    pieces = pretokenize(text)
    assert "".join(pieces) == text
    assert as_stand_ins(pieces) == hf_pieces(hf_pretokenizer, text)
