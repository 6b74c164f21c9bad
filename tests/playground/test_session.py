"""The playground's Python side (nexttoken.session, nexttoken.summary, WorkerApi's session
methods) in CPython, driven like the worker drives it, with the tiny site's ONNX model."""
import math

import numpy as np
import pytest

from nexttoken.sampling import Rng, SamplingParams, prepare, sample
from nexttoken.worker_api import sampling_params
from tests.playground.drive import open_session, run_model, step

N_CTX = 128  # tests.models.TINY's n_positions
PROMPT = "The quick brown fox"


def softmax(logits):
    z = np.exp(np.asarray(logits, dtype=np.float64) - np.max(logits))
    return z / z.sum()


def test_the_summary_describes_the_full_distribution(worker_api, native):
    open_session(worker_api, native, "s", PROMPT, N_CTX)
    params = {"temperature": 0.8, "top_p": 0.5}
    reply = worker_api.reply("s", params, {"top": 12}, "all")
    summary = reply["summary"]

    ids = worker_api.tokenizer.encode(PROMPT)
    native.reset()
    logits = native.step(ids).tolist()
    result = prepare(logits, ids).result(SamplingParams(**params))
    assert [(row["id"], row["prob"]) for row in summary["top"]] == result.top(12)
    probs = result.distribution()
    shown = sum(row["prob"] for row in summary["top"])
    assert summary["rest"]["prob"] == pytest.approx(1 - shown, abs=1e-12)
    assert summary["rest"]["count"] == sum(p > 0 for p in probs) - 12
    assert summary["kept"] + summary["rest"]["removed"] == len(logits) == summary["vocab"]
    entropy = -sum(p * math.log(p) for p in probs if p > 0)
    assert summary["entropy"] == pytest.approx(entropy, rel=1e-9)
    assert summary["effective"] == pytest.approx(math.exp(entropy), rel=1e-9)
    base = softmax(logits)
    for row in summary["top"]:
        assert row["logit"] == logits[row["id"]]
        assert row["model_prob"] == pytest.approx(base[row["id"]], rel=1e-6)
        assert row["display"] == worker_api.tokenizer.display(row["id"])
    assert summary["greedy"] == int(np.argmax(logits))
    assert [chip["id"] for chip in reply["chips"]] == ids
    assert reply["start"] == 0 and reply["length"] == reply["prompt_len"] == len(ids)


def test_when_few_tokens_survive_the_bars_show_the_likeliest_removed_ones(worker_api, native):
    open_session(worker_api, native, "s", PROMPT, N_CTX)
    summary = worker_api.reply("s", {"top_k": 3}, {"top": 8})["summary"]
    kept = [row for row in summary["top"] if row["kept"]]
    removed = [row for row in summary["top"] if not row["kept"]]
    assert len(kept) == 3 and len(removed) == 5
    assert all(row["prob"] == 0.0 for row in removed)
    assert sum(row["prob"] for row in kept) == pytest.approx(1.0)
    native.reset()
    logits = native.step(worker_api.tokenizer.encode(PROMPT))
    assert [row["id"] for row in summary["top"]] == list(np.argsort(-logits, kind="stable")[:8])
    assert summary["rest"]["count"] == 0 and summary["rest"]["prob"] == pytest.approx(0.0, abs=1e-12)


def test_seeded_sampling_matches_the_one_off_generate_path(worker_api, native):
    """Step k uses the k-th draw of Rng(seed): the same tokens nexttoken.generate gives."""
    params = {"temperature": 0.9, "top_k": 40, "seed": 11}
    open_session(worker_api, native, "s", PROMPT, N_CTX, params)
    got = [step(worker_api, native, "s", "sample", params)["id"] for _ in range(6)]

    history = worker_api.tokenizer.encode(PROMPT)
    rng = Rng(11)
    native.reset()
    logits = native.step(history)
    expected = []
    for _ in range(6):
        token = sample(prepare(logits.tolist(), history).distribution(SamplingParams(**params)), rng)
        expected.append(token)
        history.append(token)
        logits = native.step([token])
    assert got == expected


