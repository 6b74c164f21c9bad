"""References for the samplers of issue 17, written independently of the engine.

``tensor_distribution`` -- transformers' world (the ``hf``, ``webui`` and ``custom`` orders):
the scores are the whole vocabulary, removed tokens are -inf. Shared samplers run
transformers' own processors (torch, float64); the new ones are line-by-line transliterations
of text-generation-webui's ``modules/sampler_hijack.py`` (dceb23c76361066f35531cef3808cf172b6d5a5d;
XTC and the default ``sampler_priority`` from its later version with ``XTCLogitsWarper``) and,
for XTC and Mirostat v1, of llama.cpp's ``src/llama-sampling.cpp``
(e19fb5f1a30ce42690ad7093ddbd382ac287c9fd) run on the whole-vocabulary array.

``llama_more_distribution`` -- llama.cpp's world: a candidate array [(id, logit)] that keeps
-inf entries until a stage resizes it, transliterating llama-sampling.cpp (float64, not
float32) in common_sampler_init's order.

Sorting: logit descending, ties by id descending (the engine's documented order; torch and
std::sort leave ties unspecified in general).
"""
import math

import torch
from transformers.generation.logits_process import (
    EpsilonLogitsWarper, EtaLogitsWarper, MinPLogitsWarper, NoRepeatNGramLogitsProcessor,
    RepetitionPenaltyLogitsProcessor, SequenceBiasLogitsProcessor, TemperatureLogitsWarper,
    TopKLogitsWarper, TopPLogitsWarper, TypicalLogitsWarper)

from tests.sampling import reference as base

NEG_INF = -math.inf
HF = ("logit_bias", "repetition_penalty", "presence_frequency_penalty", "no_repeat_ngram",
      "dry", "temperature", "quadratic", "top_n_sigma", "top_k", "top_p", "min_p",
      "typical_p", "epsilon", "eta", "tfs", "top_a", "mirostat", "xtc")
# webui's default sampler_priority, with the bias first and top-n-sigma before top-k
WEBUI = ("logit_bias", "repetition_penalty", "presence_frequency_penalty", "dry",
         "temperature", "quadratic", "top_n_sigma", "top_k", "top_p", "typical_p", "epsilon",
         "eta", "tfs", "top_a", "min_p", "mirostat", "xtc", "no_repeat_ngram")


# --- text-generation-webui's DRY (DRYLogitsProcessor.__call__), range 0 --------------------

def dry_penalties(history, multiplier, base_, allowed_length, breakers):
    input_ids = list(history)
    if not input_ids:
        return {}
    last_token = input_ids[-1]
    if last_token in breakers:
        return {}
    match_indices = [idx for idx, val in enumerate(input_ids[:-1]) if val == last_token]
    match_lengths = {}
    for i in match_indices:
        next_token = input_ids[i + 1]
        if next_token in breakers:
            continue
        match_length = 1
        while match_length < 50:
            j = i - match_length
            if j < 0:
                break
            previous_token = input_ids[-(match_length + 1)]
            if input_ids[j] != previous_token:
                break
            if previous_token in breakers:
                break
            match_length += 1
        if next_token in match_lengths:
            match_lengths[next_token] = max(match_length, match_lengths[next_token])
        else:
            match_lengths[next_token] = match_length
    return {token: multiplier * base_ ** (length - allowed_length)
            for token, length in match_lengths.items() if length >= allowed_length}


# --- transformers' world -------------------------------------------------------------------

def _order(params):
    if params.order == "hf":
        return HF
    if params.order == "webui":
        return WEBUI
    listed = tuple(params.sampler_order or WEBUI)
    changes = ("logit_bias", "repetition_penalty", "presence_frequency_penalty", "dry")
    first = tuple(n for n in changes if n not in listed)
    return first + listed + tuple(n for n in WEBUI if n not in listed and n not in first)


def tensor_distribution(logits, params, history=(), draw=0.5, mu=None):
    """(kept id set, probabilities) for the hf / webui / custom orders."""
    s = torch.tensor([list(logits)], dtype=torch.float64)
    ids = torch.tensor([list(history)], dtype=torch.long)
    p = params
    for name in _order(p):
        s = _tensor_stage(name, p, s, ids, list(history), draw, mu)
    kept = set(torch.nonzero(s[0] > NEG_INF).flatten().tolist())
    return kept, torch.softmax(s, dim=-1)[0].tolist()


