"""Reference samplers the engine is checked against.

``hf_scores`` runs Hugging Face transformers' own LogitsProcessor classes (torch, float64) in
the order ``generate(do_sample=True)`` builds them. Presence/frequency penalties (OpenAI's
formula) and top-nσ (llama.cpp's rule), which transformers lacks, are written here with torch
in the places the engine puts them.

``llama_scores`` is a line-by-line Python transliteration of llama.cpp's samplers
(src/llama-sampling.cpp) in its default chain order, in float64 instead of float32.
"""
import math

import torch
from transformers.generation.logits_process import (
    EpsilonLogitsWarper, EtaLogitsWarper, MinPLogitsWarper, NoRepeatNGramLogitsProcessor,
    RepetitionPenaltyLogitsProcessor, SequenceBiasLogitsProcessor, TemperatureLogitsWarper,
    TopKLogitsWarper, TopPLogitsWarper, TypicalLogitsWarper)

NEG_INF = -math.inf


def hf_scores(logits, params, history=()):
    """Processed scores (a float64 tensor of shape (1, n)); -inf marks removed tokens."""
    scores = torch.tensor([list(logits)], dtype=torch.float64)
    ids = torch.tensor([list(history)], dtype=torch.long)
    procs = []
    if params.logit_bias:
        procs.append(SequenceBiasLogitsProcessor(
            {(t,): float(b) for t, b in params.logit_bias.items()}))
    if history and params.repetition_penalty != 1.0:
        procs.append(RepetitionPenaltyLogitsProcessor(float(params.repetition_penalty)))
    if history and (params.presence_penalty or params.frequency_penalty):
        procs.append(_presence_frequency(params, history))
    if history and params.no_repeat_ngram_size:
        procs.append(NoRepeatNGramLogitsProcessor(params.no_repeat_ngram_size))
    if params.temperature == 0.0:
        procs.append(_argmax_only)
    elif params.temperature != 1.0:
        procs.append(TemperatureLogitsWarper(float(params.temperature)))
    if params.top_n_sigma > 0:
        procs.append(_top_n_sigma(params.top_n_sigma))
    if params.top_k:
        procs.append(TopKLogitsWarper(params.top_k))
    if params.top_p < 1.0:
        procs.append(TopPLogitsWarper(params.top_p))
    if params.min_p > 0.0:
        procs.append(MinPLogitsWarper(params.min_p))
    if params.typical_p < 1.0:
        procs.append(TypicalLogitsWarper(mass=params.typical_p))
    if params.epsilon > 0.0:
        procs.append(EpsilonLogitsWarper(params.epsilon))
    if params.eta > 0.0:
        procs.append(EtaLogitsWarper(params.eta))
    for proc in procs:
        scores = proc(ids, scores)
    return scores


def hf_distribution(logits, params, history=()):
    """(kept id set, probabilities list) from transformers' processors."""
    scores = hf_scores(logits, params, history)
    kept = set(torch.nonzero(scores[0] > NEG_INF).flatten().tolist())
    return kept, torch.softmax(scores, dim=-1)[0].tolist()


def _argmax_only(ids, scores):
    out = torch.full_like(scores, NEG_INF)
    best = torch.argmax(scores, dim=-1)
    out[0, best] = scores[0, best]
    return out


def _presence_frequency(params, history):
    def apply(ids, scores):
        counts = torch.bincount(torch.tensor(list(history)), minlength=scores.shape[-1])
        penalty = counts * params.frequency_penalty + (counts > 0) * params.presence_penalty
        return scores - penalty.to(scores.dtype)
    return apply


def _top_n_sigma(n):
    def apply(ids, scores):
        finite = scores[scores > NEG_INF]
        top, sigma = finite.max(), finite.std(unbiased=False)
        return scores.masked_fill(scores < top - n * sigma, NEG_INF)
    return apply


# --- llama.cpp, transliterated ------------------------------------------------------------

def llama_distribution(logits, params, history=()):
    """(kept id set, probabilities list) from the llama.cpp transliteration."""
    n = len(logits)
    cur = llama_candidates(logits, params, history)
    temp = params.temperature
    if temp <= 0.0:
        best = max(cur, key=lambda c: (c[1], -c[0]))
        cur = [best]
    probs = [0.0] * n
    top = max(l for _, l in cur)
    scale = temp if temp > 0 else 1.0
    weights = [math.exp(l / scale - top / scale) for _, l in cur]
    total = math.fsum(weights)
    for (t, _), w in zip(cur, weights):
        probs[t] = w / total
    return {t for t, _ in cur}, probs


