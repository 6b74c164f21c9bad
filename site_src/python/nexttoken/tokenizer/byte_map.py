"""GPT-2's reversible map between the 256 byte values and 256 printable characters.

GPT-2's BPE works on bytes, but its vocab.json and merges.txt are text files, so every
byte is given a stand-in character. Bytes that are already printable Latin-1 characters
stand for themselves; the rest (control bytes, space, and a few odd ones) are shifted up
to U+0100 and beyond. That is why a leading space shows up as 'Ġ' in vocab.json.
"""


def bytes_to_unicode() -> dict[int, str]:
    """Return GPT-2's byte -> stand-in character map (the same one as OpenAI's encoder.py).

    >>> table = bytes_to_unicode()
    >>> table[ord("a")], table[ord(" ")], table[ord("\\n")], table[0xE2]
    ('a', 'Ġ', 'Ċ', 'â')
    >>> len(set(table.values()))
    256

    Decoding UTF-8 bytes as Latin-1 gives one character per byte whose code point is the
    byte value, so this dict works directly as a ``str.translate`` table:

    >>> "é!".encode("utf-8").decode("latin-1").translate(table)
    'Ã©!'
    """
    printable = [*range(ord("!"), ord("~") + 1), *range(ord("¡"), ord("¬") + 1),
                 *range(ord("®"), ord("ÿ") + 1)]
    table = {b: chr(b) for b in printable}
    shifted = 0
    for b in range(256):
        if b not in table:
            table[b] = chr(256 + shifted)
            shifted += 1
    return table


def unicode_to_bytes() -> dict[int, int]:
    """The inverse map, as a ``str.translate`` table from stand-in to byte value.

    Translating a vocab string and encoding the result as Latin-1 gives its bytes:

    >>> "Ġthe".translate(unicode_to_bytes()).encode("latin-1")
    b' the'
    >>> "âĢ".translate(unicode_to_bytes()).encode("latin-1")
    b'\\xe2\\x80'
    """
    return {ord(ch): b for b, ch in bytes_to_unicode().items()}
