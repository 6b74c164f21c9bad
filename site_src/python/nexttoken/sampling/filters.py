"""Stages that rescale or truncate the window of candidates (see window.py).

Each keeps a run of the current window ``[lo, hi)``: it calls ``state.keep(lo, hi)`` or
changes ``state.temperature``. Where transformers and llama.cpp differ, ``style`` selects
whose rule applies ("hf" or "llama.cpp"); the differences are listed in docs/sampling.md.
"""
import math
from bisect import bisect_left, bisect_right
from itertools import accumulate


class Temperature:
    """Divide logits by T. T = 0 keeps only the argmax (lowest id among ties, as
    ``torch.argmax``), which is how this project spells greedy decoding."""

    name = "temperature"
    changes_logits = False

    def __init__(self, temperature: float):
        self.temperature = temperature

    def apply(self, state):
        if self.temperature == 0.0:
            lo, hi = state.lo, state.hi
            end = state.view.tie_end(lo, hi)
            # ties run by id descending: the lowest id is last; llama.cpp keeps the others
            # as -inf entries
            state.keep(end - 1, end, resize=False)
            state.extra += hi - lo - 1
            state.greedy = True
        else:
            state.temperature = self.temperature


class TopK:
    """Keep the k most likely. transformers keeps every token tied with the k-th
    (``scores < topk(...)[-1]`` removes); llama.cpp keeps exactly k."""

    name = "top_k"
    changes_logits = False

    def __init__(self, k: int, style: str):
        self.k, self.style = k, style

    def apply(self, state):
        lo, hi = state.lo, state.hi
        if self.k >= hi - lo:
            state.extra = min(state.extra, self.k - (hi - lo))  # llama.cpp keeps min(k, size)
            return
        last = lo + self.k - 1
        state.keep(lo, state.view.tie_end(last, hi) if self.style == "hf" else last + 1)


class TopP:
    """Nucleus sampling: keep the most likely tokens whose mass reaches p.

    transformers sorts ascending and removes tokens whose cumulative probability is <= 1 - p;
    llama.cpp accumulates from the top and stops at the first token where the sum >= p.
    Both keep a token exactly when the mass above it is below p (and at least one token).
    """

    name = "top_p"
    changes_logits = False

    def __init__(self, p: float, style: str):
        self.p, self.style = p, style

    def apply(self, state):
        window = state.window()
        lo, hi = state.lo, state.hi
        if window.fast:
            end = window.cut(self.p * window.total())
        else:
            probs = window.probabilities()
            if self.style == "hf":
                ascending = list(accumulate(reversed(probs)))
                end = hi - bisect_right(ascending, 1.0 - self.p)
            else:
                end = lo + bisect_left(list(accumulate(probs)), self.p) + 1
        state.keep(lo, min(max(end, lo + 1), hi))


class MinP:
    """Keep tokens with probability >= p * (top probability).

    transformers compares softmax probabilities; llama.cpp compares logits with
    max + log(p), which is the same rule without the division.
    """

    name = "min_p"
    changes_logits = False

    def __init__(self, p: float, style: str):
        self.p, self.style = p, style

    def apply(self, state):
        window, view, lo, hi = state.window(), state.view, state.lo, state.hi
        if self.style == "llama.cpp":
            end = view.first_below(view.values[lo] + math.log(self.p), lo, hi)
        else:
            temperature, ref, p = window.temperature, window.ref, self.p
            if window.fast:
                removed = lambda v: math.exp((v - ref) / temperature) < p  # noqa: E731
            else:
                total = window.total()
                limit = p * (1.0 / total)
                removed = lambda v: math.exp((v - ref) / temperature) / total < limit  # noqa: E731
            end = bisect_left(view.values, True, lo, hi, key=removed)
        state.keep(lo, max(end, lo + 1))


class Epsilon:
    """Remove tokens with probability < epsilon (keeping those tied with the top)."""

    name = "epsilon"
    changes_logits = False

    def __init__(self, epsilon: float):
        self.epsilon = epsilon

    def threshold(self, window) -> float:
        return self.epsilon

    def apply(self, state):
        window, view, lo, hi = state.window(), state.view, state.lo, state.hi
        total, limit = window.total(), self.threshold(window)
        temperature, ref = window.temperature, window.ref
        removed = lambda v: math.exp((v - ref) / temperature) / total < limit  # noqa: E731
        end = bisect_left(view.values, True, lo, hi, key=removed)
        state.keep(lo, max(end, view.tie_end(lo, hi)))


class Eta(Epsilon):
    """Epsilon with an entropy-dependent threshold: min(ε, sqrt(ε) * exp(-H)), as
    transformers' EtaLogitsWarper computes it."""

    name = "eta"
    changes_logits = False

    def threshold(self, window) -> float:
        return min(self.epsilon, math.sqrt(self.epsilon) * math.exp(-window.entropy()))


class TopNSigma:
    """llama.cpp's top-nσ: keep logits >= max - n·σ, σ the std of the finite logits.
    Both sides scale with 1/T, so the kept set is the same at every temperature."""

    name = "top_n_sigma"
    changes_logits = False

    def __init__(self, n: float):
        self.n = n

    def apply(self, state):
        view, lo, hi = state.view, state.lo, state.hi
        if hi - lo <= 1:
            return
        if lo == 0 and hi == len(view):
            top, sigma = view.sigma()
        else:
            values = view.values[lo:hi]
            mean = math.fsum(values) / len(values)
            sigma = math.sqrt(math.fsum((v - mean) * (v - mean) for v in values) / len(values))
            top = values[0]
        end = max(view.first_below(top - self.n * sigma, lo, hi), lo + 1)
        state.keep(lo, end, resize=False)  # llama.cpp sets them to -inf and keeps them
        state.extra += hi - end