def llama_candidates(logits, params, history=()):
    """Candidates [(id, logit)] after every stage before temperature."""
    cur = [(t, float(l)) for t, l in enumerate(logits)]
    if params.logit_bias:
        cur = [(t, l + params.logit_bias.get(t, 0.0)) for t, l in cur]
    if params.penalizes:
        counts = {}
        for t in list(history)[-64:]:
            counts[t] = counts.get(t, 0) + 1
        out = []
        for t, l in cur:
            c = counts.get(t, 0)
            if c:
                l = l * params.repetition_penalty if l <= 0 else l / params.repetition_penalty
                l -= c * params.frequency_penalty + (c > 0) * params.presence_penalty
            out.append((t, l))
        cur = out
    if params.no_repeat_ngram_size:
        banned = set(_banned(list(history), params.no_repeat_ngram_size))
        cur = [(t, NEG_INF if t in banned else l) for t, l in cur]
    # candidates in llama.cpp's sorted order; ties by id descending (the engine's choice)
    cur = [c for c in cur if c[1] > NEG_INF]
    cur.sort(key=lambda c: (c[1], c[0]), reverse=True)
    if params.top_n_sigma > 0 and len(cur) > 1:
        vals = [l for _, l in cur]
        mean = math.fsum(vals) / len(vals)
        std = math.sqrt(math.fsum((v - mean) * (v - mean) for v in vals) / len(vals))
        cur = [c for c in cur if not c[1] < max(vals) - params.top_n_sigma * std]
    if params.top_k > 0:
        cur = cur[:params.top_k]
    if params.typical_p < 1.0:
        cur = _llama_typical(cur, params.typical_p)
    if params.top_p < 1.0:
        probs = _softmax([l for _, l in cur])
        cum, last = 0.0, len(cur)
        for i, p in enumerate(probs):
            cum += p
            if cum >= params.top_p:
                last = i + 1
                break
        cur = cur[:last]
    if params.min_p > 0.0:
        min_logit = cur[0][1] + math.log(params.min_p)
        cur = [cur[0]] + [c for c in cur[1:] if not c[1] < min_logit]
    for cut in ("epsilon", "eta"):
        eps = getattr(params, cut)
        if eps > 0.0:
            probs = _softmax([l for _, l in cur])
            if cut == "eta":
                entropy = -math.fsum(p * math.log(p) for p in probs if p > 0)
                eps = min(eps, math.sqrt(eps) * math.exp(-entropy))
            top = cur[0][1]
            cur = [c for c, p in zip(cur, probs) if not (p < eps and c[1] < top)]
    return cur


def _llama_typical(cur, p):
    # C's logf(0) is -inf and 0 * -inf is NaN; like transformers' nansum, skip p = 0 terms
    probs = _softmax([l for _, l in cur])
    entropy = -math.fsum(q * math.log(q) for q in probs if q > 0)
    shifted = [abs(-math.log(q) - entropy) if q > 0 else math.inf for q in probs]
    centre = min(range(len(cur)), key=shifted.__getitem__)
    # llama.cpp's std::sort by shifted score; among ties the engine takes the likelier side
    left = list(range(centre - 1, -1, -1))
    right = list(range(centre + 1, len(cur)))
    order, i, j = [centre], 0, 0
    while i < len(left) or j < len(right):
        if j == len(right) or (i < len(left) and shifted[left[i]] <= shifted[right[j]]):
            order.append(left[i])
            i += 1
        else:
            order.append(right[j])
            j += 1
    cum, last = 0.0, len(order)
    for k, idx in enumerate(order):
        cum += probs[idx]
        if cum > p:
            last = k + 1
            break
    keep = set(order[:last])
    return [c for k, c in enumerate(cur) if k in keep]


def _softmax(values):
    top = max(values)
    weights = [math.exp(v - top) for v in values]
    total = math.fsum(weights)
    return [w / total for w in weights]


def _banned(history, size):
    if len(history) + 1 < size:
        return []
    follows = {}
    for start in range(len(history) - size + 1):
        follows.setdefault(tuple(history[start:start + size - 1]), []).append(
            history[start + size - 1])
    return follows.get(tuple(history[len(history) + 1 - size:]) if size > 1 else (), [])
