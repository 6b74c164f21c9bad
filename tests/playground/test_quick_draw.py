"""A seeded draw in a session that nothing has sorted yet takes the quick path
(nexttoken.sampling.fast.quick, no sorted vocabulary): the same chips as the full path, which a
session takes once a redraw has prepared the step."""
import pytest

from tests.playground.drive import open_session, run_model

N_CTX = 128  # tests.models.TINY's n_positions
PROMPT = "The quick brown fox"


# Tokens a link replays ("pick"): likely ones and unlikely ones, which top-k masks (probability 0).
PICKS = [13, 50256, 262, 0, 11]


@pytest.mark.parametrize("kind", ["sample", "greedy", "pick"])
@pytest.mark.parametrize("params", [
    {"temperature": 0.0},
    {"temperature": 0.9, "top_k": 40},
    {"temperature": 0.2, "top_k": 3, "top_p": 0.8},
], ids=["greedy", "top-k", "top-k+top-p"])
def test_a_quick_draw_gives_the_full_paths_chip(worker_api, native, params, kind):
    """A seeded draw, a greedy step and a picked token (a link's replay) alike."""
    params = dict(params, seed=5)
    chips = {}
    for name in ("quick", "full"):
        open_session(worker_api, native, name, PROMPT, N_CTX, params)
        records = []
        for i in range(5):
            session = worker_api.session(name)
            if name == "full":
                worker_api.reply(name, params, {"top": 3})  # a redraw sorts the step
            records.append(worker_api.choose_next(name, kind, params, PICKS[i] if kind == "pick" else None))
            assert session._past[-1][0].is_prepared == (name == "full")
            run_model(worker_api, native, name)
        chips[name] = records
        worker_api.close(name)
    for quick, full in zip(chips["quick"], chips["full"]):
        assert {k: quick[k] for k in ("id", "display", "text", "index", "kind")} == \
            {k: full[k] for k in ("id", "display", "text", "index", "kind")}
        assert quick["prob"] == pytest.approx(full["prob"], rel=1e-12)
        assert quick["model_prob"] == pytest.approx(full["model_prob"], rel=1e-9)
        assert [a["id"] for a in quick["alternatives"]] == [a["id"] for a in full["alternatives"]]
        assert [a["prob"] for a in quick["alternatives"]] == \
            pytest.approx([a["prob"] for a in full["alternatives"]], rel=1e-12)


def test_a_reply_without_the_summary_leaves_the_steps_unsorted(worker_api, native):
    """What the playground's Generate asks for between its few redraws a second: the chip and
    no bars, so the next draw is quick too; the bars asked for afterwards are the step's own."""
    params = {"temperature": 0.9, "top_k": 40, "seed": 5}
    for name, view in (("gen", {"summary": False}), ("bars", {})):  # one native model: in turn
        open_session(worker_api, native, name, PROMPT, N_CTX, params)
        for _ in range(4):
            worker_api.choose_next(name, "sample", params)
            run_model(worker_api, native, name)
            reply = worker_api.reply(name, params, dict(view, top=10), chips="last")
            assert ("summary" in reply) == (name == "bars") and len(reply["chips"]) == 1
    session = worker_api.session("gen")
    assert not any(step.is_prepared for step, _ in session._past) and not session.current.is_prepared
    assert worker_api.generated("gen")["ids"] == worker_api.generated("bars")["ids"]
    assert worker_api.reply("gen", params, {"summary": True})["summary"] == \
        worker_api.reply("bars", params, None)["summary"]
