"""Splitting text into pre-tokens (words, numbers, punctuation runs, whitespace) before BPE.

BPE never merges across a pre-token boundary, so this split decides, for example, that
" the" and "the" become different tokens and that "don't" ends in the token "'t".

How: GPT-2's split regex only ever asks four things of a character: is it a letter
(\\p{L}), a number (\\p{N}), whitespace (\\s), or one of the literal characters the pattern
names (space, apostrophe, and the ASCII letters of the contractions)? So every non-ASCII
character is swapped for an ASCII stand-in with the same answers (``class_table``), an
all-ASCII version of the pattern (``ASCII_SPLIT_PATTERN``) finds the pieces in that
stand-in text, and their lengths cut the original text. The swap keeps one character per
character, so the pieces line up exactly. ASCII text needs no swap at all.
"""
import functools
import re

from .charclass import WHITESPACE_RANGES, parse_ranges
from .unicode_ranges import LETTERS, NUMBERS

# GPT-2's split pattern, verbatim from OpenAI's gpt-2 repository (src/encoder.py), where it
# is compiled with the third-party `regex` module. Hugging Face's ByteLevel pre-tokenizer
# uses the same pattern with the Oniguruma engine. Contractions are matched case-sensitively
# ("'S" is not one), and `\s+(?!\S)` leaves the last space of a run to start the next word.
GPT2_SPLIT_PATTERN = (r"""'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+"""
                      r"""|\s+(?!\S)|\s+""")

# The same pattern for ASCII text, compiled with re.ASCII, where \s is exactly [\t-\r ]:
# the ASCII part of Unicode's White_Space (U+001C..U+001F stay "other", as in GPT-2).
ASCII_SPLIT_PATTERN = (r"""'s|'t|'re|'ve|'m|'ll|'d| ?[A-Za-z]+| ?[0-9]+| ?[^\sA-Za-z0-9]+"""
                       r"""|\s+(?!\S)|\s+""")

# ASCII stand-ins for non-ASCII characters of each class. None of them is a character the
# pattern names literally.
LETTER, NUMBER, SPACE, OTHER = "A", "0", "\t", "~"


@functools.lru_cache(maxsize=None)
def split_regex() -> re.Pattern:
    """The compiled ASCII pattern; built on first use, then shared."""
    return re.compile(ASCII_SPLIT_PATTERN, re.ASCII)


@functools.lru_cache(maxsize=None)
def class_table() -> str:
    """A ``str.translate`` table, indexed by code point, that keeps ASCII as it is and
    replaces every other character by the stand-in for its class.

    >>> "Ünïcode ２０２４\\u3000→".translate(class_table())
    'AnAcode 0000\\t~'
    """
    spans = [(lo, hi, stand_in)
             for ranges, stand_in in ((parse_ranges(LETTERS), LETTER),
                                      (parse_ranges(NUMBERS), NUMBER),
                                      (WHITESPACE_RANGES, SPACE))
             for lo, hi in ranges if hi >= 0x80]
    parts = ["".join(map(chr, range(0x80)))]
    covered = 0x80
    for lo, hi, stand_in in sorted(spans):
        lo = max(lo, 0x80)
        parts += [OTHER * (lo - covered), stand_in * (hi + 1 - lo)]
        covered = hi + 1
    parts.append(OTHER * (0x110000 - covered))
    return "".join(parts)


def pretokenize(text: str) -> list[str]:
    """Split ``text`` into GPT-2 pre-tokens; joining them gives ``text`` back.

    >>> pretokenize("Hello world's  2024 café!!\\n\\n")
    ['Hello', ' world', "'s", ' ', ' 2024', ' café', '!!', '\\n\\n']
    >>> pretokenize("a   b")  # the last space of a run goes with the next word
    ['a', '  ', ' b']
    """
    if text.isascii():
        return split_regex().findall(text)
    pieces = []
    start = 0
    for stand_in_piece in split_regex().findall(text.translate(class_table())):
        end = start + len(stand_in_piece)
        pieces.append(text[start:end])
        start = end
    return pieces
