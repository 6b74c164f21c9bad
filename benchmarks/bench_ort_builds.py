"""Benchmark: onnxruntime-web's WebAssembly builds on one model, at 1 thread and at all threads.

    .venv/bin/python -m benchmarks.bench_ort_builds [--site DIR] [--rounds N] [--steps N] [--out FILE]

Which build a page ships is part of its speed. onnxruntime-web has three WebAssembly builds:
the plain one (``ort.wasm.min.mjs``), the JSPI one (``ort.jspi.min.mjs``; the site's, where the
browser has JSPI) and the asyncify one that its WebGPU bundle carries (``ort.webgpu.min.mjs``),
which transformers.js loads for ``device: "wasm"`` too (results.json, details' tfjs_wasm_file).
This runs each, and the asyncify build of transformers.js's own onnxruntime-web, on the built
site's model (``--site``, default the one benchmarks/run.py built) in headless Chromium, through
the site's own ``Model``: a fresh worker per measurement on a cross-origin-isolated page (so it
may use threads), a 10-token prefill, then ``--steps`` one-token steps after 5 not timed. The
rounds interleave builds and thread counts, so that drift in the machine's load touches all;
each measurement starts once the load average is below 1.5 (``common.wait_for_quiet``), and the
load at its start is recorded. Writes benchmarks/out/ort_builds.json and prints a table of
ms/token (median of every round's steps, and the spread of the rounds' medians).
"""
import argparse
import os
import statistics
import sys
from pathlib import Path

from benchmarks import chromium, common, serve, transformersjs
from benchmarks.run import DEFAULT_TFJS, prompt_ids

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SITE = ROOT / "benchmarks" / "out" / "run" / "site"
DEFAULT_OUT = ROOT / "benchmarks" / "out" / "ort_builds.json"
# name: (served directory of an onnxruntime-web dist, its module script)
BUILDS = {"plain": ("ort", "ort.wasm.min.mjs"), "jspi": ("ort", "ort.jspi.min.mjs"),
          "asyncify": ("ort", "ort.webgpu.min.mjs"), "transformers.js asyncify": ("tfjs-ort", "ort.webgpu.min.mjs")}
PAGE = "pages/bench.html?worker=ort_build_worker.js"
WARMUP = 5


def measure(site: Path, rounds: int, steps: int, threads_all: int, log=print, patience_s: float = 900) -> dict:
    """{builds: {name: {threads: summary}}, ...}; ``patience_s``: how long each measurement may
    wait for the machine to be quiet (0: not at all, for the harness's own test)."""
    tfjs = transformersjs.install(DEFAULT_TFJS)
    root = serve.make_root(ROOT / "benchmarks" / "out" / "ort_builds_root", site,
                           ort=common.NODE_MODULES / "onnxruntime-web" / "dist", **{"tfjs-ort": tfjs["ort_dist"]})
    ids = prompt_ids(site / "model")
    runs = {(name, n): [] for name in BUILDS for n in (1, threads_all)}
    with serve.servers(root) as urls, chromium.profile() as session:
        for round_ in range(rounds):
            for (name, n), found in runs.items():
                load = common.wait_for_quiet(patience_s=patience_s)
                dist, module = BUILDS[name]
                call = chromium.open_bench(session.page, urls["isolated"] + PAGE)
                out = call("decode", dist=dist, module=module, threads=n, prompt=ids, steps=steps, warmup=WARMUP)
                if out["threads"] != n or not out["isolated"]:
                    raise RuntimeError(f"{name} ran on {out['threads']} threads (isolated: {out['isolated']}), not {n}")
                found.append({"times": out["times"], "load": load})
                log(f"round {round_ + 1}, {name}, {n} thread{'s' * (n > 1)}: "
                    f"{statistics.median(out['times']):.1f} ms/token (load {load:.1f})")
        if session.errors:
            raise RuntimeError(f"the benchmark page reported errors: {session.errors[:3]}")
    return {"chromium": session.version, "onnxruntime-web": common.machine()["onnxruntime-web"],
            "transformers.js onnxruntime-web": tfjs["onnxruntime-web"], "rounds": rounds, "steps": steps,
            "load_average": [r["load"] for found in runs.values() for r in found],
            "builds": {name: {str(n): summary(runs[name, n]) for n in (1, threads_all)} for name in BUILDS}}


def summary(found: list) -> dict:
    medians = [statistics.median(r["times"]) for r in found]
    every = [t for r in found for t in r["times"]]
    return {**common.summarize(every), "round_medians": medians}


def table(results: dict) -> str:
    cols = list(next(iter(results["builds"].values())))
    lines = ["| build | " + " | ".join(f"{n} thread{'s' * (n != '1')}, ms/token" for n in cols) + " |",
             "|---|" + "---:|" * len(cols)]
    for name, by_threads in results["builds"].items():
        cells = [f"{s['median']:.1f} ({min(s['round_medians']):.1f}–{max(s['round_medians']):.1f})"
                 for s in by_threads.values()]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    loads = results["load_average"]
    return "\n".join(lines) + (f"\n\nMedian of every step (range of the {results['rounds']} rounds' medians); "
                               f"load average {min(loads):.1f}–{max(loads):.1f} at the measurements' starts.")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--site", type=Path, default=DEFAULT_SITE, help="a built site (default: benchmarks/run.py's)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    if not (args.site / "manifest.json").is_file():
        print(f"error: --site {args.site} holds no built site (no manifest.json); build one with "
              "build.py --out or run benchmarks/run.py first", file=sys.stderr)
        return 1
    threads_all = max(1, min(4, len(os.sched_getaffinity(0))))  # as the site's threadCount()
    results = measure(args.site, args.rounds, args.steps, threads_all)
    common.write_json(args.out, results)
    print(table(results))
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
