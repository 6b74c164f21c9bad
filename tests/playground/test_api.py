"""window.nexttoken.distribution in the browser against the same computation in CPython:
native onnxruntime on the same ONNX file, then nexttoken.sampling."""
import pytest

from nexttoken.sampling import SamplingParams, prepare
from tests.playground.page import Playground

PROMPT = "The secret to a good cup of coffee is"


@pytest.fixture(scope="module")
def pg(engine_browser, site_url):
    playground = Playground(engine_browser, site_url)  # the story page: the API needs no playground
    yield playground
    playground.close()


def expected(engine, native, prompt, params, top):
    ids = engine.tokenizer.encode(prompt) or [engine.tokenizer.eos_id]
    native.reset()
    return prepare(native.step(ids).tolist(), ids).result(SamplingParams(**params)).top(top)


@pytest.mark.parametrize("params, top", [
    ({}, 10),
    ({"temperature": 0.7, "top_k": 20}, 8),
    ({"temperature": 1.3, "top_k": 3, "order": "llama.cpp"}, 10),  # fewer survive than asked for
    ({"top_p": 0.001}, 5),
])
def test_distribution_matches_python(pg, engine, native, params, top):
    got = pg.evaluate("([p, params, top]) => window.nexttoken.distribution(p, params, {top})", [PROMPT, params, top])
    want = expected(engine, native, PROMPT, params, top)
    assert [t["id"] for t in got] == [token for token, _ in want]
    assert [t["prob"] for t in got] == pytest.approx([p for _, p in want], rel=1e-3)
    for token in got:
        assert token["display"] == engine.tokenizer.display(token["id"])
        assert token["text"] == engine.tokenizer.decode([token["id"]])
        assert set(token) == {"id", "display", "text", "prob", "logit"}
    assert pg.errors == []


def test_distribution_of_an_empty_prompt_starts_from_end_of_text(pg, engine, native):
    got = pg.evaluate("() => window.nexttoken.distribution('', {}, {top: 3})")
    assert [t["id"] for t in got] == [token for token, _ in expected(engine, native, "", {}, 3)]


def test_bad_parameters_reject_with_the_field(pg):
    message = pg.evaluate("""() => window.nexttoken.distribution('Hi', {top_p: 1.5})
        .then(() => 'resolved', (e) => e.message)""")
    assert "top_p" in message and "1.5" in message and "Traceback" not in message
    message = pg.evaluate("""() => window.nexttoken.distribution('Hi', {}, {top: 0})
        .then(() => 'resolved', (e) => e.message)""")
    assert "top must be an integer" in message


def test_a_step_reports_its_token_before_the_model_runs_on_it(pg):
    """session.step's onChosen gets the chosen chip first (no summary yet: the model has not
    run on it); the step's reply then carries the same chip and the next distribution."""
    got = pg.evaluate("""async () => {
      const s = window.nexttoken.session("early");
      await s.open("Once upon a time", {seed: 7}, {top: 3});
      const order = [];
      const reply = await s.step("sample", {seed: 7}, {top: 3}, undefined,
                                 (early) => order.push(["early", early]));
      order.push(["reply", reply]);
      await s.close();
      return order;
    }""")
    assert [kind for kind, _ in got] == ["early", "reply"]
    early, reply = got[0][1], got[1][1]
    assert "summary" not in early and reply["summary"]["top"]
    assert early["chips"] == reply["chips"] and len(early["chips"]) == 1
    assert early["length"] == reply["length"]
