"""Benchmark: the sampling engine on 50257 logits, in CPython and in Pyodide in headless Chromium.

    .venv/bin/python -m benchmarks.bench_sampling [--runs 31] [--skip-chromium]

Measures ``prepare`` (once per model step), building the band index, and for several
settings the time to recompute after a parameter change, both as the full-length list
(``Prepared.distribution``) and as the compact result the page draws from
(``Prepared.result(...).top(10)``). Each run nudges the setting's main parameter, as a slider
does. Prints a table of medians (min-max) in ms and writes benchmarks/out/sampling.json.
"""
import argparse
import json
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# The measured code: runs unchanged in CPython and in Pyodide; sets ``result``.
BODY = r'''
import random
import time

from nexttoken.sampling import SamplingParams, prepare

SIZE = 50257


def logits_like_a_model(seed=0):
    """N(0, 2) logits with 30 tokens raised by 6..14: a peaked head over a long flat tail
    (top token ~0.41, entropy ~2.2 nats at T = 1), fixed by the seed."""
    rng = random.Random(seed)
    logits = [rng.gauss(0.0, 2.0) for _ in range(SIZE)]
    for token in rng.sample(range(SIZE), 30):
        logits[token] += rng.uniform(6.0, 14.0)
    return logits, [rng.randrange(SIZE) for _ in range(100)]


ALL_ON = dict(top_k=40, top_p=0.95, min_p=0.05, typical_p=0.95, epsilon=3e-4, eta=1e-3,
              top_n_sigma=2.0, repetition_penalty=1.2, presence_penalty=0.3,
              frequency_penalty=0.3, no_repeat_ngram_size=3)
# name -> parameters for run i (the nudge stands for a slider move)
SETTINGS = {
    "defaults": lambda i: SamplingParams(),
    "temperature 0.7 + top_p 0.9": lambda i: SamplingParams(temperature=0.7 + i * 1e-3, top_p=0.9),
    "top_k 40": lambda i: SamplingParams(top_k=40, temperature=1.0 + i * 1e-3),
    "min_p 0.05": lambda i: SamplingParams(min_p=0.05 + i * 1e-4),
    "all on": lambda i: SamplingParams(temperature=0.8 + i * 1e-3, **ALL_ON),
    "penalties, 100-token history": lambda i: SamplingParams(
        repetition_penalty=1.3 + i * 1e-3, presence_penalty=0.5, frequency_penalty=0.5),
    "temperature 1.5 (nothing cut)": lambda i: SamplingParams(temperature=1.5 + i * 1e-3),
    "temperature 2 + top_p 0.8": lambda i: SamplingParams(temperature=2.0 + i * 1e-3, top_p=0.8),
    "same, llama.cpp order": lambda i: SamplingParams(temperature=2.0 + i * 1e-3, top_p=0.8,
                                                      order="llama.cpp"),
    "typical_p 0.9": lambda i: SamplingParams(typical_p=0.9 - i * 1e-4),
    "eta 1e-3": lambda i: SamplingParams(eta=1e-3 + i * 1e-6),
    # the samplers of issue 17 (webui's and llama.cpp's suggested settings where they have one)
    "DRY 0.8/1.75/2": lambda i: SamplingParams(dry_multiplier=0.8 + i * 1e-3),
    "XTC 0.1, probability 1": lambda i: SamplingParams(xtc_threshold=0.1 + i * 1e-4,
                                                       xtc_probability=1.0),
    "Mirostat v2, tau 5": lambda i: SamplingParams(mirostat=2, mirostat_tau=5.0 + i * 1e-3),
    "Mirostat v1, tau 5 (llama.cpp)": lambda i: SamplingParams(
        mirostat=1, mirostat_tau=5.0 + i * 1e-3, order="llama.cpp"),
    "dynamic temperature 1 +- 0.5": lambda i: SamplingParams(dynatemp_range=0.5 + i * 1e-3),
    "top_a 0.2": lambda i: SamplingParams(top_a=0.2 + i * 1e-4),
    "tfs 0.95": lambda i: SamplingParams(tfs=0.95 - i * 1e-4),
    "quadratic 0.3": lambda i: SamplingParams(smoothing_factor=0.3 + i * 1e-3),
    "webui order, new ones on": lambda i: SamplingParams(
        temperature=0.8 + i * 1e-3, min_p=0.02, dry_multiplier=0.8, xtc_probability=0.5,
        top_a=0.1, tfs=0.97, smoothing_factor=0.2, order="webui"),
}


def timed(call, runs):
    times = []
    for i in range(runs):
        start = time.perf_counter()
        call(i)
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return {"median": times[len(times) // 2], "min": times[0], "max": times[-1]}


def measure(runs):
    logits, history = logits_like_a_model()
    out = {"prepare": timed(lambda i: prepare(logits, history), max(5, runs // 3))}
    out["index"] = timed(lambda i: prepare(logits, history).index(), 3)
    prepared = prepare(logits, history).index()
    settings = {}
    for name, params in SETTINGS.items():
        prepared.distribution(params(0))  # warm the caches a slider would have warmed
        full = timed(lambda i: prepared.distribution(params(i)), runs)
        compact = timed(lambda i: prepared.result(params(i)).top(10), runs)
        settings[name] = {"distribution": full, "result_top10": compact,
                          "kept": prepared.result(params(0)).kept}
    out["settings"] = settings
    return out


result = measure(RUNS)
'''


def run_cpython(runs):
    scope = {"RUNS": runs}
    exec(BODY, scope)
    return scope["result"]


def run_chromium(runs):
    from tests.pyodide import run_in_chromium_pyodide

    return run_in_chromium_pyodide(f"RUNS = {runs}\n" + BODY, timeout=900)


def table(results) -> str:
    cell = lambda t: f"{t['median']:7.2f} ({t['min']:.2f}-{t['max']:.2f})"  # noqa: E731
    engines = [engine for engine in results if engine != "load"]
    lines = [f"{'ms: median (min-max)':34}" + "".join(
        f"| {engine + ' distribution':29}| {engine + ' result.top(10)':29}" for engine in engines)]
    for name in ("prepare", "index"):
        lines.append(f"{name:34}" + "".join(
            f"| {cell(results[e][name]):29}| {'':29}" for e in engines))
    for name in results[engines[0]]["settings"]:
        row = f"{name + ' [' + str(results[engines[0]]['settings'][name]['kept']) + ' kept]':34}"
        for engine in engines:
            s = results[engine]["settings"][name]
            row += f"| {cell(s['distribution']):29}| {cell(s['result_top10']):29}"
        lines.append(row)
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=31, help="timed runs per setting")
    parser.add_argument("--skip-chromium", action="store_true", help="CPython only")
    args = parser.parse_args()
    load_before = os.getloadavg()[0]
    results = {"cpython": run_cpython(args.runs)}
    if not args.skip_chromium:
        results["pyodide-chromium"] = run_chromium(args.runs)
    load = {"before": load_before, "after": os.getloadavg()[0], "cpus": os.cpu_count()}
    print(table(results))
    print(f"\nload average {load['before']:.1f} before, {load['after']:.1f} after "
          f"({load['cpus']} CPUs): other work on the machine inflates medians and maxima")
    out = ROOT / "benchmarks" / "out"
    out.mkdir(parents=True, exist_ok=True)
    (out / "sampling.json").write_text(json.dumps(dict(results, load=load), indent=1))
    print(f"\nwritten: {out / 'sampling.json'}")


if __name__ == "__main__":
    main()