def _tensor_stage(name, p, s, ids, history, draw, mu):  # noqa: C901
    if name == "logit_bias" and p.logit_bias:
        return SequenceBiasLogitsProcessor({(t,): float(b) for t, b in p.logit_bias.items()})(
            ids, s)
    if name == "repetition_penalty" and history and p.repetition_penalty != 1.0:
        return RepetitionPenaltyLogitsProcessor(float(p.repetition_penalty))(ids, s)
    if name == "presence_frequency_penalty" and history and (p.presence_penalty
                                                             or p.frequency_penalty):
        return base._presence_frequency(p, history)(ids, s)
    if name == "no_repeat_ngram" and history and p.no_repeat_ngram_size:
        return NoRepeatNGramLogitsProcessor(p.no_repeat_ngram_size)(ids, s)
    if name == "dry" and history and p.dry_multiplier > 0:
        s = s.clone()
        for token, penalty in dry_penalties(history, p.dry_multiplier, p.dry_base,
                                            p.dry_allowed_length,
                                            set(p.dry_sequence_breakers)).items():
            s[0, token] -= penalty
        return s
    if name == "temperature" and p.dynatemp_range > 0:
        return _webui_dynatemp(s, max(0.0, p.temperature - p.dynatemp_range),
                               p.temperature + p.dynatemp_range, p.dynatemp_exponent)
    if name == "temperature" and p.temperature == 0.0:
        return base._argmax_only(ids, s)
    if name == "temperature" and p.temperature != 1.0:
        return TemperatureLogitsWarper(float(p.temperature))(ids, s)
    if name == "quadratic" and p.smoothing_factor > 0:
        return _webui_quadratic(s, p.smoothing_factor, p.smoothing_curve)
    if name == "top_n_sigma" and p.top_n_sigma > 0:
        return base._top_n_sigma(p.top_n_sigma)(ids, s)
    if name == "top_k" and p.top_k:
        return TopKLogitsWarper(p.top_k)(ids, s)
    if name == "top_p" and p.top_p < 1.0:
        return TopPLogitsWarper(p.top_p)(ids, s)
    if name == "min_p" and p.min_p > 0.0:
        return MinPLogitsWarper(p.min_p)(ids, s)
    if name == "typical_p" and p.typical_p < 1.0:
        return TypicalLogitsWarper(mass=p.typical_p)(ids, s)
    if name == "epsilon" and p.epsilon > 0.0:
        return EpsilonLogitsWarper(p.epsilon)(ids, s)
    if name == "eta" and p.eta > 0.0:
        return EtaLogitsWarper(p.eta)(ids, s)
    if name == "tfs" and p.tfs < 1.0:
        return _webui_tfs(s, p.tfs)
    if name == "top_a" and p.top_a > 0.0:
        return _webui_top_a(s, p.top_a)
    if name == "mirostat" and p.mirostat:
        mu = 2 * p.mirostat_tau if mu is None else mu
        return (_mirostat_v2 if p.mirostat == 2 else _mirostat_v1)(s, mu)
    if name == "xtc" and p.xtc_probability > 0:
        return _xtc(s, p.xtc_threshold, p.xtc_probability, draw)
    return s


def _sorted(s):
    """(sorted scores list, sorted indices) descending, ties by id descending."""
    row = s[0].tolist()
    order = sorted(range(len(row)), key=lambda i: (row[i], i), reverse=True)
    return [row[i] for i in order], order


def _mask(s, ids):
    s = s.clone()
    if len(ids):
        s[0, torch.tensor(list(ids), dtype=torch.long)] = NEG_INF
    return s


def _softmax_list(values):
    return torch.softmax(torch.tensor(values, dtype=torch.float64), dim=-1).tolist()


def _webui_dynatemp(scores, min_temp, max_temp, exponent_val):
    probs = torch.softmax(scores, dim=-1)
    entropy = -1.0 * torch.where(probs > 0, probs * torch.log(probs),
                                 torch.zeros_like(probs)).sum()
    entropy = max(entropy, torch.tensor(1e-10, dtype=torch.float64))
    num_valid_tokens = torch.sum(scores > -float('inf')).item()
    max_entropy = math.log(num_valid_tokens)
    max_entropy = max_entropy if max_entropy > 0.0 else 1e-10
    normalized_entropy = entropy / max_entropy
    dyn_temp = min_temp + (max_temp - min_temp) * (normalized_entropy.pow(exponent_val))
    if dyn_temp <= 0:  # webui would divide by zero; the engine keeps the argmax
        return base._argmax_only(None, scores)
    return scores / dyn_temp


def _webui_quadratic(scores, smoothing_factor, smoothing_curve):
    max_logit = scores.max()
    diff = scores - max_logit
    k = (3 - smoothing_curve) / 2
    s = (smoothing_curve - 1) / 2
    return torch.where(scores != float('-inf'),
                       -(k * smoothing_factor * diff ** 2) + (s * smoothing_factor * diff ** 3)
                       + max_logit, scores)


