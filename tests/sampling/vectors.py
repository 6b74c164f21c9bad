"""Parity vectors: logits, history and parameters, random and adversarial.

The same list feeds the CPython parity tests (against transformers and the llama.cpp
transliteration) and the Pyodide run (against CPython's own answers).
"""
import math
import random

NEG_INF = -math.inf

# Adversarial logits. Vocabularies with ties stay <= 16 tokens: torch's sort is stable only
# up to 16 elements, and top-p's choice among tied tokens follows that order.
ADVERSARIAL = {
    "two_equal": [0.0, 0.0],
    "two_apart": [1.0, 0.0],
    "two_one_masked": [0.0, NEG_INF],
    "two_huge": [1e30, -1e30],
    "two_tiny": [1e-300, 0.0],
    "two_far_negative": [-1e4, -1e4 + 1.0],
    "four_equal": [0.0, 0.0, 0.0, 0.0],
    "eight_equal": [2.0] * 8,
    "ties_at_k": [1.0, 3.0, 1.0, 2.0, 1.0, 0.0],
    "dyadic": [math.log(8), math.log(4), math.log(2), 0.0, 0.0],
    "huge": [1e6, 1e6 - 1.0, 0.0, -1e6, 1e6 - 0.5],
    "big_range": [1e300, 1e300, -1e300, 0.0],
    "tiny": [1e-300, 2e-300, 0.0, -1e-300],
    "masked_mix": [NEG_INF, 1.5, NEG_INF, -0.5, 0.25, NEG_INF, 2.0, 0.0],
    "one_finite": [NEG_INF, NEG_INF, 3.0, NEG_INF],
}

# Probabilities of 1/8 make cumulative sums exact, so these top-p/epsilon values sit exactly
# on a threshold in both engines; epsilon and eta values are exact in float32 (transformers
# keeps eta's epsilon as a float32 tensor).
PARAMS = [
    {}, {"temperature": 0.0}, {"temperature": 0.5}, {"temperature": 2.0},
    {"top_k": 1}, {"top_k": 2}, {"top_k": 3},
    {"top_p": 0.0}, {"top_p": 0.25}, {"top_p": 0.5}, {"top_p": 0.625}, {"top_p": 0.75},
    {"top_p": 0.9},
    {"min_p": 0.05}, {"min_p": 0.5}, {"min_p": 1.0},
    {"typical_p": 0.2}, {"typical_p": 0.5}, {"typical_p": 0.9},
    {"epsilon": 2 ** -10}, {"epsilon": 0.125}, {"epsilon": 0.25},
    {"eta": 2 ** -10}, {"eta": 0.0625},
    {"top_n_sigma": 0.5}, {"top_n_sigma": 1.5},
    {"repetition_penalty": 1.5}, {"presence_penalty": 0.75, "frequency_penalty": 0.25},
    {"no_repeat_ngram_size": 2}, {"logit_bias": {0: 1.5, 1: -2.0}},
    {"temperature": 0.7, "top_p": 0.9},
    {"temperature": 1.5, "top_k": 5, "top_p": 0.8, "min_p": 0.1},
    {"temperature": 0.8, "top_k": 4, "top_p": 0.95, "min_p": 0.05, "typical_p": 0.95,
     "epsilon": 2 ** -12, "eta": 2 ** -11, "top_n_sigma": 2.5, "repetition_penalty": 1.2,
     "presence_penalty": 0.5, "frequency_penalty": 0.5, "no_repeat_ngram_size": 3,
     "logit_bias": {0: 0.5}},
]


def random_logits(rng, size, scale=2.0, spikes=3):
    """Normal logits with a few large values, like a language model's."""
    logits = [rng.gauss(0.0, scale) for _ in range(size)]
    for i in rng.sample(range(size), min(spikes, size)):
        logits[i] += rng.uniform(3.0, 10.0)
    return logits


def cases(orders=("hf", "llama.cpp")):
    """[(name, logits, history, params dict)] over the adversarial and random vocabularies."""
    rng = random.Random(1234)
    vocabs = dict(ADVERSARIAL)
    for size in (16, 100, 1000):
        vocabs[f"random_{size}"] = random_logits(rng, size)
    out = []
    for name, logits in vocabs.items():
        history = [rng.randrange(len(logits)) for _ in range(min(9, 2 * len(logits)))]
        history += history[:3]  # a repeated trigram start, so n-gram bans have something
        for index, params in enumerate(PARAMS):
            for order in orders:
                out.append((f"{name}/{index}/{order}", logits, history, dict(params, order=order)))
    return out


def large_cases():
    """A few 50257-token cases (GPT-2's vocabulary size); these use the band index."""
    rng = random.Random(50257)
    logits = random_logits(rng, 50257, spikes=30)
    history = [rng.randrange(50257) for _ in range(100)]
    chosen = [{"temperature": 0.7, "top_p": 0.9}, {"temperature": 1.5},
              {"min_p": 0.05}, {"typical_p": 0.9, "temperature": 1.3}, {"eta": 2 ** -11},
              {"repetition_penalty": 1.3, "presence_penalty": 0.5, "frequency_penalty": 0.5,
               "temperature": 2.0, "top_p": 0.8}]
    return [(f"gpt2_size/{i}", logits, history, dict(p, order="hf"))
            for i, p in enumerate(chosen)]
