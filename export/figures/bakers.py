"""One baker per figure kind: directive parameters in, the figure's JSON data out.

Every baker gets a ``Baker`` (model, tokenizer, ``nexttoken.sampling``) and the directive's
``key="value"`` parameters. Sampling parameters given with several comma-separated values
(``temperature="0.5,1,1.5"``) become the figure's controls; the baker computes a *state* for
every combination, keyed by the values joined with commas (``"all"`` when there are none), so
the page only looks states up. Numbers are rounded to 4 significant digits to keep the JSON
small; sums such as the mass of "everything else" are taken over the full vocabulary first.
"""
import math
from itertools import accumulate

from export.figures import bake_runs
from export.figures.bake_params import LABELS, label as param_label, number_text, prompts_of, r4, sampling_controls, split, states_of

TRUNCATIONS = {"top_k": 0, "top_p": 1.0, "min_p": 0.0, "typical_p": 1.0, "epsilon": 0.0,
               "eta": 0.0, "top_n_sigma": 0.0}


def case_rows(b, prompt, label, rows):
    """A case: a prompt and its ``rows`` most likely tokens at temperature 1 (fixed rows)."""
    base = b.prepared(prompt).result(b.sampling.SamplingParams())
    top = base.top(rows)
    return {"prompt": prompt, "label": label, "ids": [t for t, _ in top],
            "labels": [b.label(t) for t, _ in top], "p1": [r4(p) for _, p in top]}


def distribution(b, params):
    """Top tokens of one or more prompts under every combination of the controls."""
    prompts = prompts_of(params)
    labels = split(params.get("labels")) or prompts
    if len(labels) != len(prompts):
        raise ValueError(f"{len(prompts)} prompts but {len(labels)} labels")
    rows = int(params.get("rows", 10))
    fixed, controls = sampling_controls(b, params)
    cases = [case_rows(b, p, label, rows) for p, label in zip(prompts, labels)]
    if params.get("show", "all") == "pick" and len(cases) > 1:
        controls.insert(0, {"name": "case", "label": LABELS["case"], "values": labels,
                            "default": labels[0], "view": True})
    before = {}
    states = {key: [_state(b, case, settings, before) for case in cases]
              for key, settings in states_of(b, fixed, controls)}
    return {"kind": "distribution", "controls": controls, "cases": cases, "states": states,
            "show": params.get("show", "all"), "vocab_size": b.tokenizer.vocab_size}


def _state(b, case, settings, before):
    SamplingParams = b.sampling.SamplingParams
    prepared = b.prepared(case["prompt"])
    result = prepared.result(SamplingParams(**settings))
    rows = case["ids"]
    final = dict(result.top(len(rows)))  # kept runs are consecutive in logit order, so the
    probs = result.probabilities()       # rows that are kept come first among the kept
    shown = len(set(result.kept_ids()[:len(rows)]) & set(rows))
    # The truncations' input: the tempered distribution (transformers' order) or the raw one
    # (llama.cpp applies temperature last); T = 0 (greedy) picks from the T = 1 order.
    pre = {k: v for k, v in settings.items() if k not in TRUNCATIONS}
    if settings.get("order") == "llama.cpp" or not pre.get("temperature", 1.0):
        pre["temperature"] = 1.0
    key = (case["prompt"], tuple(sorted(pre.items())))
    if key not in before:
        whole = prepared.result(SamplingParams(**pre))
        before[key] = (whole.kept_ids(), whole.probabilities())
    order, weights = before[key]
    start = order.index(result.kept_ids()[0])
    return {"p": [r4(final.get(t, 0.0)) for t in rows], "kept": result.kept,
            "held": r4(math.fsum(weights[start:start + result.kept])),
            "rest": r4(math.fsum(probs[shown:]))}


def tokens(b, params):
    """Sentences cut into tokens by the real tokenizer."""
    sentences = []
    for text in split(params.get("sentences")):
        ids = b.tokenizer.encode(text)
        sentences.append({"text": text, "count": len(ids), "ids": ids,
                          "labels": [b.label(t) for t in ids]})
    if not sentences:
        raise ValueError("write sentences=\"first|second\"")
    return {"kind": "tokens", "sentences": sentences, "vocab_size": b.tokenizer.vocab_size,
            "controls": [{"name": "sentence", "label": "Sentence", "default": "1",
                          "values": [str(i + 1) for i in range(len(sentences))]},
                         {"name": "ids", "label": "Show token ids", "values": ["off", "on"],
                          "default": "off"}]}


