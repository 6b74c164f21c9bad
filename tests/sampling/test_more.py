"""The samplers of issue 17 against the transliterated references (reference_more.py): alone
and combined, in the hf, llama.cpp, webui and a custom order; ties, -inf logits and
one-token survivors among the vocabularies (vectors.ADVERSARIAL)."""
import math

import pytest

from nexttoken.sampling import SamplingParams, prepare
from nexttoken.sampling.carry import Carry
from tests.sampling.reference_more import llama_more_distribution, tensor_distribution
from tests.sampling.vectors_more import large_more_cases, more_cases

TOLERANCE = 1e-9


def carry_for(params, draw, mu):
    previous = (params.mirostat, params.mirostat_tau, params.mirostat_eta, mu) \
        if mu is not None else None
    return Carry(draw, previous)


def check(logits, history, params_dict, draw, mu, **prepare_kw):
    params = SamplingParams(**params_dict)
    reference = llama_more_distribution if params.order == "llama.cpp" else tensor_distribution
    try:
        kept, expected = reference(logits, params, history, draw, mu)
    except (ValueError, IndexError, RuntimeError):
        kept = set()
    if not kept or any(math.isnan(p) for p in expected):
        with pytest.raises(ValueError, match="masked|overflows"):
            prepare(logits, history, **prepare_kw).result(params, carry_for(params, draw, mu))
        return
    result = prepare(logits, history, **prepare_kw).result(params, carry_for(params, draw, mu))
    assert set(result.kept_ids()) == kept
    got = result.distribution()
    assert max(abs(a - b) for a, b in zip(got, expected)) < TOLERANCE
    assert all(got[t] == 0.0 for t in range(len(got)) if t not in kept)


@pytest.mark.parametrize("name, logits, history, params, draw, mu", more_cases(),
                         ids=lambda c: None)
def test_new_samplers_match_their_references(name, logits, history, params, draw, mu):
    check(logits, history, params, draw, mu)


@pytest.mark.parametrize("name, logits, history, params, draw, mu", more_cases(),
                         ids=lambda c: None)
def test_band_index_gives_the_same_answers(name, logits, history, params, draw, mu):
    if len(logits) >= 100:
        check(logits, history, params, draw, mu, fast_above=0, index_after=0)


@pytest.mark.parametrize("name, logits, history, params, draw, mu", large_more_cases(),
                         ids=lambda c: None)
def test_gpt2_sized_vocabulary(name, logits, history, params, draw, mu):
    check(logits, history, params, draw, mu, index_after=0)
