"""The bake's model check: random weights are recognised, a trained model's shape is not.

No trained GPT-2 can be downloaded here, so the check runs on logits made by hand with the
shape of each case (peaked, as a trained model's are, or flat, as random weights give), fed
through the real tokenizer and the real sampling package, as the bake does.
"""
import math

import pytest

from export.figures.bake import FLAT_PROMPTS, MAX_ENTROPY_RATIO, WEEK_NEXT, check_model
from nexttoken import sampling
from nexttoken.tokenizer import Tokenizer


class _Logits:
    """The part of export/figures/bake.py's Baker that check_model reads, over given logits."""

    def __init__(self, tiny_model, make):
        self.tokenizer = Tokenizer.from_files(tiny_model / "vocab.json", tiny_model / "merges.txt")
        self.make = make

    def prepared(self, text):
        ids = self.tokenizer.encode(text)
        return sampling.prepare(self.make(text), ids)


def _peaked(favourite):
    logits = [0.0] * 50257
    for rank, token in enumerate(range(100, 140)):  # a head of forty plausible tokens
        logits[token] = 9.0 - rank * 0.1
    logits[favourite] = 14.0
    return logits


def test_a_peaked_model_that_knows_the_week_passes(tiny_model):
    b = _Logits(tiny_model, lambda text: None)
    thursday = b.tokenizer.encode(WEEK_NEXT)[0]
    b.make = lambda text: _peaked(thursday)
    check = check_model(b)
    assert check["trained"] and check["reason"] == ""
    assert check["entropy_ratio"] < MAX_ENTROPY_RATIO and check["p_next"] > 0.5


@pytest.mark.parametrize("shape, reasons", [
    ("flat", ["nearly flat", "Thursday"]),          # random weights: both signs
    ("wrong-favourite", ["Thursday"]),               # peaked, but does not know the week
])
def test_untrained_shapes_are_recognised(tiny_model, shape, reasons):
    b = _Logits(tiny_model, lambda text: None)
    b.make = (lambda text: [0.001 * (i % 7) for i in range(50257)]) if shape == "flat" \
        else (lambda text: _peaked(5))
    check = check_model(b)
    assert not check["trained"]
    assert all(word in check["reason"] for word in reasons), check["reason"]
    if shape == "flat":
        assert check["entropy_ratio"] > 0.99 and len(FLAT_PROMPTS) >= 2
        assert math.isclose(check["p_next"], 1 / 50257, rel_tol=0.01)
