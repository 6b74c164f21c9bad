#!/usr/bin/env python3
"""Benchmark the site against native onnxruntime and transformers.js, all in one run.

    python -m benchmarks.run --model DIR [--variant auto|fp32|int8|q4] [--quick] [--out DIR] [--work DIR]

DIR is a GPT-2-family checkpoint directory or a Hugging Face Hub id; a directory that does not
exist is created with GPT-2 small's architecture (GPT2Config()) and random weights: the same
bytes and compute as GPT-2 small. The run exports the model (timed, per variant), builds the
site once, then measures every row on that one ONNX file: this site in headless Chromium
(1 thread, and all threads when cross-origin isolated), native onnxruntime (1 and as many
threads) and transformers.js (same browser, same file, same thread counts).

Writes OUT/results.json and OUT/results.md (OUT defaults to benchmarks/) and prints the
tables; with the default OUT it also refreshes the tables in docs/benchmarks.md and README.md.
"""
import argparse
import datetime
import json
import os
import re
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

from tests.browser import chromium
from benchmarks import common, exports, native, publish, report, serve, site_engine, site_page
from benchmarks import bench_memory, bench_playground, bench_runtime, bench_story, transformersjs

DEFAULT_OUT = ROOT / "benchmarks"
DEFAULT_WORK = ROOT / "benchmarks" / "out" / "run"
DEFAULT_TFJS = ROOT / "benchmarks" / "out" / "transformersjs"
HUB_ID = re.compile(r"[\w.-]+/[\w.-]+")
MAX_PUBLISHED_LOAD = common.QUIET_LOAD  # a run whose load average at a step's start went higher is not published
RANDOM_MARKER = "RANDOM_WEIGHTS.txt"  # left in checkpoints this script made, so tables say so


def checkpoint(spec: str, log) -> tuple:
    """``(spec, random_weights)``: an existing directory or a Hub id (owner/name, the owner not a
    local directory) as is; any other path gets GPT-2 small's architecture with random weights."""
    path = Path(spec).expanduser()
    if path.exists():
        return spec, (path / RANDOM_MARKER).is_file()
    if HUB_ID.fullmatch(spec) and not Path(spec.split("/")[0]).exists():
        return spec, False  # export.source downloads it
    from tests.models import make_gpt2

    log(f"{spec} does not exist: creating GPT-2 small's architecture with random weights there")
    partial = path.with_name(path.name + ".partial")  # renamed when complete: never half a checkpoint
    shutil.rmtree(partial, ignore_errors=True)
    make_gpt2(partial)
    (partial / RANDOM_MARKER).write_text("GPT2Config() with random weights (torch seed 0), made by "
                                      "benchmarks/run.py: GPT-2 small's bytes and compute, not its text.\n")
    partial.rename(path)
    return str(path), True


def prompt_ids(model_dir: Path) -> list:
    """The benchmark prompt in the model's own tokenizer (vocab.json and merges.txt, read by the
    site's tokenizer); every engine is fed these ids."""
    from nexttoken.tokenizer import Tokenizer

    vocab, merges = (model_dir / "vocab.json").read_text(), (model_dir / "merges.txt").read_text()
    ids = Tokenizer.from_strings(vocab, merges).encode(common.PROMPT)
    if len(ids) != common.PROMPT_TOKENS:
        raise SystemExit(f"error: the benchmark prompt is {len(ids)} tokens in this model's tokenizer, "
                         f"not {common.PROMPT_TOKENS}; use a checkpoint with GPT-2's tokenizer")
    return ids


def build_site(spec: str, work: Path, settings, variant: str, log) -> tuple:
    """Export (timed, per variant) and build the site once; returns (site, export figures, source)."""
    from export.site import build
    from export.model.onnx_export import ExportSettings
    from export.model.source import resolve

    source = resolve(spec)
    cache = work / "exports"
    figures = exports.measure(source, cache, prompt_ids(source.path), settings.variant_steps, log)
    site = work / "site"
    build.build(model=spec, out=site, cache_dir=cache, log=log, export_settings=ExportSettings(variant=variant))
    return site, figures, source


