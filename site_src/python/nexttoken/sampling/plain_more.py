"""The reference chain, part two (plain.py runs it and says what it is for): the helpers every
plain sampler reads its scores with, the stages that change logits (bias, penalties, n-gram
bans, DRY, temperature, dynamic temperature, quadratic), and the truncations local-model
tools add (XTC, top-a, tail-free, Mirostat).

Each stage is a function of ``scores`` -- the whole vocabulary as a list of floats, -inf
where a token is removed -- that returns new scores and leaves the list it was given alone.
Rules and sources: docs/sampling.md.
"""
import math
from collections import Counter
from itertools import accumulate, takewhile

from .c_float import c_div, c_pow

NEG_INF = -math.inf
LLAMA_PENALTY_LAST_N = 64  # llama.cpp's penalties read the last 64 ids (penalty_last_n)
DRY_MAX_MATCH = 50         # text-generation-webui's cap on a repeat's length
MIROSTAT_M = 100           # llama.cpp's Mirostat v1 fits its exponent to the top 100 tokens
INT_MIN = -2 ** 31         # what x86-64 makes of int(k) when k is NaN, infinite or too large


# --- reading the scores ---------------------------------------------------------------------

def probabilities(scores) -> list:
    """softmax(scores): exp(s - top) / total, exactly 0.0 where a token is removed."""
    top = max(scores)
    weights = [math.exp(s - top) for s in scores]
    total = math.fsum(weights)
    return [w / total for w in weights]


def ranked(scores) -> list:
    """The ids still in, most likely first; ties by id descending (the order docs/sampling.md
    fixes for every sort, where torch and std::sort leave ties open)."""
    return sorted((t for t, s in enumerate(scores) if s > NEG_INF),
                  key=lambda t: (scores[t], t), reverse=True)


def entropy(probs) -> float:
    """-sum(p log p), in nats."""
    return math.fsum(-p * math.log(p) for p in probs if p > 0.0)


def keep_only(scores, kept) -> list:
    kept = set(kept)
    return [s if t in kept else NEG_INF for t, s in enumerate(scores)]


def without(scores, removed) -> list:
    removed = set(removed)
    return [NEG_INF if t in removed else s for t, s in enumerate(scores)]


def vocabulary(cur, n) -> list:
    """llama.cpp's array [(id, logit)] as scores: -inf for the ids it no longer holds."""
    scores = [NEG_INF] * n
    for token, logit in cur:
        scores[token] = logit
    return scores


# --- logit changes -------------------------------------------------------------------------

def logit_bias(scores, bias) -> list:
    """x += bias[id] (transformers' SequenceBias with one-token sequences; llama.cpp's)."""
    out = list(scores)
    for token, value in bias.items():
        out[token] += value
    return out


def repetition_penalty(scores, history, penalty) -> list:
    """transformers' RepetitionPenaltyLogitsProcessor: each id of the history, once."""
    out = list(scores)
    for token in set(history):
        out[token] = _repeat_penalized(out[token], penalty)
    return out


def _repeat_penalized(x, penalty) -> float:
    # dividing a negative logit would raise it, so a negative one is multiplied
    return x * penalty if x < 0 else x / penalty


def presence_frequency(scores, history, presence, frequency) -> list:
    """OpenAI's penalties: x -= count * frequency + presence, for each id of the history."""
    out = list(scores)
    for token, count in Counter(history).items():
        out[token] -= count * frequency + presence
    return out


def llama_penalties(scores, history, repetition, presence, frequency) -> list:
    """llama.cpp's penalties: repetition, then frequency and presence, over the last 64 ids."""
    out = list(scores)
    for token, count in Counter(history[-LLAMA_PENALTY_LAST_N:]).items():
        out[token] = _repeat_penalized(out[token], repetition) - (count * frequency + presence)
    return out


def no_repeat_ngram(scores, history, size) -> list:
    """transformers' NoRepeatNGramLogitsProcessor: remove every token that would complete an
    n-gram of ``size`` already in the history."""
    if len(history) + 1 < size:
        return scores
    prefix = history[len(history) + 1 - size:]  # the last size - 1 ids
    return without(scores, [history[start + size - 1]
                            for start in range(len(history) - size + 1)
                            if history[start:start + size - 1] == prefix])


