"""The issue-17 parity vectors (vectors_more.py) inside Pyodide give CPython's answers, which
test_more.py checks against the references: same kept tokens, probabilities within 1e-9,
the same seeded picks, and the same XTC draws and Mirostat updates from a Carries."""
import json

import pytest

from nexttoken.sampling import Rng, SamplingParams, prepare
from nexttoken.sampling.carry import Carries, Carry
from tests.pyodide import run_in_chromium_pyodide, run_in_pyodide
from tests.sampling.vectors_more import large_more_cases, more_cases

# Runs inside Pyodide (and, as it is, in CPython): recompute every case from the payload.
SCRIPT = r'''
import json
from nexttoken.sampling import Rng, SamplingParams, prepare, sample
from nexttoken.sampling.carry import Carries, Carry

def answer(logits, history, params, draw, mu, seed):
    bias = params.get("logit_bias")
    if bias:
        params = dict(params, logit_bias={int(k): v for k, v in bias.items()})
    params = SamplingParams(**params)
    previous = (params.mirostat, params.mirostat_tau, params.mirostat_eta, mu) \
        if mu is not None else None
    try:
        result = prepare(logits, history, index_after=0).result(params, Carry(draw, previous))
    except ValueError as error:
        return {"error": str(error)}
    probs = result.distribution()
    kept = sorted(result.kept_ids())
    rng = Rng(seed)
    picks = [sample(probs, rng) for _ in range(3)]
    carries = Carries(seed)
    carry = carries.at(0)
    after = None
    if params.mirostat:
        carries.chose(result, params, picks[0], carry)
        after = carries.after[0][3]
    return {"kept": kept, "probs": [probs[t] for t in kept], "picks": picks,
            "draw": carry.xtc_draw(), "mu": after}

payload = json.loads(PAYLOAD)
result = [answer(payload["vocabs"][name], history, params, draw, mu, seed)
          for seed, (name, history, params, draw, mu) in enumerate(payload["cases"])]
'''


def _payload(selected):
    vocabs, rows = {}, []
    for name, logits, history, params, draw, mu in selected:
        key = name.split("/")[0]
        vocabs[key] = logits
        rows.append((key, history, params, draw, mu))
    return {"vocabs": vocabs, "cases": rows}


def _source(payload):
    return f"PAYLOAD = {json.dumps(json.dumps(payload))}\n" + SCRIPT


def _cpython(payload):
    scope = {}
    exec(_source(payload), scope)  # the very script Pyodide runs
    return scope["result"]


def _compare(expected, got):
    assert len(expected) == len(got)
    for want, have in zip(expected, got):
        if "error" in want:
            assert have == want
            continue
        assert have["kept"] == want["kept"] and have["picks"] == want["picks"]
        assert max(abs(a - b) for a, b in zip(have["probs"], want["probs"])) < 1e-9
        assert have["draw"] == want["draw"]
        assert (have["mu"] is None) == (want["mu"] is None)
        assert want["mu"] is None or abs(have["mu"] - want["mu"]) < 1e-9


def test_cpython_runs_the_script_like_the_engine():
    payload = _payload(more_cases()[:40])
    got = _cpython(payload)
    name, history, params, draw, mu = payload["cases"][0]
    result = prepare(payload["vocabs"][name], history).result(SamplingParams(**params),
                                                              Carry(draw))
    assert got[0]["kept"] == sorted(result.kept_ids())


def test_new_sampler_vectors_give_the_same_answers_in_pyodide():
    payload = _payload(more_cases() + large_more_cases())
    _compare(_cpython(payload), run_in_pyodide(_source(payload), timeout=900))


def test_a_few_new_sampler_vectors_in_headless_chromium(browser):
    pytest.importorskip("playwright")
    selected = [c for c in more_cases() if c[0].startswith(("masked_mix/", "random_100/"))]
    payload = _payload(selected + large_more_cases()[:2])
    _compare(_cpython(payload), run_in_chromium_pyodide(_source(payload), browser=browser))


def test_seeded_draws_do_not_depend_on_the_interpreter():
    assert Rng(5).random() == Rng(5).random()
    assert Carries(5).draw(0) != Rng(5).random()  # XTC has a stream of its own
