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


def expected(worker_api, native, prompt, params, top):
    ids = worker_api.tokenizer.encode(prompt) or [worker_api.tokenizer.eos_id]
    native.reset()
    return prepare(native.step(ids).tolist(), ids).result(SamplingParams(**params)).top(top)


@pytest.mark.parametrize("params, top", [
    ({}, 10),
    ({"temperature": 0.7, "top_k": 20}, 8),
    ({"temperature": 1.3, "top_k": 3, "order": "llama.cpp"}, 10),  # fewer survive than asked for
    ({"top_p": 0.001}, 5),
])
def test_distribution_matches_python(pg, worker_api, native, params, top):
    got = pg.evaluate("([p, params, top]) => window.nexttoken.distribution(p, params, {top})", [PROMPT, params, top])
    want = expected(worker_api, native, PROMPT, params, top)
    assert [t["id"] for t in got] == [token for token, _ in want]
    assert [t["prob"] for t in got] == pytest.approx([p for _, p in want], rel=1e-3)
    for token in got:
        assert token["display"] == worker_api.tokenizer.display(token["id"])
        assert token["text"] == worker_api.tokenizer.decode([token["id"]])
        assert set(token) == {"id", "display", "text", "prob", "logit"}
    assert pg.errors == []


def test_distribution_of_an_empty_prompt_starts_from_end_of_text(pg, worker_api, native):
    got = pg.evaluate("() => window.nexttoken.distribution('', {}, {top: 3})")
    assert [t["id"] for t in got] == [token for token, _ in expected(worker_api, native, "", {}, 3)]


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
      const reply = await s.choose("sample", {seed: 7}, {top: 3}, undefined,
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


# --- every public call accepts what the playground accepts (issue 16.1) ---------------------

LONG_PROMPT = "word " * 200  # 200 tokens: longer than the tiny model's 128-token context


def settle(pg, script, arg=None):
    """Run an async call in the page: {ok: value} or {error: message}; a BigInt in the value
    (a seed above 2^53) arrives as its decimal text, as JSON has no BigInt (the engines'
    drivers pass values as JSON)."""
    return pg.evaluate(f"""async (arg) => {{
      const plain = (value) => JSON.parse(JSON.stringify(value ?? null, (k, v) => typeof v === "bigint" ? String(v) : v));
      try {{ return {{ok: plain(await ({script})(arg))}}; }} catch (e) {{ return {{error: String(e.message)}}; }}
    }}""", arg)


def test_generate_keeps_the_end_of_a_prompt_longer_than_the_context(pg):
    got = settle(pg, "(p) => window.nexttoken.generate(p, {max_new_tokens: 3, seed: 1})", LONG_PROMPT)
    assert "ok" in got, got
    assert len(got["ok"]["ids"]) == 3
    assert any("only its last 128 tokens" in n for n in got["ok"]["notices"])
    notices = settle(pg, "async (p) => (await window.nexttoken.distribution(p, {}, {top: 3})).notices", LONG_PROMPT)
    assert any("only its last 128 tokens" in n for n in notices["ok"])


def test_generate_slides_the_window_like_a_session(pg):
    """Near the context limit generate goes on (the window slides), giving what a session's
    greedy steps give."""
    prompt = "word " * 120
    got = settle(pg, "(p) => window.nexttoken.generate(p, {max_new_tokens: 16, temperature: 0})", prompt)
    assert len(got["ok"]["ids"]) == 16
    assert any("context window" in n for n in got["ok"]["notices"])
    steps = pg.evaluate("""async (p) => {
      const s = window.nexttoken.session("slide");
      await s.open(p, {}, {top: 1});
      const ids = [];
      for (let i = 0; i < 16; i++) ids.push((await s.choose("greedy", {}, {top: 1})).chips[0].id);
      await s.close();
      return ids;
    }""", prompt)
    assert got["ok"]["ids"] == steps


def test_null_means_the_default(pg):
    with_null = settle(pg, """() => window.nexttoken.generate('Hi', {max_new_tokens: 4, seed: 2,
        temperature: null, top_k: null, logit_bias: null})""")
    plain = settle(pg, "() => window.nexttoken.generate('Hi', {max_new_tokens: 4, seed: 2})")
    assert with_null["ok"]["ids"] == plain["ok"]["ids"]
    assert settle(pg, "() => window.nexttoken.distribution('Hi', null, null)")["ok"]


def test_logit_bias_keys_may_be_strings(pg):
    got = settle(pg, "() => window.nexttoken.generate('Hi', {max_new_tokens: 3, logit_bias: {13: 100}})")
    assert got["ok"]["ids"] == [13, 13, 13]
    got = settle(pg, "() => window.nexttoken.generate('Hi', {max_new_tokens: 3, temperature: 0, logit_bias: {'50256': -100}})")
    assert 50256 not in got["ok"]["ids"]


def test_seeds_are_integers_below_two_to_the_64_everywhere(pg):
    big = str(2**64 - 1)
    as_bigint = settle(pg, "(s) => window.nexttoken.generate('Hi', {max_new_tokens: 4, seed: BigInt(s)})", big)
    as_text = settle(pg, "(s) => window.nexttoken.generate('Hi', {max_new_tokens: 4, seed: s})", big)
    assert as_bigint["ok"]["ids"] == as_text["ok"]["ids"] and len(as_text["ok"]["ids"]) == 4
    assert str(as_text["ok"]["seed"]) == big
    session = settle(pg, """async (s) => {
      const session = window.nexttoken.session("seeded");
      const reply = await session.open("Hi", {seed: BigInt(s)}, {top: 1});
      const ids = [];
      for (let i = 0; i < 4; i++) ids.push((await session.choose("sample", {seed: s}, {top: 1})).chips[0].id);
      await session.close();
      return {seed: String(reply.seed), ids};
    }""", big)
    assert session["ok"] == {"seed": big, "ids": as_text["ok"]["ids"]}
    unsafe = settle(pg, "() => window.nexttoken.generate('Hi', {seed: 2 ** 60})")
    assert "above 2^53" in unsafe["error"] and "BigInt" in unsafe["error"]
    too_big = settle(pg, "(s) => window.nexttoken.distribution('Hi', {seed: s})", str(2**64))
    assert "seed must be an integer in [0, 2^64)" in too_big["error"]


def test_unknown_parameters_name_the_known_ones(pg):
    got = settle(pg, "() => window.nexttoken.generate('Hi', {max_tokens: 5})")
    assert got["error"].startswith("ValueError: unknown parameter 'max_tokens'; known: max_new_tokens, onToken, temperature")
    got = settle(pg, "() => window.nexttoken.distribution('Hi', {temp: 1})")
    assert got["error"].startswith("ValueError: unknown sampling parameter 'temp'; known: temperature, top_k")
    got = settle(pg, "() => window.nexttoken.distribution('Hi', {}, {bars: 3})")
    assert "unknown view option 'bars'; known: top, trace, summary" in got["error"]
    got = settle(pg, "() => window.nexttoken.distribution('Hi', {}, {summary: false})")
    assert "distribution's view cannot be {summary: false}: the distribution is its answer; leave summary out" in got["error"]


@pytest.mark.parametrize("call", ["load()", "load(undefined)", "load(null)", "load({})"])
def test_load_takes_no_options_in_every_spelling(browser, site_url, call):
    page = Playground(browser, site_url)
    try:
        got = settle(page, f"() => window.nexttoken.{call}")
        assert got.get("ok", {}).get("backend") == "wasm", got
        assert page.evaluate("() => window.nexttoken.state") == "ready"
    finally:
        page.close()


def test_unknown_load_options_name_the_known_ones(browser, site_url):
    page = Playground(browser, site_url)
    try:
        got = settle(page, "() => window.nexttoken.load({retry: 1})")
        assert got["error"] == ("unknown load option retry; known: retries, stallSeconds, retryDelaySeconds, concurrency, "
                                "startUpSeconds, threads, backend")
    finally:
        page.close()