def dry(scores, history, multiplier, base, allowed_length, breakers) -> list:
    """text-generation-webui's DRYLogitsProcessor over the whole history (prompt included): a
    token that would extend a repeat of ``allowed_length`` tokens or more loses
    ``multiplier * base ** (length - allowed_length)``."""
    out = list(scores)
    for token, length in repeat_lengths(history, set(breakers)).items():
        if length >= allowed_length:
            out[token] -= multiplier * base ** (length - allowed_length)
    return out


def repeat_lengths(history, breakers) -> dict:
    """{token: the longest repeat it would extend}. For each earlier occurrence of the last
    token, the repeat is how far the tokens up to it match the tokens up to the end, counted
    backwards: at most 50, never through a breaker; the token that followed the occurrence
    would extend it. Nothing when the last token is a breaker, and a breaker never extends."""
    if not history or history[-1] in breakers:
        return {}
    last = len(history) - 1
    lengths = {}
    for i in range(last):
        following = history[i + 1]
        if history[i] != history[last] or following in breakers:
            continue
        length = 1
        while (length < DRY_MAX_MATCH and length <= i
               and history[i - length] == history[last - length]
               and history[last - length] not in breakers):
            length += 1
        lengths[following] = max(length, lengths.get(following, 0))
    return lengths


def temperature(scores, t) -> list:
    """Divide by T; T <= 0 is greedy (llama.cpp's rule; this project's temperature 0)."""
    return greedy(scores) if t <= 0.0 else [s / t for s in scores]


def greedy(scores) -> list:
    """Keep the argmax alone; among ties the lowest id, as torch.argmax."""
    return keep_only(scores, [scores.index(max(scores))])


def webui_dynamic_temperature(scores, t, spread, exponent) -> float:
    """text-generation-webui's DynamicTemperatureLogitsWarper: the temperature for these
    scores around ``t``, with H_max = log(the tokens still in) and H at least 1e-10."""
    h = max(entropy(probabilities(scores)), 1e-10)
    h_max = math.log(sum(s > NEG_INF for s in scores))
    return _entropy_scaled(t, spread, exponent, h / (h_max if h_max > 0.0 else 1e-10))


def llama_dynamic_temperature(scores, t, spread, exponent, candidates) -> float:
    """llama.cpp's temp_ext: the temperature for these scores around ``t``, with
    H_max = log(candidates), the size of its array (-inf entries included); 1 (nothing
    happens) with one candidate."""
    if candidates <= 1:
        return 1.0
    h = entropy(probabilities(scores))
    return _entropy_scaled(t, spread, exponent, h / -math.log(1.0 / candidates))


def _entropy_scaled(t, spread, exponent, normalized) -> float:
    """low + (high - low) * normalized^exponent, low = max(0, t - spread), high = t + spread."""
    low, high = max(0.0, t - spread), t + spread
    return low + (high - low) * c_pow(normalized, exponent)


def quadratic(scores, factor, curve) -> list:
    """text-generation-webui's QuadraticSamplingLogitsWarper: with d = s - max, every score
    still in becomes -(k f d²) + (h f d³) + max, k = (3 - curve) / 2, h = (curve - 1) / 2."""
    top = max(scores)
    k, h = (3 - curve) / 2, (curve - 1) / 2

    def smoothed(s):
        d = s - top
        square = d * d
        return -(k * factor * square) + h * factor * (square * d) + top
    return [smoothed(s) if s > NEG_INF else s for s in scores]


# --- truncations local-model tools add ------------------------------------------------------

def top_choices(scores, threshold) -> list:
    """The tokens with p >= threshold, most likely first."""
    probs = probabilities(scores)
    return list(takewhile(lambda t: probs[t] >= threshold, ranked(scores)))


def xtc(scores, threshold, probability, draw) -> list:
    """Exclude Top Choices, as llama.cpp's xtc: when this position's uniform ``draw`` is at
    most ``probability``, remove every token with p >= threshold except the least likely of
    them. Off when the threshold is above 0.5 or the vocabulary has fewer than two tokens."""
    if threshold > 0.5 or len(scores) < 2 or draw > probability:
        return scores
    return without(scores, top_choices(scores, threshold)[:-1])


