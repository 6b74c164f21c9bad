"""The two chains, their stage order, and what the trace reports."""
import math

from nexttoken.sampling import SamplingParams, prepare
from tests.sampling.reference import hf_distribution, llama_distribution

ALL_ON = dict(temperature=0.8, top_k=40, top_p=0.95, min_p=0.05, typical_p=0.95, epsilon=1e-4,
              eta=1e-4, top_n_sigma=2.5, repetition_penalty=1.2, presence_penalty=0.5,
              frequency_penalty=0.5, no_repeat_ngram_size=2, logit_bias={0: 1.0})


def test_engines_disagree_at_temperature_2_and_top_p_0_8():
    # Six tokens: transformers divides by T first, so the flatter distribution needs more
    # tokens to reach 0.8; llama.cpp cuts before dividing.
    logits = [4.0, 3.0, 2.5, 2.0, 1.0, 0.0]
    hf = SamplingParams(temperature=2.0, top_p=0.8)
    llama = SamplingParams(temperature=2.0, top_p=0.8, order="llama.cpp")
    prepared = prepare(logits)
    kept_hf, kept_llama = (set(prepared.result(p).kept_ids()) for p in (hf, llama))
    assert kept_hf == {0, 1, 2, 3} and kept_llama == {0, 1, 2}
    assert kept_hf == hf_distribution(logits, hf)[0]
    assert kept_llama == llama_distribution(logits, llama)[0]


def test_stage_order_follows_each_engine():
    prepared = prepare([math.sin(i) for i in range(60)], history=[1, 2, 3, 1, 2])
    hf = [s.name for s in prepared.trace(SamplingParams(**ALL_ON))]
    llama = [s.name for s in prepared.trace(SamplingParams(**ALL_ON, order="llama.cpp"))]
    assert hf == ["logit_bias", "repetition_penalty", "presence_frequency_penalty",
                  "no_repeat_ngram", "temperature", "top_n_sigma", "top_k", "top_p", "min_p",
                  "typical_p", "epsilon", "eta"]
    assert llama == ["logit_bias", "penalties", "no_repeat_ngram", "top_n_sigma", "top_k",
                     "typical_p", "top_p", "min_p", "epsilon", "eta", "temperature"]


def test_trace_shows_what_each_stage_removed():
    logits = [3.0, 2.0, 1.0, 0.0, -1.0, -math.inf]
    trace = prepare(logits, history=[4, 2, 4]).trace(
        SamplingParams(no_repeat_ngram_size=2, top_k=3, temperature=0.5))
    names = [(s.name, s.removed) for s in trace]
    assert names == [("no_repeat_ngram", [2]), ("temperature", []), ("top_k", [4])]
    assert trace[0].probs[2] == 0.0 and trace[0].probs[5] == 0.0
    assert math.isclose(sum(trace[1].probs), 1.0)
    assert trace[-1].result.kept_ids() == [0, 1, 3]


def test_llama_penalties_only_look_at_the_last_64_tokens():
    logits = [1.0, 1.0, 0.0]
    history = [0] + [2] * 64
    p = SamplingParams(repetition_penalty=2.0, order="llama.cpp")
    probs = prepare(logits, history).distribution(p)
    assert probs[0] == probs[1]  # token 0 fell out of llama.cpp's 64-token window
    hf = prepare(logits, history).distribution(SamplingParams(repetition_penalty=2.0))
    assert hf[0] < hf[1]  # transformers penalizes the whole history


def test_presence_and_frequency_follow_openai():
    logits = [0.0, 0.0, 0.0]
    probs = prepare(logits, [1, 1, 2]).distribution(
        SamplingParams(presence_penalty=0.5, frequency_penalty=0.25))
    adjusted = [0.0, -(2 * 0.25 + 0.5), -(1 * 0.25 + 0.5)]
    weights = [math.exp(v) for v in adjusted]
    assert all(math.isclose(p, w / sum(weights)) for p, w in zip(probs, weights))


def test_result_top_and_entropy():
    logits = [2.0, 1.0, 0.0, -1.0]
    result = prepare(logits).result(SamplingParams(top_k=3))
    top = result.top(2)
    weights = [math.exp(v - 2.0) for v in logits[:3]]
    z = sum(weights)
    assert [t for t, _ in top] == [0, 1] and math.isclose(top[0][1], weights[0] / z)
    assert math.isclose(result.entropy(), -sum(w / z * math.log(w / z) for w in weights))
    assert result.kept == 3 and result.size == 4


def test_top_names_the_same_ids_as_kept_ids_after_penalties():
    import random

    rng = random.Random(3)
    logits = [rng.gauss(0, 2) for _ in range(5000)]
    history = [rng.randrange(5000) for _ in range(80)]
    prepared = prepare(logits, history)
    for step in range(10):
        result = prepared.result(SamplingParams(repetition_penalty=1.1 + step / 10,
                                                presence_penalty=0.3, logit_bias={5: 9.0}))
        assert [t for t, _ in result.top(30)] == result.kept_ids()[:30]
