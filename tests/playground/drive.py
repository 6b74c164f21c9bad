"""Drive a playground Session in CPython the way the worker does (plan, run, observe), with
native onnxruntime standing in for onnxruntime-web."""


def run_model(engine, lm, name):
    """What sessions.js's ensureLogits does: run whatever the session's plan asks."""
    plan = engine.plan(name)
    if plan is None:
        return None
    if plan["reset"]:
        lm.reset()
    engine.observe(name, lm.step(plan["feed"]).tolist())
    return plan


def open_session(engine, lm, name, prompt, n_ctx, params=None):
    engine.open(name, prompt, n_ctx, params or {})
    run_model(engine, lm, name)


def step(engine, lm, name, kind, params, token=None):
    record = engine.choose_next(name, kind, params, token)
    run_model(engine, lm, name)
    return record


def expected_generation(engine, lm, prompt, params, count, n_ctx):
    """The ids Generate N gives: `count` seeded samples, as the page asks for them."""
    name = "expected"
    open_session(engine, lm, name, prompt, n_ctx, params)
    ids = [step(engine, lm, name, "sample", params)["id"] for _ in range(count)]
    engine.close(name)
    return ids