def softmax(b, params):
    """Scores (logits) of the top tokens and the probabilities softmax makes of them."""
    prompt = prompts_of(params)[0]
    prepared = b.prepared(prompt)
    rows = int(params.get("rows", 8))
    case = case_rows(b, prompt, prompt, rows)
    logits = [prepared.logits[t] for t in case["ids"]]
    finite = [v for v in prepared.logits if v != -math.inf]
    top = max(finite)
    return {"kind": "softmax", "prompt": prompt, "ids": case["ids"], "labels": case["labels"],
            "logits": [round(v, 3) for v in logits],
            "weights": [r4(math.exp(v - top)) for v in logits], "p": case["p1"],
            "rest": r4(1.0 - math.fsum(prepared.result(b.sampling.SamplingParams()).probabilities(rows))),
            "top_logit": round(top, 3), "low_logit": round(min(finite), 3),
            "vocab_size": len(prepared.logits),
            "controls": [{"name": "view", "label": "Show", "values": ["scores", "weights", "probabilities"],
                          "default": "scores"}]}


def longtail(b, params):
    """Cumulative probability of the most likely tokens, rank by rank, over the vocabulary."""
    prompt = prompts_of(params)[0]
    probs = b.prepared(prompt).result(b.sampling.SamplingParams()).probabilities()
    n = len(probs)
    cumulative = list(accumulate(probs))
    ranks = sorted({min(n, int(round(10 ** (k / 8)))) for k in range(0, 8 * math.ceil(math.log10(n)) + 1)})
    stops = [number_text(v) for v in params.get("ranks", "1,10,100,1000,10000").split(",")]
    stops = [s for s in stops if int(s) < n] + [str(n)]
    states = {}
    for stop in stops:
        r = int(stop)
        states[stop] = {"rank": r, "head": r4(math.fsum(probs[:r])),
                        "tail": r4(math.fsum(probs[r:])), "tail_count": n - r}
    return {"kind": "longtail", "prompt": prompt, "vocab_size": n,
            "points": [[r, r4(cumulative[r - 1])] for r in ranks], "states": states,
            "controls": [{"name": "rank", "label": "Top tokens", "values": stops,
                          "default": stops[min(2, len(stops) - 1)]}]}


def draws(b, params):
    """Many draws from one distribution (the sampler's own ``sample`` and ``Rng``)."""
    prompt = prompts_of(params)[0]
    rows = int(params.get("rows", 6))
    count, seed = int(params.get("draws", 300)), int(params.get("seed", 1))
    case = case_rows(b, prompt, prompt, rows)
    dist = b.prepared(prompt).distribution(b.sampling.SamplingParams())
    rng = b.sampling.Rng(seed)
    picks = [b.sampling.sample(dist, rng) for _ in range(count)]
    index = {t: i for i, t in enumerate(case["ids"])}
    rows_of = [index.get(t, rows) for t in picks]  # row of each draw; ``rows`` = the rest
    counts = [rows_of.count(i) for i in range(rows + 1)]
    stops = [s for s in ("0", "1", "10", "100", str(count)) if int(s) <= count]
    return {"kind": "draws", "prompt": prompt, "ids": case["ids"], "labels": case["labels"],
            "p": case["p1"], "rest": r4(math.fsum(dist) - math.fsum(dist[t] for t in case["ids"])),
            "draws": [[t, r] for t, r in zip(picks, rows_of)], "counts": counts,
            "tokens": {str(t): b.label(t) for t in set(picks)},
            "shares": [r4(c / count) for c in counts],
            "seed": seed, "total": count,
            "controls": [{"name": "n", "label": "Draws", "values": stops, "default": "0"}]}


class _Recording:
    def __init__(self, rng):
        self.rng, self.seen = rng, []

    def random(self):
        self.seen.append(self.rng.random())
        return self.seen[-1]


