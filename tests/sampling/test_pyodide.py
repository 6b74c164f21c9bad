"""The parity vectors inside Pyodide give CPython's answers: same kept tokens, probabilities
within 1e-9, and the same seeded picks."""
import json

import pytest

from nexttoken.sampling import Rng, SamplingParams, prepare, sample
from tests.pyodide import run_in_chromium_pyodide, run_in_pyodide
from tests.sampling.vectors import cases, large_cases

# Runs inside Pyodide: recompute every case from the JSON payload.
SCRIPT = r'''
import json
from nexttoken.sampling import Rng, SamplingParams, prepare, sample

def answer(logits, history, params, seed):
    bias = params.get("logit_bias")
    if bias:
        params = dict(params, logit_bias={int(k): v for k, v in bias.items()})
    try:
        result = prepare(logits, history, index_after=0).result(SamplingParams(**params))
    except ValueError as error:
        return {"error": str(error)}
    probs = result.distribution()
    kept = sorted(result.kept_ids())
    rng = Rng(seed)
    return {"kept": kept, "probs": [probs[t] for t in kept],
            "picks": [sample(probs, rng) for _ in range(3)]}

payload = json.loads(PAYLOAD)
result = [answer(payload["vocabs"][name], history, params, seed)
          for seed, (name, history, params) in enumerate(payload["cases"])]
'''


def _payload(selected):
    vocabs, rows = {}, []
    for name, logits, history, params in selected:
        key = name.split("/")[0]
        vocabs[key] = logits
        rows.append((key, history, params))
    return {"vocabs": vocabs, "cases": rows}


def _cpython(payload):
    out = []
    for seed, (name, history, params) in enumerate(payload["cases"]):
        logits = payload["vocabs"][name]
        try:
            result = prepare(logits, history, index_after=0).result(SamplingParams(**params))
        except ValueError as error:
            out.append({"error": str(error)})
            continue
        probs = result.distribution()
        kept = sorted(result.kept_ids())
        rng = Rng(seed)
        out.append({"kept": kept, "probs": [probs[t] for t in kept],
                    "picks": [sample(probs, rng) for _ in range(3)]})
    return out


def _source(payload):
    # JSON keys are strings: logit_bias keys come back as ints inside the script
    return f"PAYLOAD = {json.dumps(json.dumps(payload))}\n" + SCRIPT


def _compare(expected, got):
    assert len(expected) == len(got)
    for want, have in zip(expected, got):
        if "error" in want:
            assert have == want
            continue
        assert have["kept"] == want["kept"]
        assert max(abs(a - b) for a, b in zip(have["probs"], want["probs"])) < 1e-9
        assert have["picks"] == want["picks"]


def test_parity_vectors_give_the_same_answers_in_pyodide():
    payload = _payload(cases() + large_cases())
    _compare(_cpython(payload), run_in_pyodide(_source(payload), timeout=600))


def test_a_few_vectors_in_headless_chromium(browser):
    pytest.importorskip("playwright")
    selected = [c for c in cases() if c[0].startswith(("masked_mix/", "random_100/"))]
    payload = _payload(selected + large_cases()[:1])
    _compare(_cpython(payload), run_in_chromium_pyodide(_source(payload), browser=browser))
