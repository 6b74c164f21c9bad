"""The band index (large windows) gives what the token-by-token sums give."""
import math
import random

import pytest

from nexttoken.sampling import SamplingParams, prepare
from nexttoken.sampling.fast.buckets import Bands, series_coefficients
from tests.sampling.vectors import random_logits

SETTINGS = [
    {"temperature": 0.7, "top_p": 0.9}, {"temperature": 2.0, "top_p": 0.8},
    {"temperature": 0.15, "top_p": 0.99}, {"temperature": 3.0, "typical_p": 0.5},
    {"typical_p": 0.9}, {"typical_p": 0.2, "temperature": 0.4}, {"epsilon": 3e-4},
    {"eta": 1e-3, "temperature": 1.4}, {"min_p": 0.02, "temperature": 1.8},
    {"temperature": 1.6}, {"temperature": 0.05}, {"top_n_sigma": 1.0, "temperature": 2.5},
]


@pytest.mark.parametrize("seed", range(24))
def test_banded_sums_equal_exact_sums(seed):
    rng = random.Random(seed)
    size = rng.choice([3000, 6000])
    logits = random_logits(rng, size, scale=rng.choice([1.0, 2.0, 4.0]), spikes=10)
    if seed % 3 == 0:
        logits = [round(v * 4) / 4 for v in logits]  # many ties
    history = [rng.randrange(size) for _ in range(rng.choice([0, 40]))]
    params = dict(rng.choice(SETTINGS), order=rng.choice(["hf", "llama.cpp"]))
    if history:
        params.update(repetition_penalty=1.3, presence_penalty=0.4, logit_bias={7: 3.0})
    params = SamplingParams(**params)
    exact = prepare(logits, history).result(params)  # windows <= 4096 summed token by token
    banded = prepare(logits, history, fast_above=0, index_after=0).result(params)
    assert banded.window().fast and not (exact.kept <= 4096 and exact.window().fast)
    assert exact.kept_ids() == banded.kept_ids()
    assert max(abs(a - b) for a, b in zip(exact.distribution(), banded.distribution())) < 1e-12
    assert abs(exact.entropy() - banded.entropy()) < 1e-10


def test_the_series_of_one_band_matches_its_tokens():
    rng = random.Random(5)
    values = sorted((rng.uniform(-3, 0) for _ in range(400)), reverse=True)
    bands = Bands(values)
    for s in (0.3, 1.0, 4.0):
        coef = series_coefficients(s)
        for b, row in enumerate(bands.rows):
            lo, hi = bands.starts[b], bands.starts[b + 1]
            exact = math.fsum(math.exp((v - bands.centres[b]) * s) for v in values[lo:hi])
            series = math.fsum(m * c for m, c in zip(row, coef))
            assert abs(series - exact) <= 1e-12 * max(exact, 1.0)


def test_the_index_is_built_only_after_repeated_large_sums():
    logits = random_logits(random.Random(1), 9000)
    prepared = prepare(logits)
    # a slider's moves: each is a new window (a step keeps the sums of windows it has seen)
    params = [SamplingParams(temperature=1.3 + i * 1e-9, top_p=0.95) for i in range(4)]
    answers = [prepared.result(p).kept_ids() for p in params]
    assert prepared.bands() is not None and all(a == answers[0] for a in answers)
    assert prepare(logits).index().bands() is not None