def cdf(b, params):
    """Inverse-CDF sampling: a uniform number u, and the token ``sample`` maps it to."""
    prompt = prompts_of(params)[0]
    rows = int(params.get("rows", 6))
    stops = int(params.get("stops", 100))
    case = case_rows(b, prompt, prompt, rows)
    dist = b.prepared(prompt).distribution(b.sampling.SamplingParams())
    cumulative = list(accumulate(dist))  # the order ``sample`` adds them in: by token id
    total = cumulative[-1]
    start = lambda t: (cumulative[t] - dist[t]) / total  # noqa: E731
    labels = {}

    def pick(rng):
        token = b.sampling.sample(dist, rng)
        labels[str(token)] = b.label(token)
        return [token, r4(start(token)), r4(dist[token] / total)]

    values = [f"{i / stops:.3f}".rstrip("0").rstrip(".") or "0" for i in range(stops)]
    states = {v: pick(b.sampling.FixedDraw(float(v))) for v in values}
    recorder = _Recording(b.sampling.Rng(int(params.get("seed", 7))))
    randoms = []
    for _ in range(int(params.get("randoms", 12))):
        token = pick(recorder)
        randoms.append([round(recorder.seen[-1], 4), *token])
    segments = [[t, r4(start(t)), r4(dist[t] / total)] for t in case["ids"]]
    return {"kind": "cdf", "prompt": prompt, "ids": case["ids"], "labels": case["labels"],
            "segments": segments, "states": states, "randoms": randoms, "tokens": labels,
            "vocab_size": len(dist),
            "controls": [{"name": "u", "label": "Random number u", "values": values,
                          "default": values[len(values) // 2]}]}


def toy(b, params):
    """A made-up distribution of a few tokens whose scores the reader drags. No model: the page
    computes softmax from the scores itself; its draws use the uniform numbers of the
    sampler's ``Rng(seed)``, in order, so they replay the same on every visit."""
    names = (params.get("tokens") or "").split("|")  # not split(): the leading space is the token's
    scores = [float(v) for v in params.get("scores", "").split(",") if v.strip()]
    if len(names) < 2 or len(names) != len(scores):
        raise ValueError("write tokens=\" a| b|...\" and as many scores=\"2,1.5,...\"")
    low, high = float(params.get("low", -5)), float(params.get("high", 5))
    if not all(low <= z <= high for z in scores):
        raise ValueError(f"every score must lie between low={low:g} and high={high:g}")
    temperatures = params.get("temperature", "0.1,0.25,0.5,0.75,1,1.5,2,3")
    temperatures = [number_text(v) for v in temperatures.split(",")]
    if "1" not in temperatures:
        raise ValueError("the temperatures must include 1, where the scores are used as they are")
    seed = int(params.get("seed", 1))
    rng = b.sampling.Rng(seed)
    return {"kind": "toy", "prompt": params.get("prompt", ""), "scores": scores, "low": low, "high": high,
            "labels": [n.replace(" ", "\u2423") for n in names], "names": [n.strip() for n in names],
            "seed": seed, "randoms": [round(rng.random(), 4) for _ in range(int(params.get("draws", 100)))],
            "controls": [{"name": "temperature", "label": param_label(b, "temperature"),
                          "values": temperatures, "default": "1"}]}


BAKERS = {"distribution": distribution, "tokens": tokens, "softmax": softmax,
          "longtail": longtail, "draws": draws, "cdf": cdf, "toy": toy, **bake_runs.BAKERS}


CUT_RULES = ("top_k", "top_p", "min_p")


def cut(b, params):
    """One truncation rule on the whole sorted distribution of one or more prompts: the
    cumulative probability by rank (log scale) and, for each value of the rule, where it cuts."""
    rule = params.get("rule")
    if rule not in CUT_RULES:
        raise ValueError(f"rule must be one of {', '.join(CUT_RULES)}, got {rule!r}")
    prompts = prompts_of(params)
    labels = split(params.get("labels")) or prompts
    if len(labels) != len(prompts):
        raise ValueError(f"{len(prompts)} prompts but {len(labels)} labels")
    values = [number_text(v) for v in params.get("values", "").split(",") if v.strip()]
    if len(values) < 2:
        raise ValueError("write values=\"a,b,...\" (the rule's values to offer)")
    SamplingParams = b.sampling.SamplingParams
    cases, cumulative = [], []
    for prompt, label in zip(prompts, labels):
        probs = b.prepared(prompt).result(SamplingParams()).probabilities()  # most likely first
        running = list(accumulate(probs))
        n = len(probs)
        ranks = sorted({min(n, int(round(10 ** (k / 16)))) for k in range(0, 16 * math.ceil(math.log10(n)) + 1)})
        cases.append({"prompt": prompt, "label": label, "p_max": r4(probs[0]),
                      "points": [[r, r4(running[r - 1])] for r in ranks]})
        cumulative.append(running)
    states = {}
    for value in values:
        setting = {rule: int(value) if rule == "top_k" else float(value)}
        states[value] = []
        for case, running in zip(cases, cumulative):
            kept = b.prepared(case["prompt"]).result(SamplingParams(**setting)).kept
            states[value].append({"kept": kept, "held": r4(running[kept - 1])})
    default = params.get("default", values[len(values) // 2])
    return {"kind": "cut", "rule": rule, "cases": cases, "states": states,
            "vocab_size": len(cumulative[0]),
            "controls": [{"name": rule, "label": param_label(b, rule), "values": values,
                          "default": number_text(default)}]}


BAKERS["cut"] = cut