def measure_all(site: Path, work: Path, checkpoint_dir: Path, settings, log, tfjs_dir=DEFAULT_TFJS) -> dict:
    """Every browser and native measurement, on the built site's one ONNX file."""
    ids = prompt_ids(site / "model")
    tfjs = transformersjs.install(tfjs_dir)
    tfjs_options = transformersjs.layout_model(work / "models", site, checkpoint_dir)
    root = serve.make_root(work / "root", site, tfjs=tfjs["dist"], models=work / "models",
                           **{"tfjs-ort": tfjs["ort_dist"]})
    out = {"transformers.js": tfjs["version"],
           "transformers.js onnxruntime-web": tfjs["onnxruntime-web"], "by_mode": {}}
    with serve.servers(root) as urls:
        # Each mode's engines run back to back, so that a pair's ratio sees the same machine load.
        for mode, column in (("plain", "1"), ("isolated", "all")):
            log(f"site engine, {mode}")
            engine = site_engine.measure(urls[mode], ids, settings)
            n = engine["threads"]  # native and transformers.js run at the thread count the site got
            log(f"native onnxruntime, {n} thread{'s' * (n > 1)}")
            out[f"native_{column}"] = native.measure(site, urls["plain"] + "site/", ids, n, settings)
            log(f"transformers.js, {mode}")
            tj = transformersjs.measure(urls[mode], ids, n, settings, tfjs_options)
            log(f"site page, {mode}")
            page = site_page.measure(urls[mode], common.PROMPT, settings)
            out["by_mode"][mode] = {"engine": engine, "page": page, "tfjs": tj}
            out["chromium"] = engine["chromium"]
        out["threads"] = out["by_mode"]["isolated"]["engine"]["threads"]
        log("the real page's load and generation (bench_runtime.py)")
        with chromium() as browser:  # isolated here means through the site's service worker
            for mode in ("plain", "isolated"):
                out["by_mode"][mode]["runtime"] = bench_runtime.measure(
                    browser, urls["plain"] + "site/", mode == "isolated", ids, settings.decode_steps)
    log("the story page (bench_story.py)")
    out["story"] = {name: bench_story.measure(site, settings.loads, *size)["runs"]
                    for name, size in report.VIEWPORTS.items()}
    log("the playground's engine calls (bench_playground.py)")
    out["playground"] = bench_playground.measure(site, settings.clicks)
    log("peak browser memory, the site and transformers.js (bench_memory.py)")
    variant = json.loads((site / "manifest.json").read_text())["model"]["variant"]
    steps = settings.decode_steps * 2
    out["memory"] = {"steps": steps, "by_variant": {variant: bench_memory.measure_site(
        site, common.PROMPT, ids, steps, peers=True, checkpoint=checkpoint_dir, log=log)}}
    return out


def _cells(measured: dict) -> tuple:
    """The runtime table's cells and the site table's, keyed by row, then column."""
    modes = {"1": measured["by_mode"]["plain"], "all": measured["by_mode"]["isolated"]}
    runtime = {row: {} for row, _ in report.RUNTIME_ROWS}
    site = {row: {} for row, _ in report.SITE_ROWS}
    for n, mode in modes.items():
        engine, page = mode["engine"]["rows"], {**mode["page"]["rows"], **_runtime_rows(mode["runtime"])}
        ours = {"session_network": engine["model_network"], "session_cache": engine["model_cache"],
                "prefill": engine["prefill"], "decode": engine["decode"], "generate_loop": page["generate_loop"]}
        for row, _ in report.RUNTIME_ROWS:
            runtime[row].update({f"site_{n}": ours[row], f"native_{n}": measured[f"native_{n}"]["rows"][row],
                                 f"tfjs_{n}": mode["tfjs"]["rows"][row]})
        for row, _ in report.SITE_ROWS:
            site[row][n] = {**engine, **page}[row]
    return runtime, site


def _runtime_rows(figures: dict) -> dict:
    """bench_runtime.py's one load from the network and one from cache, as single figures."""
    return {row: common.single(figures[key], "ms") for row, key in report.RUNTIME_SCRIPT_ROWS.items()}


def _details(measured: dict) -> dict:
    """What the tables leave out: thread counts as observed, per-setting and per-scope figures."""
    return {mode: {"site_threads": v["engine"]["threads"], "isolated": v["engine"]["isolated"],
                   "tfjs_threads": v["tfjs"]["threads"], "tfjs_wasm_file": v["tfjs"]["wasm"],
                   "page_info": v["page"]["info"],
                   "sampling_ms_by_setting": v["engine"]["sampling_by_setting"],
                   "sampling_prepare_ms": v["engine"]["sampling_prepare_ms"],
                   "tokenizer_passage_tokens": v["engine"]["tokenizer_tokens"],
                   "tokenizer_warm": v["engine"]["rows"]["tokenizer_warm"],
                   "first_token_inserted": v["page"]["rows"]["first_token_inserted"],
                   "js_heap_by_scope_mb": v["page"]["memory_by_scope_mb"],
                   "bench_runtime": {k: x for k, x in v["runtime"].items() if k != "raw"}}
            for mode, v in measured["by_mode"].items()}


