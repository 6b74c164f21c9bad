"""The plain reference chain (nexttoken/sampling/plain.py) against the engine and the libraries.

The engine (``prepare(...).distribution``: sorted views, kept windows, band sums) must give
what the plain chain gives -- the same kept tokens, probabilities within 1e-9 relative, the
same ValueError -- on every parity vector (tests/sampling/vectors.py, vectors_more.py) in
every order, through the band index too, and on random combinations (hypothesis: many
samplers at once, all four orders, custom orders, repeated histories, -inf entries, ties,
2 to 3,000 tokens, and 50,257). The plain chain itself must give what transformers'
processors and the llama.cpp / text-generation-webui transliterations give
(tests/sampling/reference.py, reference_more.py) on the same vectors. The cases at the end
are engine bugs this comparison found (now fixed).
"""
import math
import random

import pytest
from hypothesis import given, settings, strategies as st

from nexttoken.sampling import SamplingParams, prepare
from nexttoken.sampling.carry import Carry
from nexttoken.sampling.params import CHANGES_LOGITS, ORDERS, STAGE_NAMES
from nexttoken.sampling.plain import plain_distribution, plain_scores
from tests.sampling.reference import hf_distribution, llama_distribution
from tests.sampling.reference_more import llama_more_distribution, tensor_distribution
from tests.sampling.vectors import cases, large_cases, random_logits
from tests.sampling.vectors_more import large_more_cases, more_cases

RELATIVE = 1e-9   # probabilities: relative difference allowed, plain against either side
TINY = 1e-300     # below this, a probability is compared absolutely (subnormals round coarsely)
BANDED = dict(fast_above=0, index_after=0)  # every window summed through the band index


def _parametrized(base, more) -> list:
    """pytest params (logits, history, params dict, XTC draw, Mirostat mu, which reference)
    of vectors.py's cases ("base": reference.py) and vectors_more.py's ("more":
    reference_more.py)."""
    return ([pytest.param(logits, history, params, 0.5, None, "base", id=f"base/{name}")
             for name, logits, history, params in base]
            + [pytest.param(logits, history, params, draw, mu, "more", id=f"more/{name}")
               for name, logits, history, params, draw, mu in more])


VECTORS = _parametrized(cases(ORDERS), more_cases())
LARGE_VECTORS = _parametrized(large_cases(), large_more_cases())


def carry_for(params, draw, mu) -> Carry:
    previous = None if mu is None else (params.mirostat, params.mirostat_tau,
                                        params.mirostat_eta, mu)
    return Carry(draw, previous)


def assert_same(got, kept, expected, expected_kept):
    """Same kept tokens; probabilities within RELATIVE of each other."""
    assert kept == expected_kept
    assert len(got) == len(expected)
    far = [(t, a, b) for t, (a, b) in enumerate(zip(got, expected))
           if not math.isclose(a, b, rel_tol=RELATIVE, abs_tol=TINY)]
    assert not far, f"{len(far)} probabilities differ, e.g. (id, got, expected) {far[:3]}"


def plain_answer(logits, params, history, carry):
    """(kept ids, probabilities) of the plain chain, or None when it raises ValueError."""
    try:
        scores = plain_scores(logits, params, history, carry)
    except ValueError:
        return None
    kept = {t for t, s in enumerate(scores) if s > -math.inf}
    return kept, plain_distribution(logits, params, history, carry)


def engine_answer(logits, params, history, carry, **prepare_kw):
    """(kept ids, probabilities) of the engine, or None when it raises ValueError."""
    try:
        result = prepare(logits, history, **prepare_kw).result(params, carry)
    except ValueError:
        return None
    return set(result.kept_ids()), result.distribution()


def check_engine(logits, history, params, carry, **prepare_kw):
    """The engine keeps what the plain chain keeps, with its probabilities, or both raise."""
    plain = plain_answer(logits, params, history, carry)
    engine = engine_answer(logits, params, history, carry, **prepare_kw)
    assert (engine is None) == (plain is None), "only one of them raised ValueError"
    if plain is not None:
        assert_same(engine[1], engine[0], plain[1], plain[0])


def library_answer(logits, params, history, draw, mu, which):
    """(kept ids, probabilities) from transformers' processors or the llama.cpp / webui
    transliterations, or None where they leave nothing (they raise, or return NaN)."""
    if which == "base" and params.order in ("hf", "llama.cpp"):  # as test_parity.py
        reference = hf_distribution if params.order == "hf" else llama_distribution
        extra = ()
    else:  # as test_more.py
        reference = llama_more_distribution if params.order == "llama.cpp" \
            else tensor_distribution
        extra = (draw, mu)
    try:
        kept, probs = reference(logits, params, history, *extra)
    except (ValueError, IndexError, RuntimeError):
        return None
    if not kept or any(math.isnan(p) for p in probs):
        return None
    return kept, probs


