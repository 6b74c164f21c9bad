"""The samplers local-model tools add: XTC, Mirostat v1/v2, dynamic temperature and top-a
(DRY is in dry.py, tail-free sampling in tailfree.py, quadratic sampling in quadratic.py).

Each keeps a run of the window, like the stages of filters.py. References (docs/sampling.md):
llama.cpp ``src/llama-sampling.cpp`` at e19fb5f1a30ce42690ad7093ddbd382ac287c9fd (XTC,
Mirostat, ``temp_ext``); text-generation-webui ``modules/sampler_hijack.py`` at
dceb23c76361066f35531cef3808cf172b6d5a5d (``TopALogitsWarper``,
``DynamicTemperatureLogitsWarper``, ``MirostatLogitsWarper``).
"""
import math
from bisect import bisect_left

from .c_float import c_div, c_pow

INT_LIMIT = 2 ** 31  # llama.cpp's int(k): x86-64 turns NaN, inf and overflow into INT_MIN


class Xtc:
    """Exclude Top Choices, as llama.cpp's xtc sampler: with probability ``probability``
    (one uniform draw per position, from the session's XTC stream), remove every token whose
    probability is >= ``threshold`` except the least likely of them. Off when the threshold
    is above 0.5 or fewer than two candidates are left."""

    name = "xtc"
    changes_logits = False

    def __init__(self, threshold: float, probability: float):
        self.threshold, self.probability = threshold, probability

    def apply(self, state):
        lo, hi = state.lo, state.hi
        if self.threshold > 0.5 or state.size() < 2:
            return
        if state.carry.xtc_draw() > self.probability:
            return
        window, view, limit = state.window(), state.view, self.threshold
        total, ref, temperature = window.total(), window.ref, window.temperature
        below = lambda v: math.exp((v - ref) / temperature) / total < limit  # noqa: E731
        last = bisect_left(view.values, True, lo, hi, key=below) - 1  # last token >= threshold
        if last > lo:
            state.keep(last, hi, resize=False)  # llama.cpp moves the start: the tail stays


class TopA:
    """text-generation-webui's TopALogitsWarper: remove p < top_a * p_max^2."""

    name = "top_a"
    changes_logits = False

    def __init__(self, a: float):
        self.a = a

    def apply(self, state):
        window, view, lo, hi = state.window(), state.view, state.lo, state.hi
        total, ref, temperature = window.total(), window.ref, window.temperature
        top = 1.0 / total  # the top token's weight is exp(0) = 1
        limit = top * top * self.a
        below = lambda v: math.exp((v - ref) / temperature) / total < limit  # noqa: E731
        state.keep(lo, max(bisect_left(view.values, True, lo, hi, key=below), lo + 1))


class MirostatV2:
    """llama.cpp's mirostat v2 (and text-generation-webui's MirostatLogitsWarper): keep the
    tokens up to the first whose surprise -log2(p) exceeds mu (at least one). mu comes from
    the carry (the previous choice's update, or 2·tau). webui skips tokens whose p is 0 (so a
    run that reaches p = 0 before any surprise above mu is kept whole); llama.cpp cuts
    there (-log2(0) is inf)."""

    name = "mirostat"
    changes_logits = False

    def __init__(self, tau: float, eta: float, style: str):
        self.tau, self.eta, self.style = tau, eta, style

    def apply(self, state):
        mu = state.carry.mu(2, self.tau, self.eta)
        before = (state.lo, state.hi, state.temperature)
        window, view, lo, hi = state.window(), state.view, state.lo, state.hi
        total, ref, temperature = window.total(), window.ref, window.temperature

        def surprising(v):
            p = math.exp((v - ref) / temperature) / total
            return p <= 0.0 or -math.log2(p) > mu
        end = bisect_left(view.values, True, lo, hi, key=surprising)
        if self.style != "llama.cpp" and end < hi and \
                math.exp((view.values[end] - ref) / temperature) / total <= 0.0:
            end = hi  # webui: the first token past mu has p = 0, so nothing is cut
        state.keep(lo, max(end, lo + 1))
        state.mirostat = (state.view,) + before + (state.lo, state.hi)


class MirostatV1:
    """llama.cpp's mirostat (v1): estimate the Zipf exponent s from the top m = 100 tokens,
    derive k from mu, keep the top k (exactly k, as llama.cpp's top-k)."""

    name = "mirostat"
    changes_logits = False
    M = 100

    def __init__(self, tau: float, eta: float):
        self.tau, self.eta = tau, eta

    def apply(self, state):
        mu = state.carry.mu(1, self.tau, self.eta)
        before = (state.lo, state.hi, state.temperature)
        lo, hi, size = state.lo, state.hi, state.size()
        count = min(self.M, size)
        probs = state.window().probabilities(count) if hi - lo > 1 else [1.0]
        probs += [0.0] * (count - len(probs))  # llama.cpp's -inf entries, still present
        sum_ti_bi = sum_ti_sq = 0.0
        for i in range(min(self.M - 1, size - 1)):
            t_i = math.log((i + 2) / (i + 1))
            a, b = probs[i], probs[i + 1]
            ratio = a / b if b > 0.0 else (math.inf if a > 0.0 else math.nan)
            sum_ti_bi += t_i * (math.log(ratio) if ratio == ratio else math.nan)
            sum_ti_sq += t_i * t_i
        s_hat = sum_ti_bi / sum_ti_sq if sum_ti_sq else math.nan
        epsilon_hat = s_hat - 1
        k = c_pow(c_div(epsilon_hat * c_pow(2, mu), 1 - c_pow(state.prepared.n, -epsilon_hat)),
                 c_div(1.0, s_hat))
        k = int(k) if math.isfinite(k) and abs(k) < INT_LIMIT else -INT_LIMIT
        k = min(max(k, 1), size)
        state.keep(lo, lo + min(k, hi - lo))
        state.mirostat = (state.view,) + before + (state.lo, state.hi)


class DynamicTemperature:
    """Entropy-scaled temperature: T' = low + (high - low) · (H / H_max)^exponent with
    low = max(0, T - range), high = T + range.

    llama.cpp (``temp_ext``): H_max = log(candidates), counting the -inf entries no stage has
    dropped yet; nothing happens with one candidate. text-generation-webui
    (DynamicTemperatureLogitsWarper): H_max = log(finite logits), H at least 1e-10.
    """

    name = "dynamic_temperature"
    changes_logits = False

    def __init__(self, temperature: float, spread: float, exponent: float, style: str):
        self.low = max(0.0, temperature - spread)
        self.high = temperature + spread
        self.exponent, self.style = exponent, style

    def apply(self, state):
        lo, hi = state.lo, state.hi
        entropy = state.window().entropy() if hi - lo > 1 else 0.0
        if self.style == "llama.cpp":
            size = state.size()
            if size <= 1:
                return
            normalized = entropy / -math.log(1.0 / size)
        else:
            entropy = max(entropy, 1e-10)
            top = math.log(hi - lo)
            normalized = entropy / (top if top > 0.0 else 1e-10)
        temperature = self.low + (self.high - self.low) * c_pow(normalized, self.exponent)
        if temperature <= 0.0:  # llama.cpp's temp <= 0: the argmax only
            end = state.view.tie_end(lo, hi)
            state.keep(end - 1, end, resize=False)
            state.greedy = True
        else:
            state.temperature = state.temperature * temperature
