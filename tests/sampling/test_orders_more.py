"""The webui and custom orders, Mirostat's llama.cpp chain, and the new fields' validation."""
import math

import pytest

from nexttoken.sampling import SamplingParams, prepare
from tests.sampling.reference_more import tensor_distribution

EVERYTHING = dict(temperature=0.8, top_k=40, top_p=0.95, min_p=0.05, typical_p=0.95,
                  epsilon=1e-4, eta=1e-4, top_n_sigma=2.5, repetition_penalty=1.2,
                  presence_penalty=0.5, no_repeat_ngram_size=2, logit_bias={0: 1.0},
                  dry_multiplier=0.8, dry_allowed_length=1, dry_sequence_breakers=[],
                  xtc_probability=1.0, xtc_threshold=0.01, mirostat=2, dynatemp_range=0.3,
                  top_a=0.01, tfs=0.99, smoothing_factor=0.1)


def names(params, logits=None, history=(1, 2, 3, 1, 2)):
    prepared = prepare(logits or [math.sin(i) * 3 for i in range(60)], history=list(history))
    return [s.name for s in prepared.trace(params)]


def test_webui_order_is_its_default_sampler_priority():
    assert names(SamplingParams(**EVERYTHING, order="webui")) == [
        "logit_bias", "repetition_penalty", "presence_frequency_penalty", "dry",
        "dynamic_temperature", "quadratic", "top_n_sigma", "top_k", "top_p", "typical_p",
        "epsilon", "eta", "tfs", "top_a", "min_p", "mirostat", "xtc", "no_repeat_ngram"]


def test_llama_order_with_mirostat_is_bias_temperature_mirostat():
    assert names(SamplingParams(**EVERYTHING, order="llama.cpp")) == [
        "logit_bias", "temperature", "mirostat"]
    no_mirostat = dict(EVERYTHING, mirostat=0)
    assert names(SamplingParams(**no_mirostat, order="llama.cpp")) == [
        "logit_bias", "penalties", "dry", "no_repeat_ngram", "top_n_sigma", "top_k", "tfs",
        "typical_p", "top_p", "min_p", "top_a", "epsilon", "eta", "xtc", "quadratic",
        "dynamic_temperature"]


def test_custom_order_runs_as_listed_and_the_trace_shows_it():
    order = ["dry", "min_p", "temperature", "xtc", "top_k"]
    params = SamplingParams(temperature=1.5, min_p=0.1, top_k=3, xtc_probability=1.0,
                            dry_multiplier=1.0, order="custom", sampler_order=order)
    assert names(params) == ["dry", "min_p", "temperature", "xtc", "top_k"]
    # unlisted active stages: the logit-changing ones first, the others after, in webui order
    params = SamplingParams(temperature=1.5, top_p=0.9, logit_bias={1: 1.0}, top_k=5,
                            order="custom", sampler_order=["top_k", "temperature"])
    assert names(params) == ["logit_bias", "top_k", "temperature", "top_p"]


def test_custom_order_changes_the_result():
    logits = [4.0, 3.0, 2.5, 2.0, 1.0, 0.0]
    first = SamplingParams(temperature=2.0, top_p=0.8, order="custom",
                           sampler_order=["temperature", "top_p"])
    last = SamplingParams(temperature=2.0, top_p=0.8, order="custom",
                          sampler_order=["top_p", "temperature"])
    kept = [set(prepare(logits).result(p).kept_ids()) for p in (first, last)]
    assert kept == [{0, 1, 2, 3}, {0, 1, 2}]
    assert kept[0] == tensor_distribution(logits, first)[0]
    assert kept[1] == tensor_distribution(logits, last)[0]


def test_webui_bans_repeated_ngrams_after_the_truncations():
    logits = [3.0, 2.9, 1.0, 0.5, 0.0]
    history = [0, 1, 0]  # the bigram (0, 1) bans 1 next
    params = SamplingParams(top_k=2, no_repeat_ngram_size=2, order="webui")
    result = prepare(logits, history).result(params)
    assert result.kept_ids() == [0]  # webui: top-2 is {0, 1}, then 1 is banned
    hf = prepare(logits, history).result(SamplingParams(top_k=2, no_repeat_ngram_size=2))
    assert sorted(hf.kept_ids()) == [0, 2]  # transformers bans first
    trace = prepare(logits, history).trace(params)
    assert [(s.name, s.removed) for s in trace] == [("top_k", [2, 3, 4]),
                                                     ("no_repeat_ngram", [1])]


BAD = [
    ("dry_multiplier", -1.0, "dry_multiplier must be in"),
    ("dry_base", 0.5, r"dry_base must be in \[1, 16\], got 0.5"),
    ("dry_allowed_length", 0, "dry_allowed_length must be an integer >= 1, got 0"),
    ("dry_sequence_breakers", ["\n"], "dry_sequence_breakers must be a list of token ids"),
    ("xtc_threshold", 1.5, r"xtc_threshold must be in \[0, 1\], got 1.5"),
    ("xtc_probability", math.nan, "xtc_probability must be in"),
    ("mirostat", 3, "mirostat must be one of 0, 1, 2, got 3"),
    ("mirostat", True, "mirostat must be one of 0, 1, 2, got True"),
    ("mirostat_tau", -1.0, "mirostat_tau must be in"),
    ("mirostat_eta", 2.0, "mirostat_eta must be in"),
    ("dynatemp_range", -0.1, "dynatemp_range must be in"),
    ("dynatemp_exponent", 0.0, r"dynatemp_exponent must be in \(0, inf\]"),
    ("top_a", 1.1, "top_a must be in"),
    ("tfs", -0.1, "tfs must be in"),
    ("smoothing_factor", -1.0, "smoothing_factor must be in"),
    ("smoothing_curve", 4.0, r"smoothing_curve must be in \[1, 3\], got 4.0"),
]


@pytest.mark.parametrize("field, value, message", BAD)
def test_new_fields_refuse_bad_values(field, value, message):
    with pytest.raises(ValueError, match=message):
        SamplingParams(**{field: value})


def test_defaults_turn_every_new_sampler_off():
    logits = [math.cos(i) * 2 for i in range(30)]
    history = [1, 2, 3, 1, 2, 3, 1, 2]
    plain = prepare(logits, history).distribution(SamplingParams())
    assert plain == prepare(logits, history).distribution(SamplingParams(order="webui"))
    assert names(SamplingParams(), logits, history) == []


@pytest.mark.parametrize("order, message", [
    (["top_k", "top_k"], "lists 'top_k' twice"),
    (["top_k", "nucleus"], "sampler_order holds 'nucleus'"),
    (["top_k", "dry"], "puts 'dry' after 'top_k'"),
    ([], "sampler_order must be a list of stage names"),
])
def test_custom_orders_are_checked(order, message):
    with pytest.raises(ValueError, match=message):
        SamplingParams(order="custom", sampler_order=order)


def test_custom_order_and_sampler_order_go_together():
    everything = dict(EVERYTHING, mirostat=0)
    assert names(SamplingParams(**everything, order="custom")) == \
        names(SamplingParams(**everything, order="webui"))  # where a reader starts
    with pytest.raises(ValueError, match="sampler_order is only used with order='custom'"):
        SamplingParams(sampler_order=["top_k"])
    assert SamplingParams(order="custom", sampler_order="top_k, temperature").sampler_order \
        == ("top_k", "temperature")