# --- the vectors -----------------------------------------------------------------------------

@pytest.mark.parametrize("logits, history, params, draw, mu, which", VECTORS)
def test_the_engine_gives_the_plain_distribution(logits, history, params, draw, mu, which):
    params = SamplingParams(**params)
    carry = carry_for(params, draw, mu)
    check_engine(logits, history, params, carry)
    if len(logits) >= 100:
        check_engine(logits, history, params, carry, **BANDED)


@pytest.mark.parametrize("logits, history, params, draw, mu, which", LARGE_VECTORS)
def test_the_engine_gives_the_plain_distribution_at_50257_tokens(logits, history, params,
                                                                 draw, mu, which):
    params = SamplingParams(**params)
    check_engine(logits, history, params, carry_for(params, draw, mu), index_after=0)


@pytest.mark.parametrize("logits, history, params, draw, mu, which", VECTORS + LARGE_VECTORS)
def test_the_plain_chain_gives_what_the_libraries_give(logits, history, params, draw, mu,
                                                       which):
    params = SamplingParams(**params)
    library = library_answer(logits, params, history, draw, mu, which)
    plain = plain_answer(logits, params, history, carry_for(params, draw, mu))
    assert (library is None) == (plain is None), "only one of them left nothing to sample"
    if plain is not None:
        assert_same(plain[1], plain[0], library[1], library[0])


# --- random combinations -------------------------------------------------------------------

def decimals(low, high):
    """Numbers with three decimals. Logits made of them, or moved by them, tie exactly or
    differ by far more than rounding: logits closer than that (0 and 5e-324, or a penalty of
    1e-159) are knife edges, where either answer is a correct rounding."""
    return st.floats(low, high).map(lambda x: round(x, 3))


small_logits = st.lists(st.one_of(decimals(-60.0, 60.0), st.integers(-3, 3).map(float),
                                  st.just(-math.inf)),
                        min_size=2, max_size=40).filter(lambda xs: max(xs) > -math.inf)
unit = st.floats(min_value=0.0, max_value=1.0)


@st.composite
def seeded_logits(draw, sizes):
    """A language model's kind of logits (vectors.random_logits), perhaps rounded into ties,
    perhaps with -inf entries."""
    size = draw(sizes)
    rng = random.Random(draw(st.integers(0, 2 ** 32 - 1)))
    logits = random_logits(rng, size, scale=draw(st.sampled_from([0.5, 2.0, 5.0])),
                           spikes=draw(st.integers(0, 30)))
    if draw(st.booleans()):
        step = draw(st.sampled_from([1.0, 0.5, 0.25]))
        logits = [round(v / step) * step for v in logits]
    for token in rng.sample(range(size), draw(st.integers(0, size - 1))):
        logits[token] = -math.inf
    return logits


@st.composite
def histories(draw, size):
    """Token ids with repeated stretches, so that DRY and n-gram bans find something."""
    start = draw(st.lists(st.integers(0, size - 1), max_size=12))
    history = list(start)
    for at, length in draw(st.lists(st.tuples(st.integers(0, 12), st.integers(1, 6)),
                                    max_size=3)):
        history += start[at:at + length]
    return history


@st.composite
def sampler_orders(draw):
    """A valid custom order: the logit-changing stages it lists come first."""
    listed = draw(st.lists(st.sampled_from(STAGE_NAMES), unique=True, min_size=1))
    early = set(CHANGES_LOGITS) | ({"no_repeat_ngram"} if draw(st.booleans()) else set())
    return [n for n in listed if n in early] + [n for n in listed if n not in early]


