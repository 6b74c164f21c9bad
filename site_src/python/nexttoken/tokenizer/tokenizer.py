"""GPT-2's tokenizer: text -> token ids -> text, giving the same ids as Hugging Face's."""
import json

from .bpe import bpe, parse_merges
from .byte_map import bytes_to_unicode, unicode_to_bytes
from .display import display_bytes
from .pretokenize import pretokenize

EOS_TOKEN = "<|endoftext|>"
# The per-pre-token cache is dropped when it grows past this many entries, so a long
# session of varied prompts cannot grow memory without bound.
CACHE_LIMIT = 100_000


class Tokenizer:
    """GPT-2's byte-level BPE tokenizer.

    ``encode`` -> ``encode_ordinary`` -> ``_encode_chunk``: the special token is split out
    first, the rest is cut into pre-tokens (``pretokenize``), and each pre-token's UTF-8
    bytes are merged by BPE (``bpe``) into vocabulary entries.

    >>> tok = Tokenizer.from_strings('{"a": 0, "b": 1, "ab": 2, "<|endoftext|>": 3}', "a b")
    >>> tok.encode("ab<|endoftext|>ba")
    [2, 3, 1, 0]
    >>> tok.decode([2, 3]), tok.vocab_size, tok.eos_id
    ('ab<|endoftext|>', 4, 3)
    """

    def __init__(self, vocab: dict[str, int], ranks: dict[str, int]):
        if EOS_TOKEN not in vocab:
            raise ValueError(f"the vocab has no {EOS_TOKEN} entry: pass GPT-2's vocab.json "
                             "(encoder.json)")
        self._vocab = vocab
        self._ranks = ranks
        self._byte_encoder = bytes_to_unicode()
        self._cache: dict[str, list[int]] = {}
        self._id_to_bytes: list = []  # filled on first decode, see _bytes_table
        self.eos_id: int = vocab[EOS_TOKEN]
        self.vocab_size: int = len(vocab)

    @classmethod
    def from_strings(cls, vocab_json_text: str, merges_text: str) -> "Tokenizer":
        """Build from the text of vocab.json and merges.txt (as fetched in the browser)."""
        try:
            vocab = json.loads(vocab_json_text)
        except json.JSONDecodeError as error:
            raise ValueError(f"vocab is not valid JSON ({error}): pass GPT-2's vocab.json "
                             "(encoder.json)") from None
        if not isinstance(vocab, dict):
            raise ValueError("vocab JSON must be an object of token -> id: pass GPT-2's "
                             "vocab.json (encoder.json)")
        return cls(vocab, parse_merges(merges_text))

    @classmethod
    def from_files(cls, vocab_path, merges_path) -> "Tokenizer":
        """Build from the paths of vocab.json and merges.txt."""
        with open(vocab_path, encoding="utf-8") as vocab_file:
            vocab_text = vocab_file.read()
        with open(merges_path, encoding="utf-8") as merges_file:
            merges_text = merges_file.read()
        return cls.from_strings(vocab_text, merges_text)

    # -- text to ids ---------------------------------------------------------------------

    def encode(self, text: str) -> list[int]:
        """Token ids of ``text``; ``<|endoftext|>`` written in the text becomes ``eos_id``,
        as in Hugging Face's tokenizer (spaces around it are kept as their own tokens)."""
        if not isinstance(text, str):
            raise TypeError(f"encode expects a str, got {type(text).__name__}")
        first, *rest = text.split(EOS_TOKEN)
        ids = self.encode_ordinary(first)
        for part in rest:
            ids.append(self.eos_id)
            ids.extend(self.encode_ordinary(part))
        return ids

    def encode_ordinary(self, text: str) -> list[int]:
        """Token ids of ``text``, treating ``<|endoftext|>`` as plain characters."""
        if len(self._cache) > CACHE_LIMIT:
            self._cache.clear()
        cache = self._cache
        ids: list[int] = []
        for piece in pretokenize(text):
            chunk = cache.get(piece)
            if chunk is None:
                chunk = cache[piece] = self._encode_chunk(piece)
            ids.extend(chunk)
        return ids

    def _encode_chunk(self, piece: str) -> list[int]:
        try:
            raw = piece.encode("utf-8")
        except UnicodeEncodeError as error:
            bad = ord(piece[error.start])
            raise ValueError(f"text contains a lone surrogate U+{bad:04X}, which is not "
                             "valid Unicode: pair it or replace it with U+FFFD") from None
        symbols = raw.decode("latin-1").translate(self._byte_encoder)
        whole = self._vocab.get(symbols)
        if whole is not None:
            # BPE turns every GPT-2 vocab entry into itself (the tests check all 50,256),
            # so a pre-token that is an entry is that one token: most words skip BPE.
            return [whole]
        try:
            return [self._vocab[symbol] for symbol in bpe(symbols, self._ranks)]
        except KeyError as error:
            raise ValueError(f"BPE gave {error.args[0]!r}, which is not in the vocab: "
                             "vocab.json and merges.txt must come from the same model") from None

    # -- ids to text ---------------------------------------------------------------------

    def token_bytes(self, token_id: int) -> bytes:
        """The bytes a token stands for (a token may hold part of a UTF-8 character)."""
        table = self._bytes_table()
        if not 0 <= token_id < len(table) or table[token_id] is None:
            raise ValueError(f"unknown token id {token_id!r}: ids run from 0 to "
                             f"{len(table) - 1}")
        return table[token_id]

    def decode(self, ids) -> str:
        """The text of ``ids``. Bytes that do not form whole UTF-8 characters (say, the
        sequence stops mid-character) become U+FFFD instead of raising."""
        return b"".join(self.token_bytes(i) for i in ids).decode("utf-8", errors="replace")

    def display(self, token_id: int) -> str:
        """A readable label for a token chip; see ``display.display_bytes``."""
        return display_bytes(self.token_bytes(token_id))

    def _bytes_table(self) -> list:
        # Built on first use: start-up only pays for what encoding needs.
        if not self._id_to_bytes:
            to_bytes = unicode_to_bytes()
            table: list = [None] * (max(self._vocab.values()) + 1)
            for symbol, token_id in self._vocab.items():
                table[token_id] = symbol.translate(to_bytes).encode("latin-1")
            self._id_to_bytes = table
        return self._id_to_bytes
