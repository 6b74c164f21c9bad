"""sampling/fast/head.py: the quick path's view of a step's logits. ListLogits (Python, the
reference) against a full sort, and the runtime's Logits (runtime/logits.js, as the worker hands
it to Python in Pyodide) against ListLogits: the same heads, the same sums within a few ulps,
and the same quick draws."""
import json
import math
import random
from array import array

import pytest
from hypothesis import given, settings, strategies as st

from nexttoken.sampling.fast.head import ListLogits, step_logits
from tests.pyodide import run_in_pyodide

tied = st.sampled_from([-3.0, 0.0, 0.0, 1.5, 2.0, 2.0])
logit_lists = st.lists(st.one_of(st.floats(min_value=-30, max_value=30), tied), min_size=1, max_size=300)


def full_order(values):
    return sorted(range(len(values)), key=lambda i: (values[i], i), reverse=True)


@settings(max_examples=300, deadline=None)
@given(logit_lists, st.integers(min_value=0, max_value=320))
def test_the_head_is_the_full_paths_order(values, count):
    ids, head = ListLogits(values).top(count)
    assert ids == full_order(values)[:count]
    assert head == [values[i] for i in ids]


def test_the_sum_is_exactly_rounded():
    values = [random.Random(3).gauss(0, 3) for _ in range(5000)]
    ref = max(values)
    assert ListLogits(values).mass(ref, 0.7) == math.fsum(math.exp((v - ref) / 0.7) for v in values)


@pytest.mark.parametrize("bad", [[0.0, math.nan], [0.0, math.inf], [0.0, -math.inf]])
def test_non_finite_logits_are_reported(bad):
    assert not ListLogits(bad).finite()


def test_what_the_worker_hands_over_is_accepted():
    floats = array("f", [0.5, -1.0, 2.0])
    for given_ in (floats.tolist(), memoryview(floats), tuple(floats)):
        assert step_logits(given_).values() == floats.tolist()


def float32_lists():
    """Logit vectors the two implementations both hold exactly (float32): ties, a flat run,
    and GPT-2-sized, model-like ones."""
    rng = random.Random(7)
    lists = [[2.0, 2.0, 1.0, 2.0, -3.0, 0.0, 0.0], [1.0] * 40, [0.25]]
    lists += [[rng.choice([-1.0, 0.0, 0.5, 3.0]) for _ in range(500)] for _ in range(3)]
    for seed in range(2):
        model = [rng.gauss(0.0, 2.5) for _ in range(50257)]
        for token in rng.sample(range(50257), 30):
            model[token] += rng.uniform(5, 14)
        lists.append(model)
    return [array("f", values).tolist() for values in lists]


# Runs in Pyodide under Node: each list as the worker hands it (the runtime's Logits over a
# Float32Array), read through head.py, and the quick path's draws on it.
SCRIPT = r"""
import json
from js import Float32Array, Logits
from pyodide.ffi import to_js
from nexttoken.sampling import Rng, SamplingParams
from nexttoken.sampling.fast import quick
from nexttoken.sampling.fast.head import step_logits

result = []
for values, counts, sums, settings in json.loads(CASES):
    logits = step_logits(Logits.new(Float32Array.new(to_js(values))))
    draws = []
    for seed, kw in enumerate(settings):
        answer = quick.choose(logits, [1], SamplingParams(seed=seed, **kw), Rng(seed), quick.ALL_KEPT)
        draws.append(answer and [answer[0], [list(pair) for pair in answer[1]]])
    result.append({"len": len(logits), "finite": logits.finite(), "at": [logits.at(i) for i in range(min(5, len(values)))],
                   "tops": [logits.top(c) for c in counts], "sums": [logits.mass(r, t) for r, t in sums],
                   "values": logits.values() == values, "draws": draws})
"""
SETTINGS = [{"temperature": 0.0}, {"temperature": 0.7, "top_p": 0.9}, {"top_p": 0.95},
            {"temperature": 0.8, "top_k": 40}, {"temperature": 1.3, "top_k": 50, "top_p": 0.9}]


def test_the_runtimes_logits_answer_as_the_reference():
    from nexttoken.sampling import Rng, SamplingParams
    from nexttoken.sampling.fast import quick

    cases = []
    for values in float32_lists():
        ref = max(values)
        counts = [1, 3, 64, 256, len(values), len(values) + 5]
        cases.append((values, counts, [(ref, 1.0), (ref, 0.7), (ref - 1.5, 2.0)], SETTINGS))
    got = run_in_pyodide(f"CASES = {json.dumps(json.dumps(cases))}\n" + SCRIPT, timeout=600)
    handled = 0
    for (values, counts, sums, settings_), answer in zip(cases, got):
        reference = ListLogits(values)
        assert answer["len"] == len(values) and answer["finite"] and answer["values"]
        assert answer["at"] == values[:5]
        assert answer["tops"] == [list(map(list, reference.top(c))) for c in counts]
        for (ref, t), mass in zip(sums, answer["sums"]):
            assert mass == pytest.approx(reference.mass(ref, t), rel=1e-14)
        for seed, (kw, draw) in enumerate(zip(settings_, answer["draws"])):
            expected = quick.choose(values, [1], SamplingParams(seed=seed, **kw), Rng(seed), quick.ALL_KEPT)
            assert draw == (expected and [expected[0], [list(pair) for pair in expected[1]]])
            handled += expected is not None
    assert handled >= 2 * len(SETTINGS)  # the model-like vectors take the quick path