def _webui_tfs(scores, tfs):
    sorted_logits, order = _sorted(scores)
    probs = _softmax_list(sorted_logits)
    d2 = [abs((probs[i] - probs[i + 1]) - (probs[i + 1] - probs[i + 2]))
          for i in range(len(probs) - 2)]
    total = math.fsum(d2)
    cdf, running = [], 0.0
    for value in d2:
        running += value / total if total else math.nan
        cdf.append(running)
    remove = [False] + [c > tfs for c in cdf] + [True]
    return _mask(scores, [order[i] for i, r in enumerate(remove) if r])


def _webui_top_a(scores, top_a):
    sorted_logits, order = _sorted(scores)
    probs = _softmax_list(sorted_logits)
    probs_max = probs[0]
    return _mask(scores, [order[i] for i, q in enumerate(probs)
                          if q < probs_max * probs_max * top_a])


def _mirostat_v2(scores, mu):
    # webui's MirostatLogitsWarper up to its sampling (the engine samples separately)
    sorted_logits, order = _sorted(scores)
    prob_original = _softmax_list(sorted_logits)
    keep = len(sorted_logits)
    for i, candidate in enumerate(prob_original):
        if candidate > 0 and -math.log2(candidate) > mu:
            keep = 1 if i == 0 else i
            break
    return _mask(scores, order[keep:])


def _mirostat_v1(scores, mu, m=100):
    sorted_logits, order = _sorted(scores)
    probs = _softmax_list(sorted_logits)
    k = _mirostat_k(probs, mu, m, len(order))
    return _mask(scores, order[min(k, len(order)):])


def _mirostat_k(probs, mu, m, n_vocab):
    """llama_sampler_mirostat_apply's k (float64), int() as on x86-64."""
    def div(a, b):
        if b:
            return a / b
        return math.nan if a != a or a == 0 else math.copysign(math.inf, a) * math.copysign(1, b)

    def pw(a, b):
        try:
            return math.pow(a, b)
        except ValueError:
            return math.nan
        except OverflowError:
            return math.inf
    sum_ti_bi = sum_ti_sq = 0.0
    i = 0
    while i < m - 1 and i < len(probs) - 1:
        t_i = math.log(float(i + 2) / float(i + 1))
        ratio = div(probs[i], probs[i + 1])
        b_i = math.log(ratio) if ratio == ratio else math.nan
        sum_ti_bi += t_i * b_i
        sum_ti_sq += t_i * t_i
        i += 1
    s_hat = div(sum_ti_bi, sum_ti_sq)
    epsilon_hat = s_hat - 1
    k = pw(div(epsilon_hat * pw(2, mu), 1 - pw(n_vocab, -epsilon_hat)), div(1, s_hat))
    k = int(k) if math.isfinite(k) and abs(k) < 2 ** 31 else -2 ** 31
    return max(k, 1)


def _xtc(scores, threshold, probability, chance):
    # llama_sample_xtc_apply on the whole array (min_keep 0)
    if probability <= 0.0 or threshold > 0.5 or scores.shape[-1] < 2:
        return scores
    if chance > probability:
        return scores
    sorted_logits, order = _sorted(scores)
    probs = _softmax_list(sorted_logits)
    pos_last = 0
    for i, q in enumerate(probs):
        if q >= threshold:
            pos_last = i
        else:
            break
    if pos_last > 0:
        return _mask(scores, order[:pos_last])
    return scores


# --- llama.cpp's world ---------------------------------------------------------------------

