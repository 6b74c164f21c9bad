"""The Python side of the page's engine worker: tokenize, turn logits into a choice.

The worker (site_src/js/engine.worker.js) runs the model with onnxruntime-web and hands each
step's logits here; everything about tokens and sampling happens in this package, the same
code the tests run in CPython.
"""
import heapq

from nexttoken.sampling import Rng, SamplingParams, prepare, sample
from nexttoken.tokenizer import Tokenizer


def _floats(logits):
    """Accept a Python sequence or, in Pyodide, a proxy of a JS Float32Array."""
    if hasattr(logits, "to_py"):
        logits = logits.to_py()
    if isinstance(logits, memoryview):
        return logits.tolist()
    return list(logits)


def _plain(value):
    return value.to_py() if hasattr(value, "to_py") else value


class Engine:
    """Tokenizer, sampling parameters and the seeded RNG of one generation."""

    def __init__(self, vocab_json: str, merges_txt: str):
        self.tokenizer = Tokenizer.from_strings(vocab_json, merges_txt)
        self.params = SamplingParams()
        self.rng = Rng(None)

    def encode(self, text: str) -> list:
        return self.tokenizer.encode(text)

    def decode(self, ids) -> str:
        return self.tokenizer.decode(list(_plain(ids)))

    def start(self, params) -> int:
        """Validate and set the parameters for a new generation; return the seed in use."""
        params = dict(_plain(params) or {})
        self.params = SamplingParams(**params)
        self.rng = Rng(self.params.seed)
        return self.rng.seed

    def choose(self, logits, history, top_n: int = 10) -> dict:
        """Pick the next token from one step's logits; also report the top of the distribution."""
        probs = prepare(_floats(logits), list(_plain(history))).distribution(self.params)
        token = sample(probs, self.rng)
        top = heapq.nlargest(top_n, range(len(probs)), key=probs.__getitem__)
        return {"id": token, "text": self.tokenizer.decode([token]),
                "top": [{"id": i, "display": self.tokenizer.display(i), "prob": probs[i]} for i in top]}
