"""The reference chain: every sampler written plainly, the way the libraries write them.

    probs = plain_distribution(logits, params, history)  # what prepare(...).distribution gives

The engine (``prepare`` in fast/: one sort, kept runs of a ``View``, band sums, ``Result``)
is built for speed. This says what it computes, without any of that: one small function per
sampler (here and in plain_more.py) that takes scores and returns new scores.

- transformers' world (orders "hf", "webui", "custom"): the scores are the whole vocabulary,
  a list of floats where a removed token is -inf ("mask, don't delete", as transformers'
  LogitsProcessors and text-generation-webui's warpers do). Temperature divides the scores.
- llama.cpp's world (order "llama.cpp"): its candidate array [(id, logit)], which starts
  with every id and keeps -inf entries until a truncation resizes it (``rescored``,
  ``truncated``); XTC, Mirostat v1 and dynamic temperature read its size.

The stages run in ``orders.names(params)``, each when its setting is not at its off value
(``is_on``). Every sort is by score descending, ties by id descending; greedy keeps the lowest
id among the top ties. XTC's draw and Mirostat's mu come from ``carry`` (carry.py; ``Carry()``
when none is given, as in the engine). Rules and sources: docs/sampling.md.

tests/sampling/test_plain.py holds it to both sides. On every vector of
tests/sampling/vectors.py and vectors_more.py (through the band index too) and on random
combinations (hypothesis: all four orders, up to 50,257 tokens), the engine must keep the same
tokens with probabilities within 1e-9 relative; on the same vectors, this chain must give
what transformers' processors and the llama.cpp and text-generation-webui transliterations
give (tests/sampling/reference.py, reference_more.py).

Like transformers, it divides the logits by T: a T so small that x / T overflows makes it
raise where the engine, which subtracts the top logit first, does not.
"""
import math
from functools import partial
from itertools import accumulate

from .carry import Carry
from .orders import names
from .plain_more import (
    NEG_INF, dry, entropy, keep_only, llama_dynamic_temperature, llama_penalties, llama_xtc,
    logit_bias, mirostat_v1, mirostat_v2, no_repeat_ngram, presence_frequency, probabilities,
    quadratic, ranked, repetition_penalty, tail_free, temperature, top_a, vocabulary,
    webui_dynamic_temperature, without, xtc)

# The stages whose rule is the same in llama.cpp's world, run on its array: the first keep
# every entry (they change logits or set -inf in place), the second resize it.
SAME_RULE_IN_PLACE = ("logit_bias", "dry", "no_repeat_ngram", "top_n_sigma", "quadratic")
SAME_RULE_RESIZING = ("tfs", "top_a", "epsilon", "eta")


def plain_distribution(logits, params, history=(), carry=None) -> list:
    """Probabilities over the whole vocabulary after the chain of ``params.order``: what
    ``prepare(logits, history).distribution(params, carry)`` returns."""
    return probabilities(plain_scores(logits, params, history, carry))


def plain_scores(logits, params, history=(), carry=None) -> list:
    """The scores after the chain, the whole vocabulary: -inf exactly where a token was
    removed (the engine must keep exactly the tokens finite here). ValueError where the
    engine raises it: a logit becomes NaN or +inf, or nothing is left to sample from."""
    carry = carry or Carry()
    history = list(history)
    scores = _checked(list(map(float, logits)), "the logits")
    if params.order == "llama.cpp":
        return _llama_chain(scores, params, history, carry)
    stages = _transformers_stages(params, history, carry)
    for name in names(params):
        if is_on(name, params):
            scores = _checked(stages[name](scores), name)
    return scores


def is_on(name, p) -> bool:
    """Whether stage ``name`` has work to do: its setting is not at its off value."""
    return {
        "logit_bias": bool(p.logit_bias), "repetition_penalty": p.repetition_penalty != 1.0,
        "presence_frequency_penalty": p.presence_penalty != 0.0 or p.frequency_penalty != 0.0,
        "penalties": p.penalizes, "no_repeat_ngram": p.no_repeat_ngram_size > 0,
        "dry": p.dry_multiplier > 0.0,
        "temperature": p.temperature != 1.0 or p.dynatemp_range > 0.0,
        "plain_temperature": p.temperature != 1.0, "quadratic": p.smoothing_factor > 0.0,
        "top_n_sigma": p.top_n_sigma > 0.0, "top_k": p.top_k > 0, "top_p": p.top_p < 1.0,
        "min_p": p.min_p > 0.0, "typical_p": p.typical_p < 1.0, "epsilon": p.epsilon > 0.0,
        "eta": p.eta > 0.0, "tfs": p.tfs < 1.0, "top_a": p.top_a > 0.0,
        "mirostat": p.mirostat != 0, "xtc": p.xtc_probability > 0.0,
    }[name]


def _checked(scores, stage) -> list:
    """``scores``, or the engine's ValueError: a NaN or +inf score, or nothing left."""
    if any(math.isnan(s) or s == math.inf for s in scores):
        raise ValueError(f"{stage}: a score is NaN or +inf")
    if max(scores) == NEG_INF:
        raise ValueError(f"{stage}: every token is masked (-inf), nothing is left to sample "
                         "from")
    return scores