def test_undo_brings_back_the_cached_step_and_its_draw(worker_api, native):
    params = {"temperature": 1.0, "seed": 5}
    open_session(worker_api, native, "s", PROMPT, N_CTX, params)
    step(worker_api, native, "s", "sample", params)
    before = worker_api.reply("s", params, {"top": 10})
    third = step(worker_api, native, "s", "sample", params)
    removed = worker_api.undo("s")
    assert removed["id"] == third["id"]
    after = worker_api.reply("s", params, {"top": 10})
    assert after["summary"] == before["summary"] and after["length"] == before["length"]
    assert worker_api.plan("s") is None  # the cached step: no model run
    again = worker_api.choose_next("s", "sample", params)
    assert again["id"] == third["id"]  # the same draw for the same position
    plan = run_model(worker_api, native, "s")
    assert plan["reset"] and len(plan["feed"]) == after["length"] + 1  # the window is re-read
    assert worker_api.undo("s")["id"] == third["id"] and worker_api.undo("s") is not None
    assert worker_api.undo("s") is None  # only the prompt is left


def test_greedy_and_pick(worker_api, native):
    open_session(worker_api, native, "s", PROMPT, N_CTX)
    native.reset()
    logits = native.step(worker_api.tokenizer.encode(PROMPT))
    greedy = step(worker_api, native, "s", "greedy", {"temperature": 1.3, "top_p": 0.9})
    assert greedy["id"] == int(np.argmax(logits)) and greedy["kind"] == "greedy"

    params = {"top_k": 2}
    reply = worker_api.reply("s", params, {"top": 6})
    removed = reply["summary"]["top"][4]
    assert not removed["kept"]
    picked = step(worker_api, native, "s", "pick", params, removed["id"])
    assert picked["prob"] == 0.0 and picked["kind"] == "pick"
    assert picked["model_prob"] == pytest.approx(removed["model_prob"])
    assert picked["surprisal"] == pytest.approx(-math.log2(removed["model_prob"]))
    assert [alt["id"] for alt in picked["alternatives"]] == [row["id"] for row in reply["summary"]["top"][:2]]
    with pytest.raises(ValueError, match="token must be a token id"):
        worker_api.choose_next("s", "pick", {}, 50257)
    with pytest.raises(ValueError, match="unknown step kind"):
        worker_api.choose_next("s", "beam", {})


def test_reset_returns_to_the_prompt(worker_api, native):
    open_session(worker_api, native, "s", PROMPT, N_CTX)
    first = worker_api.reply("s", {}, {"top": 5})
    for _ in range(3):
        step(worker_api, native, "s", "sample", {"seed": 1})
    worker_api.reset("s")
    again = worker_api.reply("s", {}, {"top": 5}, "all")
    assert again["summary"] == first["summary"]
    assert [chip["kind"] for chip in again["chips"]] == ["prompt"] * first["length"]


def test_a_long_prompt_keeps_the_last_tokens_that_fit(worker_api, native):
    prompt = ("A long prompt, word after word; " * 400)[:10_000]
    ids = worker_api.tokenizer.encode(prompt)
    assert len(ids) > N_CTX
    open_session(worker_api, native, "s", prompt, N_CTX)
    reply = worker_api.reply("s", {}, {"top": 5}, "all")
    assert reply["start"] == len(ids) - N_CTX and len(reply["chips"]) == len(ids)
    assert any("only its last 128 tokens" in note for note in reply["notices"])
    native.reset()
    expected = prepare(native.step(ids[-N_CTX:]).tolist()).result(SamplingParams()).top(5)
    assert [(row["id"], row["prob"]) for row in reply["summary"]["top"]] == expected


def test_generation_slides_the_window_when_it_is_full(worker_api, native):
    prompt = "one two three " * 40
    ids = worker_api.tokenizer.encode(prompt)
    assert N_CTX - 10 < len(ids) <= N_CTX
    open_session(worker_api, native, "s", prompt, N_CTX)
    params = {"seed": 2}
    notices = []
    for _ in range(N_CTX - len(ids) + 2):
        step(worker_api, native, "s", "sample", params)
        notices += worker_api.reply("s", params, {"top": 3})["notices"]
    session = worker_api.session("s")
    assert len(notices) == 1 and "slid out" in notices[0]
    assert len(session.history) - session.start <= N_CTX
    native.reset()
    window = session.history[session.start:]
    expected = prepare(native.step(window).tolist(), window).result(SamplingParams()).top(3)
    got = worker_api.reply("s", params, {"top": 3})["summary"]["top"]
    assert [row["id"] for row in got] == [token for token, _ in expected]


