"""A seeded draw in a session that nothing has sorted yet takes the quick path
(nexttoken.sampling.quick, no sorted vocabulary): the same chips as the full path, which a
session takes once a redraw has prepared the step."""
import pytest

from tests.playground.drive import open_session, run_model

N_CTX = 128  # tests.models.TINY's n_positions
PROMPT = "The quick brown fox"


@pytest.mark.parametrize("params", [
    {"temperature": 0.0},
    {"temperature": 0.9, "top_k": 40},
    {"temperature": 0.2, "top_k": 3, "top_p": 0.8},
], ids=["greedy", "top-k", "top-k+top-p"])
def test_a_quick_draw_gives_the_full_paths_chip(py_engine, native, params):
    params = dict(params, seed=5)
    chips = {}
    for name in ("quick", "full"):
        open_session(py_engine, native, name, PROMPT, N_CTX, params)
        records = []
        for _ in range(5):
            session = py_engine.session(name)
            if name == "full":
                py_engine.reply(name, params, {"top": 3})  # a redraw sorts the step
            records.append(py_engine.choose_next(name, "sample", params))
            assert session._past[-1][0].is_prepared == (name == "full")
            run_model(py_engine, native, name)
        chips[name] = records
        py_engine.close(name)
    for quick, full in zip(chips["quick"], chips["full"]):
        assert {k: quick[k] for k in ("id", "display", "text", "index", "kind")} == \
            {k: full[k] for k in ("id", "display", "text", "index", "kind")}
        assert quick["prob"] == pytest.approx(full["prob"], rel=1e-12)
        assert quick["model_prob"] == pytest.approx(full["model_prob"], rel=1e-9)
        assert [a["id"] for a in quick["alternatives"]] == [a["id"] for a in full["alternatives"]]
        assert [a["prob"] for a in quick["alternatives"]] == \
            pytest.approx([a["prob"] for a in full["alternatives"]], rel=1e-12)
