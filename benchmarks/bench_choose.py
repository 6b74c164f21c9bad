"""Benchmark: Python's share of a generated token, in CPython and in Pyodide in headless Chromium.

    .venv/bin/python -m benchmarks.bench_choose [--runs 31] [--skip-chromium]

What ``nexttoken.worker_api.WorkerApi.choose_next`` does per token besides the model: the logits
(a float32 array, as the worker hands them over) to Python floats, the choice, and the top 10
it reports. Timed for greedy and temperature 0.7 + top-p 0.9 on 50,257 model-like logits,
through the quick path (``sampling/fast/quick.py``) and through the full one (``prepare`` +
``result`` + ``sample``); the two must choose the same tokens, which is checked on every run.
Prints medians (min-max) in ms and the load average, and writes benchmarks/out/choose.json.
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
from array import array

from nexttoken.sampling import Rng, SamplingParams, prepare, sample
from nexttoken.sampling.fast import quick

SIZE = 50257
SETTINGS = {"greedy": SamplingParams(temperature=0.0),
            "temperature 0.7 + top-p 0.9": SamplingParams(temperature=0.7, top_p=0.9)}


def logits_like_a_model(seed):
    """N(0, 2) logits with 30 tokens raised by 6..14, as float32 (what the model hands over)."""
    rng = random.Random(seed)
    logits = [rng.gauss(0.0, 2.0) for _ in range(SIZE)]
    for token in rng.sample(range(SIZE), 30):
        logits[token] += rng.uniform(6.0, 14.0)
    return memoryview(array("f", logits))


def full(logits, params, rng):
    result = prepare(logits.tolist(), []).result(params)
    return sample(result, rng), result.top(10)


def fast(logits, params, rng):
    return quick.choose(logits.tolist(), [], params, rng, 10)


def timed(call, steps, params):
    times, tokens = [], []
    rng = Rng(1)
    for logits in steps:
        start = time.perf_counter()
        answer = call(logits, params, rng)
        times.append((time.perf_counter() - start) * 1000)
        tokens.append(answer[0])
    times.sort()
    return {"median": times[len(times) // 2], "min": times[0], "max": times[-1]}, tokens


steps = [logits_like_a_model(seed) for seed in range(RUNS)]
result = {}
for name, params in SETTINGS.items():
    quick_ms, quick_tokens = timed(fast, steps, params)
    full_ms, full_tokens = timed(full, steps, params)
    if quick_tokens != full_tokens:
        raise AssertionError(f"{name}: the quick path chose other tokens than the full path")
    result[name] = {"quick": quick_ms, "full": full_ms}
'''


def run_cpython(runs):
    scope = {"RUNS": runs}
    exec(BODY, scope)
    return scope["result"]


def run_chromium(runs):
    from tests.pyodide import run_in_chromium_pyodide

    return run_in_chromium_pyodide(f"RUNS = {runs}\n" + BODY, timeout=900)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=31, help="model steps (logit vectors) per setting")
    parser.add_argument("--skip-chromium", action="store_true", help="CPython only")
    args = parser.parse_args()
    load = [os.getloadavg()[0]]
    results = {"cpython": run_cpython(args.runs)}
    if not args.skip_chromium:
        results["pyodide-chromium"] = run_chromium(args.runs)
    load.append(os.getloadavg()[0])
    cell = lambda t: f"{t['median']:6.2f} ({t['min']:.2f}-{t['max']:.2f})"  # noqa: E731
    for engine, rows in results.items():
        for name, row in rows.items():
            print(f"{engine:17} {name:28} quick {cell(row['quick']):22} full {cell(row['full'])}")
    print(f"load average {load[0]:.1f} before, {load[1]:.1f} after ({os.cpu_count()} CPUs): "
          "timings above a load of 1.5 are inflated; rerun on a quiet machine")
    out = ROOT / "benchmarks" / "out"
    out.mkdir(parents=True, exist_ok=True)
    (out / "choose.json").write_text(json.dumps(dict(results, load_average=load), indent=1))
    print(f"written: {out / 'choose.json'}")


if __name__ == "__main__":
    main()
