"""Readable labels for tokens, for showing them as chips.

A token is a few bytes, and many tokens are hard to see as text: a leading space, a newline,
a control byte, a zero-width joiner, or half of a multi-byte character. ``display_bytes``
makes each of these visible:

- a space becomes ``␣`` (U+2423 OPEN BOX), a no-break space ``⍽`` (U+237D);
- a newline becomes ``↵``, a tab ``→``, and other C0 control bytes (and DEL) their
  Unicode "control picture", e.g. carriage return ``␍``, NUL ``␀``;
- other invisible characters (C1 controls, format characters such as U+200D ZERO WIDTH
  JOINER, non-ASCII spaces, line and paragraph separators, private-use and unassigned
  code points) become ``<U+200D>``;
- a combining mark at the start gets a dotted circle ``◌`` to sit on;
- bytes that are not valid UTF-8 on their own (part of a character) become ``<E2><80>``.
"""
import unicodedata

SPACE_MARK = "␣"
_NAMED = {" ": SPACE_MARK, "\xa0": "⍽", "\n": "↵", "\t": "→", "\x7f": "␡"}
_INVISIBLE_CATEGORIES = {"Cc", "Cf", "Zs", "Zl", "Zp", "Co", "Cn", "Cs"}


def display_bytes(data: bytes) -> str:
    """A readable label for a token's bytes.

    >>> display_bytes(b" the"), display_bytes(b"\\n\\n"), display_bytes(b"\\t\\r\\x00")
    ('␣the', '↵↵', '→␍␀')
    >>> display_bytes(b" \\xe2\\x80"), display_bytes("\\u200d".encode())
    ('␣<E2><80>', '<U+200D>')
    >>> display_bytes("\\u0301".encode()), display_bytes("\\xa0".encode())
    ('◌́', '⍽')
    """
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        bad = "".join(f"<{b:02X}>" for b in data[error.start:error.end])
        return display_bytes(data[:error.start]) + bad + display_bytes(data[error.end:])
    label = "".join(_visible_char(ch) for ch in text)
    if text and unicodedata.category(text[0]).startswith("M"):
        label = "◌" + label
    return label


def _visible_char(ch: str) -> str:
    if ch in _NAMED:
        return _NAMED[ch]
    if ch < " ":
        return chr(0x2400 + ord(ch))  # the Control Pictures block mirrors C0 in order
    if ch.isascii() or unicodedata.category(ch) not in _INVISIBLE_CATEGORIES:
        return ch
    return f"<U+{ord(ch):04X}>"