# --- the chains ------------------------------------------------------------------------------

def _transformers_stages(p, history, carry) -> dict:
    """{stage name: the stage, a function of the whole vocabulary's scores}."""
    def temperature_stage(s):
        if p.dynatemp_range > 0.0:  # dynamic temperature takes temperature's slot
            return temperature(s, webui_dynamic_temperature(
                s, p.temperature, p.dynatemp_range, p.dynatemp_exponent))
        return temperature(s, p.temperature)

    def mirostat(s):
        if p.mirostat == 1:
            return mirostat_v1(s, _mu(p, carry), len(s))
        return mirostat_v2(s, _mu(p, carry), zero_is_surprising=False)

    return {
        "logit_bias": lambda s: logit_bias(s, p.logit_bias),
        "repetition_penalty": lambda s: repetition_penalty(s, history, p.repetition_penalty),
        "presence_frequency_penalty": lambda s: presence_frequency(
            s, history, p.presence_penalty, p.frequency_penalty),
        "no_repeat_ngram": lambda s: no_repeat_ngram(s, history, p.no_repeat_ngram_size),
        "dry": lambda s: dry(s, history, p.dry_multiplier, p.dry_base, p.dry_allowed_length,
                             p.dry_sequence_breakers),
        "temperature": temperature_stage,
        "quadratic": lambda s: quadratic(s, p.smoothing_factor, p.smoothing_curve),
        "top_n_sigma": lambda s: top_n_sigma(s, p.top_n_sigma),
        "top_k": lambda s: top_k(s, p.top_k),
        "top_p": lambda s: top_p(s, p.top_p),
        "min_p": lambda s: min_p(s, p.min_p),
        "typical_p": lambda s: typical(s, p.typical_p),
        "epsilon": lambda s: epsilon(s, p.epsilon),
        "eta": lambda s: eta(s, p.eta),
        "tfs": lambda s: tail_free(s, p.tfs),
        "top_a": lambda s: top_a(s, p.top_a),
        "mirostat": mirostat,
        "xtc": lambda s: xtc(s, p.xtc_threshold, p.xtc_probability, carry.xtc_draw()),
    }


def _llama_chain(scores, p, history, carry) -> list:
    n = len(scores)
    stages = _llama_stages(p, history, carry, n)
    cur = list(enumerate(scores))  # llama_token_data_array: every id, in id order
    for name in names(p):
        if is_on(name, p):
            by_logit = sorted(cur, key=lambda entry: (entry[1], entry[0]), reverse=True)
            cur = stages[name](by_logit)  # sorted, as llama.cpp's samplers sort it
            _checked([logit for _, logit in cur], name)
    return vocabulary(cur, n)


def _llama_stages(p, history, carry, n) -> dict:
    """{stage name: the stage, a function of llama.cpp's array (sorted)}."""
    shared = _transformers_stages(p, history, carry)

    def temperature_stage(cur):
        t = p.temperature
        if p.dynatemp_range > 0.0:  # temp_ext
            t = llama_dynamic_temperature(vocabulary(cur, n), t, p.dynatemp_range,
                                          p.dynatemp_exponent, len(cur))
        return rescored(cur, n, temperature, t)

    def mirostat(cur):
        if p.mirostat == 1:
            return truncated(cur, n, mirostat_v1, _mu(p, carry), len(cur))
        return truncated(cur, n, mirostat_v2, _mu(p, carry), True)  # p = 0: surprising

    return {
        **{name: partial(rescored, n=n, stage=shared[name]) for name in SAME_RULE_IN_PLACE},
        **{name: partial(truncated, n=n, stage=shared[name]) for name in SAME_RULE_RESIZING},
        "penalties": lambda cur: rescored(cur, n, llama_penalties, history, p.repetition_penalty,
                                          p.presence_penalty, p.frequency_penalty),
        "top_k": lambda cur: cur[:p.top_k],  # exactly k entries, -inf ones when fewer are finite
        "typical_p": lambda cur: truncated(cur, n, llama_typical, p.typical_p),
        "top_p": lambda cur: truncated(cur, n, llama_top_p, p.top_p),
        "min_p": lambda cur: truncated(cur, n, llama_min_p, p.min_p),
        "xtc": lambda cur: llama_xtc(cur, n, p.xtc_threshold, p.xtc_probability,
                                     carry.xtc_draw()),
        "temperature": temperature_stage,
        "plain_temperature": lambda cur: rescored(cur, n, temperature, p.temperature),
        "mirostat": mirostat,
    }


def rescored(cur, n, stage, *settings) -> list:
    """Run the whole-vocabulary ``stage`` on the array: every entry stays, with its new logit
    (how llama.cpp's logit changes, top-nσ, temperature and greedy treat the array)."""
    new = stage(vocabulary(cur, n), *settings)
    return [(token, new[token]) for token, _ in cur]


