"""Parity vectors for the samplers of issue 17 (DRY, XTC, Mirostat, dynamic temperature,
top-a, TFS, quadratic), each alone and combined, in every order.

Shared by the CPython parity tests (tests/sampling/test_more.py, against
tests/sampling/reference_more.py) and the Pyodide run (against CPython's answers).
"""
import random

from tests.sampling.vectors import ADVERSARIAL, random_logits

ORDERS = ("hf", "llama.cpp", "webui", "custom")
CUSTOM = ["xtc", "top_k", "mirostat", "min_p", "tfs", "quadratic", "temperature", "top_a"]

# (params, XTC draw, Mirostat mu or None for 2·tau)
ALONE = [
    ({"dry_multiplier": 0.8}, 0.5, None),
    ({"dry_multiplier": 2.0, "dry_base": 2.0, "dry_allowed_length": 1,
      "dry_sequence_breakers": [1]}, 0.5, None),
    ({"xtc_probability": 1.0, "xtc_threshold": 0.1}, 0.3, None),
    ({"xtc_probability": 0.5, "xtc_threshold": 0.125}, 0.3, None),
    ({"xtc_probability": 0.5, "xtc_threshold": 0.125}, 0.7, None),
    ({"xtc_probability": 1.0, "xtc_threshold": 0.5}, 0.0, None),
    ({"mirostat": 2, "mirostat_tau": 3.0}, 0.5, None),
    ({"mirostat": 2, "mirostat_tau": 0.5}, 0.5, None),
    ({"mirostat": 2, "mirostat_tau": 5.0}, 0.5, 1.5),
    ({"mirostat": 1, "mirostat_tau": 5.0}, 0.5, None),
    ({"mirostat": 1, "mirostat_tau": 2.0, "temperature": 0.7}, 0.5, 9.0),
    ({"dynatemp_range": 0.5}, 0.5, None),
    ({"dynatemp_range": 1.0, "dynatemp_exponent": 2.0, "temperature": 1.2}, 0.5, None),
    ({"dynatemp_range": 1.0, "temperature": 0.5}, 0.5, None),
    ({"top_a": 0.2}, 0.5, None),
    ({"top_a": 1.0}, 0.5, None),
    ({"tfs": 0.95}, 0.5, None),
    ({"tfs": 0.5}, 0.5, None),
    ({"tfs": 0.0}, 0.5, None),
    ({"smoothing_factor": 0.3}, 0.5, None),
    ({"smoothing_factor": 1.0, "smoothing_curve": 2.5}, 0.5, None),
    ({"smoothing_factor": 0.5, "min_p": 0.05}, 0.5, None),  # the window after a rewrite
]
COMBINED = [
    ({"temperature": 0.8, "dry_multiplier": 0.8, "xtc_probability": 1.0, "xtc_threshold": 0.1,
      "top_a": 0.1, "tfs": 0.9, "smoothing_factor": 0.2, "min_p": 0.02, "top_k": 20}, 0.2,
     None),
    ({"temperature": 1.3, "dynatemp_range": 0.6, "top_p": 0.9, "repetition_penalty": 1.2,
      "no_repeat_ngram_size": 2, "mirostat": 2, "mirostat_tau": 4.0}, 0.5, 6.0),
    ({"top_n_sigma": 1.0, "tfs": 0.97, "xtc_probability": 0.9, "xtc_threshold": 0.05,
      "logit_bias": {0: 2.0}, "dry_multiplier": 1.5, "dry_allowed_length": 1}, 0.1, None),
]


def more_cases(orders=ORDERS):
    """[(name, logits, history, params dict, draw, mu)]."""
    rng = random.Random(17)
    vocabs = dict(ADVERSARIAL)
    for size in (16, 100, 1000):
        vocabs[f"random_{size}"] = random_logits(rng, size)
    out = []
    for name, logits in vocabs.items():
        size = len(logits)
        start = [rng.randrange(size) for _ in range(min(6, 2 * size))]
        history = start + start[:4] + start[:3]  # repeats for DRY to find
        for index, (params, draw, mu) in enumerate(ALONE + COMBINED):
            for order in orders:
                p = dict(params, order=order)
                if order == "custom":
                    p["sampler_order"] = CUSTOM
                out.append((f"{name}/{index}/{order}", logits, history, p, draw, mu))
    return out