def settings_for(size):
    return {
        "temperature": st.one_of(st.just(0.0), st.floats(0.05, 4.0)),
        "top_k": st.integers(0, 50), "top_p": unit, "min_p": unit,
        "typical_p": st.floats(0.01, 1.0), "epsilon": st.floats(0.0, 0.5),
        "eta": st.floats(0.0, 0.5), "top_n_sigma": st.floats(0.0, 3.0),
        "repetition_penalty": decimals(0.5, 2.0), "presence_penalty": decimals(-2.0, 2.0),
        "frequency_penalty": decimals(-2.0, 2.0), "no_repeat_ngram_size": st.integers(0, 4),
        "logit_bias": st.dictionaries(st.integers(0, size - 1), decimals(-10.0, 10.0),
                                      max_size=3),
        "dry_multiplier": decimals(0.0, 3.0), "dry_base": decimals(1.0, 4.0),
        "dry_allowed_length": st.integers(1, 4),
        "dry_sequence_breakers": st.lists(st.integers(0, size - 1), max_size=3),
        "xtc_threshold": st.floats(0.0, 0.6), "xtc_probability": unit,
        "mirostat": st.sampled_from([0, 1, 2]), "mirostat_tau": st.floats(0.0, 10.0),
        "mirostat_eta": unit, "dynatemp_range": st.just(0.0) | st.floats(0.01, 2.0),
        "dynatemp_exponent": st.floats(0.1, 4.0), "top_a": unit, "tfs": unit,
        "smoothing_factor": decimals(0.0, 3.0), "smoothing_curve": decimals(1.0, 3.0),
    }


@st.composite
def situations(draw, vocabularies):
    """(logits, history, params, carry): many samplers at once, in any order."""
    logits = draw(vocabularies)
    size = len(logits)
    chosen = {name: draw(strategy) for name, strategy in settings_for(size).items()
              if draw(st.booleans())}
    order = draw(st.sampled_from(ORDERS))
    if order == "custom" and draw(st.booleans()):
        chosen["sampler_order"] = draw(sampler_orders())
    params = SamplingParams(**chosen, order=order)
    carry = None
    if draw(st.booleans()):  # None: the engine's default carry, Carry()
        carry = carry_for(params, draw(st.floats(0.0, 1.0, exclude_max=True)),
                          draw(st.none() | st.floats(0.0, 20.0)))
    return logits, draw(histories(size)), params, carry


def check_random(situation, **prepare_kw):
    check_engine(*situation, **prepare_kw)


@settings(max_examples=1000, deadline=None)
@given(situations(st.one_of(small_logits, seeded_logits(st.integers(41, 3000)))),
       st.booleans())
def test_random_combinations_give_the_plain_distribution(situation, banded):
    check_random(situation, **(BANDED if banded else {}))


@settings(max_examples=12, deadline=None)
@given(situations(seeded_logits(st.just(50257))))
def test_random_combinations_at_50257_tokens(situation):
    check_random(situation, index_after=0)


# --- where the engine was wrong (found by the plain chain; fixed) ------------------------------

def _gpt2_sized(spike=0.0, ties=()):
    """vectors.random_logits at GPT-2's size; ``spike`` raises token 7, ``ties``: tokens set
    to one value above all the others."""
    logits = random_logits(random.Random(0), 50257, spikes=0 if ties else 30)
    logits[7] += spike
    for token in ties:
        logits[token] = 14.0
    return logits


# Once the band index is built (the playground builds it when a control is grabbed), a window of
# more than 4,096 tokens at a temperature below ~7e-5 raised OverflowError in
# buckets.series_error (math.exp(width / 2T)); now such a window is summed exactly.
@pytest.mark.parametrize("logits, params", [
    (_gpt2_sized(), SamplingParams(temperature=5e-5)),
    # a confident step (top p = 0.99999): dynamic temperature 1 ± 1, exponent 3 gives T' 1.4e-6
    (_gpt2_sized(spike=20.0), SamplingParams(dynatemp_range=1.0, dynatemp_exponent=3.0,
                                             order="webui")),
], ids=["temperature_5e-5", "dynamic_temperature_on_a_confident_step"])
def test_tiny_temperatures_in_band_sums(logits, params):
    check_engine(logits, [], params, None, index_after=0)


# llama.cpp's typical through the band index walked the tie group of the token nearest the
# entropy (above it) from the group's nearest end; the walk starts at its first token, as the
# chain without the index, the plain chain and the llama.cpp transliteration do.
@pytest.mark.parametrize("logits, prepare_kw", [
    ([0.0, 0.0, 0.0] + [-2.0] * 4 + [-3.0] * 8, BANDED),
    # three tied tokens on top of N(0, 2) logits, the playground's vocabulary and index
    (_gpt2_sized(ties=(7, 100, 4000)), dict(index_after=0)),
], ids=["15_tokens_banded", "gpt2_sized"])
def test_typical_ties_in_band_sums(logits, prepare_kw):
    check_engine(logits, [], SamplingParams(typical_p=0.5, order="llama.cpp"), None,
                 **prepare_kw)
