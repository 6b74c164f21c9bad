"""Validation: every bad value is refused with a message naming the field, value and range."""
import math
from array import array

import pytest

from nexttoken.sampling import SamplingParams, distribution, prepare

BAD = [
    ("temperature", -0.1, r"temperature must be in \[0, inf\], got -0.1"),
    ("temperature", math.nan, "temperature must be in"),
    ("temperature", math.inf, "temperature must be in"),
    ("temperature", True, "temperature must be a number"),
    ("temperature", "1", "temperature must be a number"),
    ("top_p", 1.5, r"top_p must be in \[0, 1\], got 1.5"),
    ("top_p", -0.01, r"top_p must be in \[0, 1\]"),
    ("min_p", 2.0, r"min_p must be in \[0, 1\], got 2.0"),
    ("typical_p", 0.0, r"typical_p must be in \(0, 1\], got 0.0"),
    ("epsilon", 1.0, r"epsilon must be in \[0, 1\), got 1.0"),
    ("eta", -1.0, r"eta must be in \[0, 1\)"),
    ("top_n_sigma", -1.0, r"top_n_sigma must be in \[0, inf\]"),
    ("repetition_penalty", 0.0, r"repetition_penalty must be in \(0, inf\], got 0.0"),
    ("presence_penalty", 2.5, r"presence_penalty must be in \[-2, 2\], got 2.5"),
    ("frequency_penalty", math.nan, "frequency_penalty must be in"),
    ("top_k", -1, "top_k must be an integer >= 0, got -1"),
    ("top_k", 2.0, "top_k must be an integer >= 0, got 2.0"),
    ("top_k", False, "top_k must be an integer >= 0, got False"),
    ("no_repeat_ngram_size", 1.5, "no_repeat_ngram_size must be an integer >= 0"),
    ("order", "vllm", "order must be one of 'hf', 'llama.cpp', 'webui', 'custom', got 'vllm'"),
    ("seed", -3, "seed must be None or an integer >= 0, got -3"),
    ("seed", True, "seed must be None or an integer >= 0"),
    ("logit_bias", [1, 2], "logit_bias must be a dict"),
    ("logit_bias", {True: 1.0}, "logit_bias keys must be token ids"),
    ("logit_bias", {-1: 1.0}, "logit_bias keys must be token ids"),
    ("logit_bias", {"7": 1.0}, "logit_bias keys must be token ids"),
    ("logit_bias", {3: math.nan}, r"logit_bias\[3\] must be in"),
    ("logit_bias", {3: math.inf}, r"logit_bias\[3\] must be in"),
    ("logit_bias", {3: "1"}, r"logit_bias\[3\] must be a number"),
]


@pytest.mark.parametrize("field, value, message", BAD)
def test_bad_values_are_refused_with_field_value_and_range(field, value, message):
    with pytest.raises(ValueError, match=message):
        SamplingParams(**{field: value})


def test_defaults_turn_every_sampler_off():
    logits = [0.5, -1.0, 2.0, 0.0]
    probs = distribution(logits, SamplingParams(), history=[0, 1, 1])
    weights = [math.exp(v - 2.0) for v in logits]
    assert probs == pytest.approx([w / math.fsum(weights) for w in weights], abs=1e-15)


def test_ints_are_accepted_for_float_fields_and_stored_as_floats():
    params = SamplingParams(temperature=1, top_p=1, logit_bias={3: 2})
    assert type(params.temperature) is float and params.logit_bias == {3: 2.0}


def test_bias_key_is_checked_against_the_vocabulary_when_applied():
    with pytest.raises(ValueError, match="logit_bias key 4 is out of range for a vocabulary "
                                         "of 4 tokens"):
        distribution([0.0, 1.0, 2.0, 3.0], SamplingParams(logit_bias={4: 1.0}))


@pytest.mark.parametrize("bad, message", [
    ([0.0, math.nan, 1.0], r"logits\[1\] is nan"),
    ([0.0, 1.0, math.inf], r"logits\[2\] is inf"),
    ([math.inf, -math.inf], r"logits\[0\] is inf"),
    ([1e308, 1e308, math.nan], r"logits\[2\] is nan"),
    ([], "logits is empty"),
    ([-math.inf, -math.inf], "every logit is -inf"),
])
def test_bad_logits_are_refused(bad, message):
    with pytest.raises(ValueError, match=message):
        prepare(bad)


@pytest.mark.parametrize("history", [[0, 5], [-1], [True], [1.0]])
def test_history_ids_must_be_in_the_vocabulary(history):
    with pytest.raises(ValueError, match=r"token ids must be integers in \[0, 5\)"):
        prepare([0.0] * 5, history)


def test_logits_may_be_float32_arrays_memoryviews_or_ints():
    values = [0.25, -1.5, 3.0, -math.inf]
    expected = prepare(values).distribution(SamplingParams(temperature=0.5))
    for form in (array("f", values), memoryview(array("d", values)), (0.25, -1.5, 3.0, -math.inf)):
        assert prepare(form).distribution(SamplingParams(temperature=0.5)) == expected
    assert prepare([1, 0]).distribution(SamplingParams()) == pytest.approx(
        [1 / (1 + math.exp(-1)), math.exp(-1) / (1 + math.exp(-1))])


def test_every_token_masked_by_a_ban_is_an_error_not_nan():
    with pytest.raises(ValueError, match="every token is masked"):
        distribution([0.0, 1.0], SamplingParams(no_repeat_ngram_size=1), history=[0, 1])