def test_replaying_a_link_gives_the_same_steps(worker_api, native):
    params = {"temperature": 0.7, "seed": 9}
    open_session(worker_api, native, "a", PROMPT, N_CTX, params)
    records = [step(worker_api, native, "a", "sample", params) for _ in range(4)]
    open_session(worker_api, native, "b", PROMPT, N_CTX, params)
    replayed = [step(worker_api, native, "b", "pick", params, r["id"]) for r in records]
    assert [r["prob"] for r in replayed] == pytest.approx([r["prob"] for r in records], rel=1e-6)
    top_a = worker_api.reply("a", params, {"top": 5})["summary"]["top"]
    top_b = worker_api.reply("b", params, {"top": 5})["summary"]["top"]
    assert [row["id"] for row in top_a] == [row["id"] for row in top_b]
    assert [row["prob"] for row in top_a] == pytest.approx([row["prob"] for row in top_b], rel=1e-5)
    assert [r["id"] for r in worker_api.reply("b", params, {}, "all")["chips"]][-4:] == [r["id"] for r in records]


def test_stages_report_what_each_sampler_removed(worker_api, native):
    open_session(worker_api, native, "s", PROMPT, N_CTX)
    params = {"temperature": 0.8, "top_k": 40, "top_p": 0.95, "min_p": 0.05, "order": "llama.cpp"}
    stages = worker_api.reply("s", params, {"top": 5, "trace": True})["stages"]
    assert [s["name"] for s in stages] == ["top_k", "top_p", "min_p", "temperature"]
    top_k = stages[0]
    assert top_k["kept"] == 40 and top_k["removed"] == 50257 - 40
    assert 0 < top_k["removed_mass"] < 1 and len(top_k["examples"]) == 5
    assert sum(t["prob"] for t in top_k["top"]) <= 1.0
    assert worker_api.reply("s", {}, {"trace": True})["stages"] == []


def test_page_parameters_are_read_field_by_field():
    assert sampling_params('{"temperature": 0.5, "seed": null, "top_k": null}') == SamplingParams(temperature=0.5)
    assert sampling_params({"logit_bias": {"13": -5}}).logit_bias == {13: -5.0}
    with pytest.raises(ValueError, match="unknown sampling parameter 'temp'"):
        sampling_params({"temp": 1})
    with pytest.raises(ValueError, match="top_p must be in"):
        sampling_params('{"top_p": 1.5}')


def test_bad_requests_name_the_problem(worker_api, native):
    with pytest.raises(ValueError, match="no playground session 'missing'"):
        worker_api.reply("missing", {}, {})
    open_session(worker_api, native, "s", PROMPT, N_CTX)
    with pytest.raises(ValueError, match="top must be an integer"):
        worker_api.reply("s", {}, {"top": 0})
    worker_api.choose_next("s", "greedy", {})
    with pytest.raises(ValueError, match="the model has not run"):
        worker_api.choose_next("s", "greedy", {})


@pytest.mark.parametrize("prompt", ["", "\x00\x01\x7f binary \ufffd", "emoji 👩‍👩‍👧 🎉", "שלום עולם مرحبا",
                                    "<script>alert(1)</script><img src=x onerror=alert(2)>"])
def test_any_text_opens(worker_api, native, prompt):
    open_session(worker_api, native, "s", prompt, N_CTX)
    reply = worker_api.reply("s", {}, {"top": 3}, "all")
    ids = worker_api.tokenizer.encode(prompt) or [worker_api.tokenizer.eos_id]
    assert [chip["id"] for chip in reply["chips"]] == ids
    assert worker_api.tokenizer.decode(ids) == (prompt or "<|endoftext|>")