def _load_range(loads: list) -> str:
    return f"{min(loads):.1f}–{max(loads):.1f} (1-minute, at the start of each step of the run)"


def assemble(measured: dict, figures: dict, site: Path, source, random_weights: bool, settings,
             variant: str = "auto", loads=()) -> dict:
    """results.json: the machine, the model, every cell, the ratios and the goals."""
    flags = ([] if variant == "auto" else ["--variant", variant]) + (["--quick"] if settings.quick else [])
    m = json.loads((site / "manifest.json").read_text())["model"]
    runtime, site_cells = _cells(measured)
    pairs = report.ratios(runtime)
    weights = "random weights, " if random_weights else ""
    return {
        "command": " ".join(["python -m benchmarks.run --model", source.spec, *flags]),
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "machine": {**common.machine(), "chromium": measured["chromium"],
                    "transformers.js": measured["transformers.js"],
                    "transformers.js onnxruntime-web": measured["transformers.js onnxruntime-web"],
                    "load_average": _load_range(loads or [os.getloadavg()[0]])},
        "settings": settings.as_dict(),
        "model": {"spec": source.spec, "random_weights": random_weights, "variant": m["variant"],
                  "bytes": m["bytes"],
                  "description": f"{source.spec} ({weights}{m['n_layer']} layers, width {m['n_embd']}, "
                                 f"{m['n_head']} heads, vocabulary {m['vocab_size']})"},
        "threads": measured["threads"],
        "runtime": runtime,
        "site": site_cells,
        "ratios": pairs,
        "goals": report.goals(site_cells, pairs, measured["threads"]),
        "story": report.story_cells(measured["story"]),
        "playground": measured["playground"],
        "memory": measured["memory"],
        "artifacts": figures["artifacts"],
        "export_seconds": figures["export_seconds"],
        "details": _details(measured),
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", required=True,
                        help="GPT-2-family checkpoint directory or Hub id; a missing directory gets random "
                             "GPT-2 small weights")
    parser.add_argument("--variant", default="auto",
                        help="the built site's weights, as build.py's --variant (default auto: the smallest "
                             "faithful one; random weights usually leave fp32)")
    parser.add_argument("--quick", action="store_true", help="few repetitions: checks the harness, not the speed")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="where results.json and results.md go")
    parser.add_argument("--work", type=Path, default=DEFAULT_WORK,
                        help="scratch space: exports, the built site (default benchmarks/out/run)")
    args = parser.parse_args(argv)
    started = time.perf_counter()

    # The machine's 1-minute load average as each step starts, once the previous step's own
    # threads have died down (common.wait_for_quiet): what is left is other work, which skews
    # timings. --quick checks the harness and does not wait.
    loads = []
    patience = {"s": 0 if args.quick else 900}

    def log(message):
        loads.append(common.wait_for_quiet(patience_s=patience["s"]))
        if loads[-1] >= MAX_PUBLISHED_LOAD:
            patience["s"] = 0  # it did not quiet down: this run will not be published, so wait no more
        print(f"[{time.perf_counter() - started:6.0f} s] {message}", flush=True)

    from export.errors import BuildError

    settings = common.Settings.quick_check() if args.quick else common.Settings()
    spec, random_weights = checkpoint(args.model, log)
    try:
        site, figures, source = build_site(spec, args.work, settings, args.variant, log)
    except BuildError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    measured = measure_all(site, args.work, source.path, settings, log)
    results = assemble(measured, figures, site, source, random_weights, settings, args.variant, loads)
    table = report.markdown(results)
    common.write_json(args.out / "results.json", results)
    (args.out / "results.md").write_text(table, encoding="utf-8")
    if args.out.resolve() == DEFAULT_OUT.resolve() and max(loads) >= MAX_PUBLISHED_LOAD:
        print(f"not publishing to docs/benchmarks.md and README.md: a step started at a load average of "
              f"{max(loads):.1f} (below {MAX_PUBLISHED_LOAD} is published); rerun on a quiet machine", flush=True)
    elif args.out.resolve() == DEFAULT_OUT.resolve():
        publish.update_docs(table, report.summary(results), results["command"])
    print(table)
    log(f"wrote {args.out / 'results.json'} and {args.out / 'results.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
