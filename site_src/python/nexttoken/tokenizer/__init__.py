"""GPT-2's byte-level BPE tokenizer, in standard-library Python (CPython and Pyodide).

>>> from nexttoken.tokenizer import Tokenizer
>>> tok = Tokenizer.from_files("vocab.json", "merges.txt")        # doctest: +SKIP
>>> tok.encode("Hello world")                                     # doctest: +SKIP
[15496, 995]

Modules: ``tokenizer`` (the ``Tokenizer`` class), ``pretokenize`` (the split regex),
``bpe`` (merging), ``byte_map`` (bytes <-> vocab characters), ``charclass`` and
``unicode_ranges`` (the regex's Unicode classes), ``display`` (readable token labels).
Importing does no work: tables and the regex are built on first use.
"""
from .tokenizer import Tokenizer

__all__ = ["Tokenizer"]
