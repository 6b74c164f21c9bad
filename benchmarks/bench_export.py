#!/usr/bin/env python3
"""Measure every export variant: download size, decode speed (native and in the browser), fidelity.

    python -m benchmarks.bench_export --model DIR      # DIR made with GPT-2 small's shape if missing

For each variant (fp32, int8, q4, q4h8) it exports the model (or reuses the cache), lays out a
model-only site, and reports: total MB of graph + shards, native onnxruntime decode ms/token
with 1 and 2 threads, onnxruntime-web decode ms/token in headless Chromium (WASM, 1 thread,
through the site's own model.js), and the export's fidelity to float32 (top-1 agreement, mean
KL). Decode times are medians over --steps one-token steps after a 10-token prompt, the first
step not counted. Results go to stdout as a Markdown table and to benchmarks/out/export.json.
"""
import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PROMPT = "The quick brown fox jumps over the lazy dog again"  # 10 GPT-2 tokens
VARIANTS = ("fp32", "int8", "q4", "q4h8")


def native_decode_ms(site, prompt, steps, threads):
    from export.model.onnx_runner import OnnxLM

    lm = OnnxLM(site, threads=threads)
    logits = lm.step(prompt)
    times = []
    for _ in range(steps + 1):
        start = time.perf_counter()
        logits = lm.step([int(logits.argmax())])
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times[1:])


def measure(variant, source, cache_dir, work, browser, prompt, steps):
    from benchmarks.export_wasm import model_site, run_in_browser
    from export.model.onnx_export import ExportSettings, export_model

    start = time.perf_counter()
    export = export_model(source, cache_dir, ExportSettings(variant=variant))
    export_s = time.perf_counter() - start
    site = model_site(export, source, work / variant)
    page = run_in_browser(browser, site, prompt, steps + 1)
    fidelity = export.record["fidelity"]
    from export.model.onnx_runner import OnnxLM

    same_tokens = page["ids"] == OnnxLM(site).greedy(prompt, steps + 1)
    return {"variant": variant, "browser_tokens_match_native": same_tokens, "mb": export.record["bytes"] / 1e6, "shards": len(export.record["shards"]),
            "export_s": export_s if export.fresh else None,
            "native_ms_1": native_decode_ms(site, prompt, steps, 1),
            "native_ms_2": native_decode_ms(site, prompt, steps, 2),
            "browser_ms": statistics.median(page["decode"][1:]), "browser_load_ms": page["load"],
            "top1": fidelity["top1"], "kl": fidelity["kl"], "positions": fidelity["positions"]}


def table(rows) -> str:
    lines = ["| variant | MB | shards | browser ms/token (WASM, 1 thread) | native ms/token (1 / 2 threads) "
             "| top-1 agreement | mean KL (nats) |", "|---|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        lines.append(f"| {r['variant']} | {r['mb']:.1f} | {r['shards']} | {r['browser_ms']:.0f} | "
                     f"{r['native_ms_1']:.1f} / {r['native_ms_2']:.1f} | {r['top1']:.1%} | {r['kl']:.2e} |")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", type=Path, required=True,
                        help="checkpoint directory; created with GPT-2 small's shape (random weights) if missing")
    parser.add_argument("--cache-dir", type=Path, default=ROOT / ".cache" / "exports")
    parser.add_argument("--steps", type=int, default=20, help="timed one-token steps per measurement")
    parser.add_argument("--variants", default=",".join(VARIANTS))
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "out" / "export.json")
    args = parser.parse_args(argv)

    from export.model.source import resolve
    from tests.browser import chromium
    from tests.models import gpt2_tokenizer, make_gpt2

    if not (args.model / "config.json").exists():
        print(f"making {args.model}: GPT-2 small's architecture with random weights", flush=True)
        make_gpt2(args.model)
    source = resolve(str(args.model))
    prompt = gpt2_tokenizer().encode(PROMPT)
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-export-") as work, chromium() as browser:
        for variant in args.variants.split(","):
            rows.append(measure(variant, source, args.cache_dir, Path(work), browser, prompt, args.steps))
            print(json.dumps(rows[-1]), flush=True)
    print(table(rows))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"model": str(args.model), "rows": rows}, indent=1))


if __name__ == "__main__":
    main()
