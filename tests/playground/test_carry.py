"""State carried from token to token (sampling/carry.py) in a playground session: XTC's draw
and Mirostat's mu per position, so that a seed and a link reproduce a run, undo included."""
import math

from nexttoken.sampling import Rng, SamplingParams, prepare, sample
from nexttoken.sampling.carry import Carry, xtc_seed
from tests.playground.drive import open_session, step

N_CTX = 128
PROMPT = "The quick brown fox"


def by_hand(worker_api, native, params, count):
    """The run recomputed outside the session: pick k uses draw k of Rng(seed), XTC draw k of
    Rng(xtc_seed(seed)); mu follows llama.cpp's update from the chosen token's probability."""
    p = SamplingParams(**params)
    history = worker_api.tokenizer.encode(PROMPT)
    picks, xtc = Rng(p.seed), Rng(xtc_seed(p.seed))
    native.reset()
    logits = native.step(history)
    tokens, mus, previous = [], [], None
    for _ in range(count):
        carry = Carry(xtc.random(), previous)
        result = prepare(logits.tolist(), history).result(p, carry)
        token = sample(result, picks)
        if p.mirostat:
            mu = carry.mu(p.mirostat, p.mirostat_tau, p.mirostat_eta)
            prob = dict(zip(result.kept_ids(), result.probabilities()))[token]
            previous = (p.mirostat, p.mirostat_tau, p.mirostat_eta,
                        mu - p.mirostat_eta * (-math.log2(prob) - p.mirostat_tau))
            mus.append(previous[3])
        tokens.append(token)
        history.append(token)
        logits = native.step([token])
    return tokens, mus


def test_mirostat_carries_mu_and_undo_restores_it(worker_api, native):
    params = {"mirostat": 2, "mirostat_tau": 2.0, "mirostat_eta": 0.5, "seed": 3}
    open_session(worker_api, native, "m", PROMPT, N_CTX, params)
    got = [step(worker_api, native, "m", "sample", params)["id"] for _ in range(5)]
    expected, mus = by_hand(worker_api, native, params, 5)
    assert got == expected
    session = worker_api.sessions["m"]
    assert [a[3] for a in session.carries.after] == mus
    assert len(set(mus)) > 1  # mu moved
    worker_api.undo("m")
    worker_api.undo("m")
    assert [a[3] for a in session.carries.after] == mus[:3]
    again = [worker_api.choose_next("m", "sample", params)["id"]]
    assert again == expected[3:4]  # the same draw and the same mu for that position


def test_xtc_draws_are_per_position_and_replay(worker_api, native):
    params = {"xtc_probability": 0.5, "xtc_threshold": 0.02, "temperature": 1.5, "seed": 8}
    open_session(worker_api, native, "x", PROMPT, N_CTX, params)
    got = [step(worker_api, native, "x", "sample", params)["id"] for _ in range(6)]
    assert got == by_hand(worker_api, native, params, 6)[0]
    open_session(worker_api, native, "y", PROMPT, N_CTX, params)
    assert [step(worker_api, native, "y", "sample", params)["id"] for _ in range(6)] == got


def test_mu_starts_over_when_mirostat_settings_change():
    carry = Carry(0.5, (2, 5.0, 0.1, 7.25))
    assert carry.mu(2, 5.0, 0.1) == 7.25
    assert carry.mu(2, 4.0, 0.1) == 8.0 and carry.mu(1, 5.0, 0.1) == 10.0
