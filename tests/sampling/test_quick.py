"""The quick path (sampling/fast/quick.py) against the full one: the same token, the same top, the
same random stream, for any logits; and None, with the stream untouched, where it does not apply."""
import math
import random

import pytest
from hypothesis import given, settings, strategies as st

from nexttoken.sampling import Rng, SamplingParams, prepare, sample
from nexttoken.sampling.fast import quick

finite = st.floats(min_value=-30, max_value=30, allow_nan=False)
# Few distinct values make ties, which top-k and top-p must order as the full path does.
tied = st.sampled_from([-3.0, 0.0, 0.0, 1.5, 2.0, 2.0])
logit_lists = st.lists(st.one_of(finite, tied), min_size=1, max_size=300)


@st.composite
def handled_params(draw):
    kw = {}
    if draw(st.booleans()):
        kw["temperature"] = draw(st.one_of(st.just(0.0), st.floats(min_value=0.05, max_value=3.0)))
    if draw(st.booleans()):
        kw["top_k"] = draw(st.integers(min_value=0, max_value=60))
    if draw(st.booleans()):
        kw["top_p"] = draw(st.one_of(st.floats(min_value=0.0, max_value=1.0), st.sampled_from([0.5, 0.9, 0.95])))
    return SamplingParams(seed=draw(st.integers(min_value=0, max_value=2**32)), **kw)


def full(logits, history, params, seed, top_n=10):
    rng = Rng(seed)
    result = prepare(logits, history).result(params)
    return sample(result, rng), result.top(top_n), rng.random()


def check_same(logits, history, params, top_n=10):
    rng = Rng(params.seed)
    answer = quick.choose(list(logits), history, params, rng, top_n)
    if answer is None:  # not handled: the stream must be untouched
        assert rng.random() == Rng(params.seed).random()
        return False
    token, top, after = full(logits, history, params, params.seed, top_n)
    assert answer == (token, top)
    assert rng.random() == after  # the same number of draws
    return True


@settings(max_examples=600, deadline=None)
@given(logit_lists, handled_params(), st.lists(st.integers(min_value=0, max_value=299), max_size=5))
def test_equal_to_the_full_path(logits, params, history):
    history = [t for t in history if t < len(logits)]
    check_same(logits, history, params)


@pytest.mark.parametrize("settings_", [
    {"temperature": 0.0}, {"temperature": 0.7, "top_p": 0.9}, {"top_p": 0.9},
    {"temperature": 0.7, "top_k": 40}, {"temperature": 1.3, "top_k": 50, "top_p": 0.95},
])
def test_model_like_vocabulary(settings_):
    """GPT-2's vocabulary size and a peaked head, as real logits have: handled, and equal."""
    handled = 0
    for seed in range(5):
        rng = random.Random(seed)
        logits = [rng.gauss(0.0, 2.5) for _ in range(50257)]
        for token in rng.sample(range(50257), 30):
            logits[token] += rng.uniform(5, 14)
        handled += check_same(logits, [1, 2, 3], SamplingParams(seed=seed, **settings_))
    assert handled == 5


def test_flat_logits_with_a_huge_nucleus_take_the_full_path():
    logits = [random.Random(1).gauss(0.0, 0.1) for _ in range(5000)]
    assert not check_same(logits, [], SamplingParams(temperature=0.7, top_p=0.9, seed=3))


@pytest.mark.parametrize("params", [
    SamplingParams(min_p=0.05), SamplingParams(repetition_penalty=1.2), SamplingParams(order="llama.cpp"),
    SamplingParams(logit_bias={1: 2.0}), SamplingParams(temperature=0.8),  # T alone keeps everything
])
def test_other_settings_are_not_handled(params):
    assert quick.choose([0.5, 1.0, 2.0], [], params, Rng(1)) is None


@pytest.mark.parametrize("logits, history", [
    ([0.0, math.nan], []), ([0.0, math.inf], []), ([0.0, -math.inf, 1.0], []), ([], []),
    ([0.0, 1.0], [5]), ([0.0, 1.0], [-1]), ([0.0, 1.0], [True]),
])
def test_bad_or_masked_input_goes_to_the_full_path(logits, history):
    """The full path raises the error (or masks -inf); the quick path leaves it to it."""
    assert quick.choose(logits, history, SamplingParams(temperature=0.0), Rng(1)) is None


def test_a_cut_within_the_margin_is_left_to_the_full_path():
    # two equal weights and p = 0.5: the head's share equals p exactly
    logits = [1.0, 1.0] + [-100.0] * 10
    assert quick.choose(logits, [], SamplingParams(top_p=0.5), Rng(1)) is None
