"""A session keeps the full step (logits, sorted ids and values: ~4 MB) of only its last
``KEEP_STEPS`` chosen tokens; undoing past them re-runs the model, and gives the same
distribution as before. CPython with native onnxruntime on the tiny site's model."""
import gc
import tracemalloc

import pytest

from nexttoken.session import KEEP_STEPS
from nexttoken.worker_api import check_seed, sampling_params
from tests.playground.drive import open_session, run_model, step

N_CTX = 128  # tests.models.TINY's n_positions
PROMPT = "It was a bright cold day in April, and"
PARAMS = {"temperature": 0.9, "top_k": 40, "seed": 3}


def kept_steps(session):
    return sum(step is not None for step, _ in session._past)


def bars(worker_api, name):
    summary = worker_api.reply(name, PARAMS, {"top": 8})["summary"]
    return [(row["id"], row["prob"]) for row in summary["top"]], summary["entropy"]


def test_only_the_last_steps_are_kept(worker_api, native):
    count = 3 * KEEP_STEPS
    open_session(worker_api, native, "m", PROMPT, N_CTX, PARAMS)
    for _ in range(count):
        step(worker_api, native, "m", "sample", PARAMS)
    session = worker_api.session("m")
    assert len(session.records) == count
    assert kept_steps(session) == KEEP_STEPS
    assert all(step is not None for step, _ in session._past[-KEEP_STEPS:])


def test_dropped_steps_are_freed_at_once(worker_api, native):
    """A step's caches point back at it: without releasing them, dropped steps (~4 MB each)
    pile up until the next full garbage collection, which in Pyodide may be far off."""
    gc.disable()
    tracemalloc.start()
    try:
        open_session(worker_api, native, "f", PROMPT, N_CTX, PARAMS)
        for _ in range(KEEP_STEPS + 2):
            step(worker_api, native, "f", "sample", PARAMS)
        full = tracemalloc.get_traced_memory()[0]
        for _ in range(10):
            step(worker_api, native, "f", "sample", PARAMS)
        assert tracemalloc.get_traced_memory()[0] - full < 2_000_000  # less than one step
        worker_api.close("f")
        assert tracemalloc.get_traced_memory()[0] < full / 4
    finally:
        tracemalloc.stop()
        gc.enable()


def test_undo_past_the_kept_steps_gives_the_same_distributions(worker_api, native):
    count = KEEP_STEPS + 5
    open_session(worker_api, native, "u", PROMPT, N_CTX, PARAMS)
    before = []
    for _ in range(count):
        before.append(bars(worker_api, "u"))
        step(worker_api, native, "u", "sample", PARAMS)
    chosen = [r["id"] for r in worker_api.session("u").records]
    reran = []
    for index in reversed(range(count)):
        worker_api.undo("u")
        reran.append(run_model(worker_api, native, "u") is not None)
        ids, entropy = bars(worker_api, "u")
        want_ids, want_entropy = before[index]
        assert [t for t, _ in ids] == [t for t, _ in want_ids]
        assert [p for _, p in ids] == pytest.approx([p for _, p in want_ids], rel=1e-4)
        assert entropy == pytest.approx(want_entropy, rel=1e-4)
    # the last KEEP_STEPS came back from the cache, the older ones from the model
    assert reran == [False] * KEEP_STEPS + [True] * (count - KEEP_STEPS)
    # sampling again from the prompt gives the same tokens: same logits, same seeded draws
    again = [step(worker_api, native, "u", "sample", PARAMS)["id"] for _ in range(count)]
    assert again == chosen


def test_undo_across_a_slide_restores_the_window(worker_api, native):
    """Steps dropped before the window slid come back with the window they had."""
    open_session(worker_api, native, "w", "word " * (N_CTX - 4), N_CTX, PARAMS)
    starts = []
    for _ in range(KEEP_STEPS + 8):
        starts.append(worker_api.session("w").start)
        step(worker_api, native, "w", "greedy", PARAMS)
    assert starts[-1] > starts[0]  # the window slid
    for index in reversed(range(len(starts))):
        worker_api.undo("w")
        run_model(worker_api, native, "w")
        assert worker_api.session("w").start == starts[index]
    assert worker_api.reply("w", PARAMS, {"top": 3})["summary"]["top"]


def test_seeds_are_integers_below_two_to_the_64():
    assert check_seed(2**64 - 1) == 2**64 - 1
    assert sampling_params({"seed": "18446744073709551615"}).seed == 2**64 - 1
    assert sampling_params('{"seed": 9007199254740993}').seed == 2**53 + 1
    for bad in (2**64, -1, "12a", "", 1.5, True):
        with pytest.raises(ValueError, match=r"seed must be an integer in \[0, 2\^64\)"):
            sampling_params({"seed": bad})


def test_generate_options_are_checked_before_the_model_runs(worker_api):
    got = worker_api.generate_options('{"max_new_tokens": null, "temperature": null, "logit_bias": {"50256": -100}}')
    assert got["max_new_tokens"] == 20
    assert sampling_params(got["params"]).logit_bias == {50256: -100.0}
    with pytest.raises(ValueError, match="unknown parameter 'max_tokens'; known: max_new_tokens, onToken, temperature"):
        worker_api.generate_options({"max_tokens": 5})
    with pytest.raises(ValueError, match="max_new_tokens must be an integer"):
        worker_api.generate_options({"max_new_tokens": 2.5})
