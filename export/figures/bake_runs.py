"""Bakers that run the model token after token (greedy, sampled and penalised continuations)
and the one that traces the sampler pipeline stage by stage.

A continuation is produced exactly as the page's worker does it: logits from the model, then
``prepare(logits, history).distribution(params)`` and ``sample(probs, Rng(seed))``.
"""
import math

from export.figures.bake_params import prompts_of, r4, sampling_controls, states_of


# A new token "repeats" when it completes a phrase of this many tokens that is already in the
# text. Ordinary prose reuses words (" the", ",") all the time but rarely a four-token phrase;
# a text stuck in a loop repeats one at almost every token.
REPEAT_NGRAM = 4
# An exact loop: a periodic tail that comes round at least twice and covers this many tokens,
# so that "the the" or ", and, and" is not called a loop.
MIN_LOOP_TOKENS = 8


def run(b, ids, settings: dict, count: int, seed: int = 0, top: int = 0) -> list:
    """``count`` tokens after ``ids``, each with its probability under ``settings``, its
    probability and rank under the model's own distribution, and whether it repeats a phrase of
    the text (``repeats_phrase``); ``top``: also the most likely candidates at each step."""
    sampling = b.sampling
    params = sampling.SamplingParams(**settings)
    if len(ids) + count > b.n_ctx:
        raise ValueError(f"{len(ids)} prompt tokens + {count} new ones exceed the model's "
                         f"context of {b.n_ctx}; ask for fewer tokens")
    key = (tuple(ids), params, count, seed)
    known = b.runs.get(key)
    if known and (not top or all(len(s.get("top", ())) >= top for s in known)):
        return known
    rng = sampling.Rng(seed)
    history = list(ids)
    b.lm.reset()
    logits = b.lm.step(history)
    steps = []
    for _ in range(count):
        prepared = b.prepare(logits.tolist(), history)
        probs = prepared.distribution(params)
        token = sampling.sample(probs, rng)
        step = {"id": token, "label": b.label(token), "text": b.tokenizer.decode([token]),
                "p": r4(probs[token]), "repeat": repeats_phrase(history, token),
                "p_raw": r4(prepared.softmax()[token]),
                "rank": int((logits > logits[token]).sum()) + 1}
        if top:
            step["top"] = [[b.label(t), r4(p)] for t, p in
                           prepared.result(sampling.SamplingParams()).top(top)]
        steps.append(step)
        history.append(token)
        logits = b.lm.step([token])
    b.runs[key] = steps
    return steps


def repeats_phrase(history: list, token: int, n: int = REPEAT_NGRAM) -> bool:
    """Whether ``history + [token]`` ends with an ``n``-token phrase already in ``history``."""
    if len(history) < n:
        return False
    phrase = history[len(history) - n + 1:] + [token]
    return any(history[i:i + n] == phrase for i in range(len(history) - n + 1))