def truncated(cur, n, stage, *settings) -> list:
    """Run the whole-vocabulary ``stage`` on the array, which then holds only the tokens it
    kept: a truncation resizes llama.cpp's array, dropping its -inf entries too."""
    return [(token, logit) for token, logit in rescored(cur, n, stage, *settings)
            if logit > NEG_INF]


def _mu(p, carry) -> float:
    return carry.mu(p.mirostat, p.mirostat_tau, p.mirostat_eta)


# --- truncations -------------------------------------------------------------------------

def top_n_sigma(scores, n) -> list:
    """Top-nσ (llama.cpp's): keep s >= max - n·σ, σ the population std of the scores in."""
    finite = [s for s in scores if s > NEG_INF]
    mean = math.fsum(finite) / len(finite)
    sigma = math.sqrt(math.fsum((s - mean) * (s - mean) for s in finite) / len(finite))
    cut = max(finite) - n * sigma
    return [s if s >= cut else NEG_INF for s in scores]


def top_k(scores, k) -> list:
    """transformers' TopKLogitsWarper: remove every score below the k-th largest, so the
    tokens tied with the k-th stay (llama.cpp keeps exactly k)."""
    if k >= len(scores):
        return scores
    kth = sorted(scores, reverse=True)[k - 1]
    return [s if s >= kth else NEG_INF for s in scores]


def top_p(scores, p) -> list:
    """transformers' TopPLogitsWarper: from the least likely up, remove the tokens whose
    cumulative probability is <= 1 - p; the most likely always stays."""
    probs = probabilities(scores)
    ascending = ranked(scores)[::-1]
    cumulative = accumulate(probs[t] for t in ascending)
    return without(scores, [t for t, c in zip(ascending[:-1], cumulative) if c <= 1.0 - p])


def llama_top_p(scores, p) -> list:
    """llama.cpp's top-p: from the most likely down, keep tokens until their running sum
    reaches p (the token reaching it included)."""
    probs = probabilities(scores)
    ids = ranked(scores)
    cumulative = accumulate(probs[t] for t in ids)
    count = next((i + 1 for i, c in enumerate(cumulative) if c >= p), len(ids))
    return keep_only(scores, ids[:count])


def min_p(scores, p) -> list:
    """transformers' MinPLogitsWarper: remove p_i < min_p · p_max."""
    probs = probabilities(scores)
    limit = p * max(probs)
    return [NEG_INF if q < limit else s for s, q in zip(scores, probs)]


def llama_min_p(scores, p) -> list:
    """llama.cpp's min-p, on logits: remove s < max + ln(min_p) (the same rule as
    transformers', without the softmax)."""
    cut = max(scores) + math.log(p)
    return [s if s >= cut else NEG_INF for s in scores]


def typical(scores, mass) -> list:
    """transformers' TypicalLogitsWarper: a token's distance is |-log p - H|. Walking the
    tokens nearest first, find the first at which the running mass reaches ``mass``; keep
    every token no farther than it."""
    probs = probabilities(scores)
    top = max(scores)
    log_total = math.log(math.fsum(math.exp(s - top) for s in scores))
    log_probs = {t: scores[t] - top - log_total for t in ranked(scores)}  # log_softmax
    h = -math.fsum(lp * math.exp(lp) for lp in log_probs.values())
    distance = {t: abs(-lp - h) for t, lp in log_probs.items()}
    nearest = sorted(distance, key=distance.get)  # stable: equal distances in ranked order
    running = list(accumulate(probs[t] for t in nearest))
    reached = min(sum(r < mass for r in running), len(nearest) - 1)
    limit = distance[nearest[reached]]
    return keep_only(scores, [t for t in nearest if distance[t] <= limit])


def llama_typical(scores, mass) -> list:
    """llama.cpp's typical: take the tokens nearest first (distance |-log p - H|) until their
    running mass exceeds ``mass``. On equal distances the more likely side of the nearest
    token goes first, then the token closer to it (llama.cpp's std::sort leaves ties open)."""
    probs = probabilities(scores)
    ids = ranked(scores)
    log_p = [math.log(probs[t]) if probs[t] > 0.0 else NEG_INF for t in ids]
    h = -math.fsum(probs[t] * lp for t, lp in zip(ids, log_p) if probs[t] > 0.0)
    distance = [abs(-lp - h) for lp in log_p]
    centre = distance.index(min(distance))
    walk = sorted(range(len(ids)), key=lambda i: (distance[i], i > centre, abs(i - centre)))
    kept, running = [], 0.0
    for i in walk:
        kept.append(ids[i])
        running += probs[ids[i]]
        if running > mass:
            break
    return keep_only(scores, kept)


def epsilon(scores, eps) -> list:
    """transformers' EpsilonLogitsWarper: remove p < ε, except the tokens tied with the top."""
    probs = probabilities(scores)
    top = max(scores)
    return [NEG_INF if q < eps and s < top else s for s, q in zip(scores, probs)]


def eta(scores, eps) -> list:
    """transformers' EtaLogitsWarper: epsilon with the threshold min(ε, sqrt(ε) · exp(-H))."""
    h = entropy(probabilities(scores))
    return epsilon(scores, min(eps, math.sqrt(eps) * math.exp(-h)))