def llama_more_distribution(logits, params, history=(), draw=0.5, mu=None):
    """(kept id set, probabilities) for the llama.cpp order, -inf entries kept."""
    p, n = params, len(logits)
    cur = [(t, float(v)) for t, v in enumerate(logits)]
    if p.logit_bias:
        cur = [(t, v + p.logit_bias.get(t, 0.0)) for t, v in cur]
    if p.mirostat:
        cur = _llama_temp(cur, p.temperature)
        mu = 2 * p.mirostat_tau if mu is None else mu
        cur.sort(key=lambda c: (c[1], c[0]), reverse=True)
        probs = _softmax_list([v for _, v in cur])
        if p.mirostat == 1:
            cur = cur[:min(_mirostat_k(probs, mu, 100, n), len(cur))]
        else:
            size = next((i for i, q in enumerate(probs) if q <= 0 or -math.log2(q) > mu),
                        len(cur))
            cur = cur[:max(size, 1)]
        return _final(cur, n)
    if history and (p.penalizes or p.no_repeat_ngram_size):
        done = base.llama_candidates([v for _, v in cur], _only(p, "penalties"), history)
        values = dict(done)
        cur = [(t, values.get(t, NEG_INF)) for t, _ in cur]
    if history and p.dry_multiplier > 0:
        penalties = dry_penalties(history, p.dry_multiplier, p.dry_base, p.dry_allowed_length,
                                  set(p.dry_sequence_breakers))
        cur = [(t, v - penalties.get(t, 0.0)) for t, v in cur]
    if p.top_n_sigma > 0 and len(cur) > 1:
        finite = [v for _, v in cur if v != NEG_INF]
        mean = math.fsum(finite) / len(finite)
        std = math.sqrt(math.fsum((v - mean) * (v - mean) for v in finite) / len(finite))
        cur = [(t, NEG_INF if v < max(finite) - p.top_n_sigma * std else v) for t, v in cur]
    cur.sort(key=lambda c: (c[1], c[0]), reverse=True)
    if p.top_k > 0:
        cur = cur[:min(p.top_k, len(cur))]
    finite_only = lambda c: [x for x in c if x[1] != NEG_INF]  # noqa: E731
    if p.tfs < 1.0:
        cur = finite_only(_tensor_cut(cur, n, lambda s: _webui_tfs(s, p.tfs)))
    for name in ("typical_p", "top_p", "min_p", "top_a", "epsilon", "eta"):
        value = getattr(p, name)
        if name == "top_a" and value > 0:
            cur = finite_only(_tensor_cut(cur, n, lambda s: _webui_top_a(s, p.top_a)))
        elif name != "top_a" and value != (1.0 if name in ("typical_p", "top_p") else 0.0):
            by_id = sorted(cur)  # base sorts ties by list index descending: id descending
            out = base.llama_candidates([v for _, v in by_id], _only(p, name), ())
            cur = [(by_id[i][0], v) for i, v in out]
    if p.xtc_probability > 0:
        cur = _llama_xtc(cur, p.xtc_threshold, p.xtc_probability, draw)
    if p.smoothing_factor > 0:
        cur = _tensor_cut(cur, n, lambda s: _webui_quadratic(s, p.smoothing_factor,
                                                                p.smoothing_curve), keep=True)
    if p.dynatemp_range > 0:
        cur = _llama_temp_ext(cur, p.temperature, p.dynatemp_range, p.dynatemp_exponent)
    else:
        cur = _llama_temp(cur, p.temperature)
    return _final(cur, n)


def _only(p, name):
    """``p`` with only the named stage(s) of base.llama_candidates on."""
    from nexttoken.sampling import SamplingParams
    fields = {"penalties": ("repetition_penalty", "presence_penalty", "frequency_penalty",
                            "no_repeat_ngram_size")}.get(name, (name,))
    return SamplingParams(**{f: getattr(p, f) for f in fields})


def _tensor_cut(cur, n, stage, keep=False):
    """Run a transformers-world stage on the array as a full-vocabulary tensor."""
    row = [NEG_INF] * n
    for t, v in cur:
        row[t] = v
    s = torch.tensor([row], dtype=torch.float64)
    s = stage(s)[0].tolist()
    if keep:
        return [(t, s[t]) for t, _ in cur]
    return [(t, v) for t, v in cur if s[t] != NEG_INF or v == NEG_INF]


def _llama_xtc(cur, threshold, probability, chance):
    if threshold > 0.5 or len(cur) < 2 or chance > probability:
        return cur
    cur = sorted(cur, key=lambda c: (c[1], c[0]), reverse=True)
    probs = _softmax_list([v for _, v in cur])
    pos_last = 0
    for i, q in enumerate(probs):
        if q >= threshold:
            pos_last = i
        else:
            break
    return cur[pos_last:] if pos_last > 0 else cur


def _llama_temp(cur, temp):
    if temp <= 0.0:
        best = max((c for c in cur if c[1] != NEG_INF), key=lambda c: (c[1], -c[0]))
        return [(t, v if (t, v) == best else NEG_INF) for t, v in cur]
    return [(t, v / temp) for t, v in cur]


def _llama_temp_ext(cur, temp, delta, exponent):
    min_temp, max_temp = max(0.0, temp - delta), temp + delta
    if len(cur) <= 1:
        return cur
    max_entropy = -math.log(1.0 / len(cur))
    probs = _softmax_list([v for _, v in cur])
    entropy = 0.0
    for q in probs:
        if q > 0.0:
            entropy -= q * math.log(q)
    dyn_temp = min_temp + (max_temp - min_temp) * math.pow(entropy / max_entropy, exponent)
    return _llama_temp(cur, dyn_temp)


def _final(cur, n):
    probs = [0.0] * n
    finite = [(t, v) for t, v in cur if v != NEG_INF]
    for (t, _), q in zip(finite, _softmax_list([v for _, v in finite])):
        probs[t] = q
    return {t for t, _ in finite}, probs