def find_loop(ids: list, min_tokens: int = MIN_LOOP_TOKENS):
    """The earliest-starting periodic tail of ``ids`` that comes round at least twice and
    covers at least ``min_tokens`` tokens.

    Returns {"start", "period"} (indexes into ``ids``) or None.
    """
    n, best = len(ids), None
    for period in range(1, n // 2 + 1):
        start = n - period
        while start > 0 and ids[start - 1] == ids[start - 1 + period]:
            start -= 1
        if n - start >= max(2 * period, min_tokens) and (best is None or start < best["start"]):
            best = {"start": start, "period": period}
    return best


def greedy(b, params):
    """A greedy continuation, with the top candidates at each step and the loop it falls into."""
    prompt = params.get("prompt")
    if not prompt:
        raise ValueError("write prompt=\"...\"")
    count = int(params.get("tokens", 30))
    steps = run(b, b.encode(prompt), {"temperature": 0.0}, count, top=int(params.get("top", 5)))
    loop = find_loop([s["id"] for s in steps])
    if loop:
        loop["first"] = loop["start"] + 1  # 1-based, for the prose
    values = [str(i) for i in range(count + 1)]
    return {"kind": "greedy", "prompt": prompt, "steps": steps, "loop": loop, "count": count,
            "repeats": sum(s["repeat"] for s in steps),
            "controls": [{"name": "step", "label": "Tokens generated", "values": values,
                          "default": "0"}]}


def generation(b, params):
    """Continuations under each value of one control (seeds, penalties, ...)."""

    prompt = prompts_of(params)[0]
    count = int(params.get("tokens", 30))
    fixed, controls = sampling_controls(b, params)
    if len(controls) != 1:
        raise ValueError("a generation figure needs exactly one control with several values, "
                         "e.g. seed=\"1,2,3\"")
    ids = b.encode(prompt)
    states = {}
    for key, settings in states_of(b, fixed, controls):
        seed = settings.pop("seed", 0)
        steps = [{k: v for k, v in step.items() if k != "top"}  # a cached greedy run has them
                 for step in run(b, ids, settings, count, seed=seed)]
        worst = min(range(count), key=lambda i: (steps[i]["p_raw"], i))
        w = steps[worst]
        states[key] = {"steps": steps, "worst": worst, "seed": seed, "count": count,
                       "worst_token": {"position": worst + 1, "label": w["label"],
                                       "p": w["p_raw"], "rank": w["rank"]},
                       "repeats": sum(s["repeat"] for s in steps),
                       "text": b.tokenizer.decode([s["id"] for s in steps])}
    return {"kind": "generation", "prompt": prompt, "controls": controls, "states": states,
            "fixed": {k: v for k, v in fixed.items()}}


def pipeline(b, params):
    """The sampler chain stage by stage (``Prepared.trace``) in both engines' orders."""

    prompt = prompts_of(params)[0]
    prepared = b.prepared(prompt)
    fixed, controls = sampling_controls(b, params)
    states = {}
    for key, settings in states_of(b, fixed, controls):
        params_ = b.sampling.SamplingParams(**settings)
        stages = [{"name": s.name, "label": b.sampling.STAGE_LABELS[s.name], "kept": s.result.kept,
                   "top": [[b.label(t), r4(p)] for t, p in s.result.top(3)]}
                  for s in prepared.trace(params_)]
        final = prepared.result(params_)
        states[key] = {"stages": stages, "final": {
            "kept": final.kept, "entropy": round(final.entropy() / math.log(2), 2),
            "top": [[b.label(t), r4(p)] for t, p in final.top(5)]}}
    return {"kind": "pipeline", "prompt": prompt, "controls": controls, "states": states,
            "fixed": fixed, "vocab_size": prepared.n}


BAKERS = {"greedy": greedy, "generation": generation, "pipeline": pipeline}


def surprise(b, params):
    """How likely the model found each token of a human-written continuation, against the
    greedy continuation of the same prompt (the observation of Holtzman et al., 2019)."""
    prompt = prompts_of(params)[0]
    human = params.get("human")
    if not human:
        raise ValueError("write human=\"...\" (a human-written continuation of the prompt)")
    ids = b.encode(prompt)
    human_ids = b.tokenizer.encode(human)
    if len(ids) + len(human_ids) > b.n_ctx:
        raise ValueError(f"prompt and human text take {len(ids) + len(human_ids)} tokens; the "
                         f"model's context is {b.n_ctx}")
    b.lm.reset()
    logits = b.lm.step(ids)
    history, written = list(ids), []
    for token in human_ids:  # the model reads the human text, token by token
        probs = b.prepare(logits.tolist(), history).softmax()
        written.append({"id": token, "label": b.label(token), "text": b.tokenizer.decode([token]),
                        "p": r4(probs[token]), "rank": int((logits > logits[token]).sum()) + 1})
        history.append(token)
        logits = b.lm.step([token])
    greedy_steps = run(b, ids, {"temperature": 0.0}, len(human_ids))
    texts = {"human": written,
             "greedy": [{"id": s["id"], "label": s["label"], "text": s["text"], "p": s["p_raw"], "rank": s["rank"]}
                        for s in greedy_steps]}
    summary = {name: {"count": len(steps), "low": sum(s["p"] < LOW_P for s in steps),
                      "top1": sum(s["rank"] == 1 for s in steps),
                      "median_p": r4(sorted(s["p"] for s in steps)[len(steps) // 2])}
               for name, steps in texts.items()}
    return {"kind": "surprise", "prompt": prompt, "human": human, "texts": texts, "summary": summary, "low_p": LOW_P,
            "controls": [{"name": "text", "label": "Text", "values": ["human", "greedy"],
                          "labels": ["Written by a person", "Greedy decoding"], "default": "human",
                          "view": True}]}


LOW_P = 0.1  # a token the model gave less than this counts as a surprise
BAKERS["surprise"] = surprise
