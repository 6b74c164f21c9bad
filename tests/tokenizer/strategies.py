"""Hypothesis strategies for text that exercises every branch of GPT-2's split regex.

Any code point may appear except surrogates (a Python str can hold one, but it is not
valid Unicode text and the Rust reference cannot accept it). No restriction to code points
"assigned in both versions" is needed: our character table and the reference both follow
Unicode 16.0 (see nexttoken/tokenizer/charclass.py), and text from all planes is generated,
including code points unassigned in 16.0.
"""
import random

from hypothesis import strategies as st

from tests.tokenizer.corpus import CONTRACTIONS, EOS, case_variants

# Pieces that matter to the regex or to BPE, so they turn up often enough to collide.
FRAGMENTS = sorted({
    *("'" + form for suffix in CONTRACTIONS for form in case_variants(suffix)),
    "'", "\u2019", " ", "  ", "\t", "\n", "\r\n", "\xa0", "\u3000", "\u2028", "\x85",
    "\x1c", "\x1f", "\u200b", "\u200d", "\u0301", "\ufe0f", "the", " the", "The", "ing",
    "123", "3.14", "½", "Ⅻ", "!!", "...", "é", "ß", "日本", "한국", "مرحبا", "שלום",
    "😀", "👍🏽", "🇫🇷", EOS, "<|", "|>", "\x00", "\x7f",
})

any_char = st.characters(exclude_categories=("Cs",))
ascii_char = st.characters(min_codepoint=0, max_codepoint=0x7F)
SPACES = (" \t\n\r\v\f\x85\xa0\u1680\u2000\u200a\u2028\u2029\u202f\u205f\u3000"
          "\x1c\x1d\x1e\x1f\u180e\u200b\ufeff")  # White_Space, then look-alikes that are not
space_char = st.sampled_from(SPACES)


def unicode_text(max_parts: int = 30):
    """Concatenations of fragments, ASCII, whitespace and arbitrary code points."""
    part = st.one_of(
        st.sampled_from(FRAGMENTS),
        st.text(any_char, min_size=1, max_size=6),
        st.text(ascii_char, min_size=1, max_size=10),
        st.text(space_char, min_size=1, max_size=4),
    )
    return st.lists(part, max_size=max_parts).map("".join)


def sample_texts(count: int, seed: int) -> list[str]:
    """Seeded random texts built like ``unicode_text``, for runs where hypothesis cannot
    drive the code (inside Pyodide)."""
    rng = random.Random(seed)

    def random_char():
        while True:
            cp = rng.choice([rng.randrange(0x80), rng.randrange(0x3000),
                             rng.randrange(0x110000)])
            if not 0xD800 <= cp <= 0xDFFF:
                return chr(cp)

    def part():
        kind = rng.randrange(4)
        if kind == 0:
            return rng.choice(FRAGMENTS)
        if kind == 1:
            return "".join(random_char() for _ in range(rng.randint(1, 6)))
        if kind == 2:
            return "".join(chr(rng.randrange(0x80)) for _ in range(rng.randint(1, 10)))
        return "".join(rng.choice(SPACES) for _ in range(rng.randint(1, 4)))

    return ["".join(part() for _ in range(rng.randint(0, 40))) for _ in range(count)]
