"""Benchmark: Python's share of a generated token, in CPython and in Pyodide in headless Chromium.

    .venv/bin/python -m benchmarks.bench_choose [--runs 31] [--skip-chromium]

What ``nexttoken.worker_api.WorkerApi.choose_next`` does per token besides the model: the
choice, the top 10 it reports, and the chosen token's own probability under the model. Timed
for greedy and temperature 0.7 + top-p 0.9 on 50,257 model-like logits, through the quick path
(``sampling/fast/quick.py``, on the logits as the worker hands them over: in Pyodide the
runtime's ``Logits`` over a Float32Array, runtime/logits.js) and through the full one (the
logits converted to Python floats, ``prepare`` + ``result`` + ``sample``), each with the chip's
model probability (``Step.model_prob``); the two must choose the same tokens, which is checked
on every run.
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
import sys
import time
from array import array

from nexttoken.sampling import Rng, SamplingParams, sample
from nexttoken.sampling.fast import quick
from nexttoken.step import Step

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
    step = Step(logits.tolist(), [])
    result = step.prepared.result(params)
    token = sample(result, rng)
    step.model_prob(token)  # the chip's "the model alone" figure
    return token, result.top(10)


def handed_over(logits):
    """What the worker hands Python: in the browser, the runtime's Logits over the model's
    Float32Array (made before the clock starts, as the model makes it)."""
    if sys.platform != "emscripten":
        return logits
    from js import Float32Array, Logits
    from pyodide.ffi import to_js

    return Logits.new(Float32Array.new(to_js(logits.tolist())))


def fast(logits, params, rng):
    step = Step(logits[1], [])
    token, top = quick.choose(step.logits, [], params, rng, 10)
    step.model_prob(token)  # the chip's "the model alone" figure
    return token, top


def full_of(pair, params, rng):
    return full(pair[0], params, rng)


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


steps = [(logits, handed_over(logits)) for logits in map(logits_like_a_model, range(RUNS))]
result = {}
for name, params in SETTINGS.items():
    quick_ms, quick_tokens = timed(fast, steps, params)
    full_ms, full_tokens = timed(full_of, steps, params)
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
