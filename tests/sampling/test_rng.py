"""The owned RNG, inverse-CDF sampling and greedy."""
import math
from collections import Counter

import pytest

from nexttoken.sampling import Rng, SamplingParams, prepare, sample


def test_same_seed_same_stream_and_the_seed_is_exposed():
    a, b = Rng(42), Rng(42)
    assert [a.random() for _ in range(5)] == [b.random() for _ in range(5)]
    assert a.seed == 42
    fresh = Rng(None)
    assert isinstance(fresh.seed, int) and 0 <= fresh.seed < 2 ** 32
    assert Rng(fresh.seed).random() == Rng(fresh.seed).random()


def test_bad_seed_is_refused():
    with pytest.raises(ValueError, match="seed must be None or an integer >= 0"):
        Rng(-1)


def test_sample_inverts_the_cdf_in_id_order():
    class Fixed:
        def __init__(self, u):
            self.u = u

        def random(self):
            return self.u

    probs = [0.0, 0.25, 0.0, 0.5, 0.25, 0.0]
    picks = [sample(probs, Fixed(u)) for u in (0.0, 0.2499, 0.25, 0.7499, 0.75, 0.9999999)]
    assert picks == [1, 1, 3, 3, 4, 4]


def test_sample_follows_the_distribution():
    probs = [0.1, 0.0, 0.6, 0.3]
    rng = Rng(7)
    counts = Counter(sample(probs, rng) for _ in range(20000))
    assert counts[1] == 0
    for token, p in enumerate(probs):
        assert abs(counts[token] / 20000 - p) < 0.015


def test_sampling_a_result_equals_sampling_its_distribution():
    logits = [math.sin(i) * 3 for i in range(3000)]
    for params in (SamplingParams(temperature=0.8, top_p=0.9), SamplingParams(temperature=1.7),
                   SamplingParams(temperature=0.0), SamplingParams(top_k=700)):
        result = prepare(logits).result(params)
        a, b = Rng(3), Rng(3)
        assert [sample(result, a) for _ in range(50)] == \
               [sample(result.distribution(), b) for _ in range(50)]


def test_temperature_zero_is_greedy_with_the_lowest_id_among_ties():
    logits = [1.0, 3.0, 0.5, 3.0]
    for order in ("hf", "llama.cpp"):
        probs = prepare(logits).distribution(SamplingParams(temperature=0.0, order=order))
        assert probs == [0.0, 1.0, 0.0, 0.0]