def llama_xtc(cur, n, threshold, probability, draw) -> list:
    """llama.cpp's xtc on its array ``cur`` (of a vocabulary of ``n``): "fewer than two
    candidates" counts the array's entries, and the top choices leave the array (its start
    moves; the -inf entries at its end stay)."""
    if threshold > 0.5 or len(cur) < 2 or draw > probability:
        return cur
    removed = set(top_choices(vocabulary(cur, n), threshold)[:-1])
    return [entry for entry in cur if entry[0] not in removed]


def top_a(scores, a) -> list:
    """text-generation-webui's TopALogitsWarper: remove p < a * p_max²."""
    probs = probabilities(scores)
    top = max(probs)
    return [NEG_INF if p < top * top * a else s for s, p in zip(scores, probs)]


def tail_free(scores, z) -> list:
    """text-generation-webui's TailFreeLogitsWarper, on the whole vocabulary sorted (a removed
    token is a trailing 0): the |second differences| of the probabilities, normalised by their
    sum; position j + 1 goes once their running sum up to j exceeds z. The first position
    always stays, the vocabulary's last always goes."""
    order = sorted(range(len(scores)), key=lambda t: (scores[t], t), reverse=True)
    probs = probabilities(scores)
    q = [probs[t] for t in order]
    d2 = [abs((q[j] - q[j + 1]) - (q[j + 1] - q[j + 2])) for j in range(len(q) - 2)]
    total = math.fsum(d2)
    # a zero sum: webui's 0 / 0 is NaN, and no comparison with NaN removes anything
    cdf = accumulate(d / total for d in d2) if total > 0.0 else [math.nan] * len(d2)
    removed = [False] + [c > z for c in cdf] + [True]
    return without(scores, [t for t, gone in zip(order, removed) if gone])


def mirostat_v2(scores, mu, zero_is_surprising) -> list:
    """Mirostat v2: keep the tokens before the first whose surprise -log2 p exceeds mu (at
    least one). ``zero_is_surprising``: llama.cpp's rule, where p = 0 is infinitely
    surprising; text-generation-webui's MirostatLogitsWarper skips tokens with p = 0, so when
    it reaches them first nothing is cut."""
    probs = probabilities(scores)
    ids = ranked(scores)
    for position, token in enumerate(ids):
        p = probs[token]
        if p == 0.0 and not zero_is_surprising:
            break
        if p == 0.0 or -math.log2(p) > mu:
            return keep_only(scores, ids[:max(position, 1)])
    return scores


def mirostat_v1(scores, mu, candidates) -> list:
    """llama.cpp's mirostat (v1): fit the Zipf exponent s to the top 100 of the ``candidates``
    (the size of its array; entries past the tokens still in have p = 0), take
    k = (ε̂ 2^mu / (1 - N^-ε̂))^(1/s) with ε̂ = s - 1 and N the vocabulary size, and keep the
    top k."""
    probs = probabilities(scores)
    ids = ranked(scores)
    top = [probs[t] for t in ids[:MIROSTAT_M]] + [0.0] * MIROSTAT_M
    s_hat = zipf_exponent(top[:min(MIROSTAT_M, candidates)])
    epsilon_hat = s_hat - 1
    k = c_pow(c_div(epsilon_hat * c_pow(2, mu), 1 - c_pow(len(scores), -epsilon_hat)),
              c_div(1.0, s_hat))
    k = int(k) if math.isfinite(k) and abs(k) < -INT_MIN else INT_MIN
    return keep_only(scores, ids[:min(max(k, 1), candidates)])


def zipf_exponent(probs) -> float:
    """llama.cpp's least-squares fit of s to the log ratios of consecutive probabilities."""
    sum_ti_bi = sum_ti_sq = 0.0
    for i in range(len(probs) - 1):
        t_i = math.log((i + 2) / (i + 1))
        sum_ti_bi += t_i * math.log(c_div(probs[i], probs[i + 1]))
        sum_ti_sq += t_i * t_i
    return c_div(sum_ti_bi, sum_ti_sq)
