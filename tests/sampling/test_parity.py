"""The engine against transformers' LogitsProcessors (hf order) and the llama.cpp
transliteration (llama.cpp order): same kept tokens, probabilities within 1e-9."""
import math
import random

import pytest

from nexttoken.sampling import SamplingParams, prepare
from tests.sampling.reference import hf_distribution, llama_distribution
from tests.sampling.vectors import cases, large_cases, random_logits

TOLERANCE = 1e-9  # the issue asks for 1e-6; float64 on both sides does much better


def check(logits, history, params_dict, **prepare_kw):
    params = SamplingParams(**params_dict)
    reference = hf_distribution if params.order == "hf" else llama_distribution
    try:
        kept, expected = reference(logits, params, history)
    except (ValueError, IndexError, RuntimeError):  # the reference chokes: all masked
        kept = set()
    if not kept:  # every token masked: the engine says so instead of returning NaN
        with pytest.raises(ValueError, match="masked"):
            prepare(logits, history, **prepare_kw).result(params)
        return
    result = prepare(logits, history, **prepare_kw).result(params)
    assert set(result.kept_ids()) == kept
    got = result.distribution()
    assert len(got) == len(logits)
    assert max(abs(a - b) for a, b in zip(got, expected)) < TOLERANCE
    assert all(got[t] == 0.0 for t in range(len(got)) if t not in kept)
    assert math.isclose(math.fsum(got), 1.0, abs_tol=1e-12)


@pytest.mark.parametrize("name, logits, history, params", cases(), ids=lambda c: None)
def test_vectors_match_reference(name, logits, history, params):
    check(logits, history, params)


@pytest.mark.parametrize("name, logits, history, params", large_cases(), ids=lambda c: None)
def test_gpt2_sized_vocabulary_matches_transformers(name, logits, history, params):
    check(logits, history, params, index_after=0)  # the band index from the first call


def _random_params(rng, size, order):
    kw = {"order": order}
    picks = {
        "temperature": lambda: rng.choice([0.0, 0.3, 0.7, 1.5, rng.uniform(0.05, 3.0)]),
        "top_k": lambda: rng.randint(1, 20),
        "top_p": lambda: rng.choice([0.0, 0.5, 0.9, rng.random()]),
        "min_p": lambda: rng.choice([0.05, 0.5, 1.0, rng.random()]),
        "typical_p": lambda: rng.uniform(0.01, 0.99),
        "epsilon": lambda: rng.randint(1, 2000) / 4096,
        "eta": lambda: rng.randint(1, 2000) / 4096,
        "top_n_sigma": lambda: rng.choice([0.5, 1.0, 2.5, rng.uniform(0.01, 3.0)]),
        "repetition_penalty": lambda: rng.choice([0.8, 1.3, 2.0]),
        "presence_penalty": lambda: rng.choice([0.5, -0.5, 1.5]),
        "frequency_penalty": lambda: rng.choice([0.25, -0.5, 1.0]),
        "no_repeat_ngram_size": lambda: rng.randint(1, 3),
        "logit_bias": lambda: {rng.randrange(size): rng.randint(-40, 40) / 8 for _ in range(3)},
    }
    for field, pick in picks.items():
        if rng.random() < 0.3:
            kw[field] = pick()
    return kw


@pytest.mark.parametrize("seed", range(300))
def test_random_combinations_match_reference(seed):
    rng = random.Random(seed)
    size = rng.choice([2, 3, 5, 16, 60, 300])
    logits = random_logits(rng, size, scale=rng.choice([0.5, 2.0, 5.0]))
    if size <= 16 and rng.random() < 0.4:
        logits = [float(round(v)) for v in logits]  # ties (torch sorts stably up to 16)
    if size > 2 and rng.random() < 0.3:
        for _ in range(rng.randint(1, size - 1)):
            logits[rng.randrange(size)] = -math.inf
    history = [rng.randrange(size) for _ in range(rng.randint(0, 12))]
    params = _random_params(rng, size, rng.choice(["hf", "llama.cpp"]))
    banded = rng.random() < 0.5
    check(logits, history, params, **({"fast_above": 0, "index_after": 0} if banded else {}))