def large_more_cases():
    """A few 50257-token cases through the band index."""
    rng = random.Random(50257)
    logits = random_logits(rng, 50257, spikes=30)
    history = [rng.randrange(50257) for _ in range(60)]
    history += history[10:20] + history[10:14]
    chosen = [{"xtc_probability": 1.0, "xtc_threshold": 0.05, "temperature": 1.5},
              {"mirostat": 2, "mirostat_tau": 5.0}, {"mirostat": 1, "mirostat_tau": 5.0},
              {"dynatemp_range": 0.5, "top_p": 0.95}, {"top_a": 0.05},
              {"tfs": 0.95}, {"smoothing_factor": 0.3, "min_p": 0.01},
              {"dry_multiplier": 0.8, "temperature": 2.0, "top_p": 0.8}]
    return [(f"gpt2_size/{i}/{order}", logits, history, dict(p, order=order), 0.25, None)
            for i, p in enumerate(chosen) for order in ("webui", "llama.cpp")] + tail_cases()


def _shuffled(values, seed):
    """``values`` placed at a seeded permutation of the ids (ties then span random ids)."""
    ids = list(range(len(values)))
    random.Random(seed).shuffle(ids)
    out = [0.0] * len(values)
    for token, value in zip(ids, values):
        out[token] = value
    return out


def stairs_logits(size=50257):
    """A short head over a staircase of tied tokens (steps of 1025 tokens, 0.05 apart): the
    staircase holds a third of TFS's |second differences|, so a cut decided from the head
    alone would be wrong for every z (the head's own share exceeds z too early)."""
    head = [12.0 - 0.2 * i for i in range(16)]
    return _shuffled(head + [8.8 - 0.05 * (k // 1025) for k in range(size - 16)], 1)


def plateau_logits(size=50257):
    """For quadratic sampling (factor 0.3): 15,000 tokens 6.5-7.5 below the top hold ~1% of
    the rewritten mass; 7,500 tokens ~12 below hold ~1e-15 (each ~1e-19 of the top); 7,500
    ~12.4 below ~1e-16 (each under 1e-20, together above); the rest, 15-20 below, ~1e-27:
    the sums may stop only before that last group."""
    rng = random.Random(2)
    head = [10.0 - 0.5 * i for i in range(7)]
    near = [10.0 - rng.uniform(6.5, 7.5) for _ in range(15000)]
    far = [10.0 - rng.uniform(12.0, 12.1) for _ in range(7500)]
    farther = [10.0 - rng.uniform(12.4, 12.5) for _ in range(7500)]
    farthest = [10.0 - rng.uniform(15.0, 20.0) for _ in range(size - 30007)]
    return _shuffled(head + near + far + farther + farthest, 3)


def tail_cases():
    """50,257-token vocabularies whose tails decide TFS's cut or weigh in quadratic
    sampling's normaliser (the engine computes heads and bounds the rest)."""
    stairs, plateau = stairs_logits(), plateau_logits()
    out = [(f"stairs/{z}/{order}", stairs, [], {"tfs": z, "order": order}, 0.5, None)
           for z in (0.3, 0.6, 0.8, 0.95) for order in ("webui", "llama.cpp")]
    out.append(("stairs/t/webui", stairs, [], {"tfs": 0.7, "temperature": 0.6,
                                                "order": "webui"}, 0.5, None))
    chosen = [{"smoothing_factor": 0.3}, {"smoothing_factor": 0.3, "tfs": 0.9},
              {"smoothing_factor": 0.3, "min_p": 1e-7, "xtc_probability": 1.0},
              {"smoothing_factor": 0.25, "smoothing_curve": 2.0, "top_a": 1e-6},
              {"smoothing_factor": 0.3, "temperature": 1.3, "dynatemp_range": 0.5},
              {"smoothing_factor": 0.3, "top_n_sigma": 1.5, "eta": 1e-9},
              {"smoothing_factor": 0.3, "mirostat": 2, "mirostat_tau": 30.0}]
    out += [(f"plateau/{i}/webui", plateau, [], dict(p, order="webui"), 0.2, None)
            for i, p in enumerate(chosen)]
    out += [(f"plateau/{i}/llama.cpp", plateau, [], dict(p, order="llama.cpp"), 0.2, None)
            for i, p in enumerate(chosen[:4])]
    return out
