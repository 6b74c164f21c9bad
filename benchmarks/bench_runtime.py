#!/usr/bin/env python3
"""The browser runtime, measured on the real page in headless Chromium.

    python -m benchmarks.bench_runtime --model DIR [--variant q4] [--steps 50]

DIR is a GPT-2-family checkpoint; when it does not exist, one with GPT-2 small's architecture
(GPT2Config(), random weights) is made there. The site is built once into
/tmp/nexttoken-bench-runtime/ and served on 127.0.0.1 by a plain static server (no special
headers). Two configurations: the service worker blocked (not cross-origin isolated: 1 WASM
thread) and allowed (it adds COOP/COEP: isolated, up to 4 threads). For each: time to Pyodide
ready and to session ready, from the network (an empty profile; the "network" is localhost, so
this is start-up work, not transfer time) and from cache (the page loaded again); prefill of a
10-token prompt and one-token decode steps (the model call alone, median of --steps);
generation as the page runs it (model plus Python sampling, per token); and main-thread long
tasks (over 50 ms) throughout. Prints a table and writes benchmarks/out/runtime.json.
"""
import argparse
import hashlib
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

WORK = Path("/tmp/nexttoken-bench-runtime")
OUT = ROOT / "benchmarks" / "out" / "runtime.json"
PROMPT = "The quick brown fox jumps over the lazy dog again"  # 10 GPT-2 tokens
TIMEOUT_MS = 900_000

OBSERVE_LONG_TASKS = """() => {
    window.longTasks = [];
    new PerformanceObserver((list) => window.longTasks.push(...list.getEntries().map((e) => e.duration)))
        .observe({type: "longtask"});
    window.takeLongTasks = () => window.longTasks.splice(0);
}"""

TIMED_LOAD = """async () => {
    const stages = {};
    const off = window.nexttoken.onProgress((p) => { if (p.ms != null) stages[p.stage] = p.ms; });
    const start = performance.now();
    const info = await window.nexttoken.load();
    const ready = performance.now() - start;
    off();
    return {info, python_ms: stages.python, ready_ms: ready, stages};
}"""

TIMED_GENERATE = """async ([prompt, n]) => {
    const times = [];
    const start = performance.now();
    await window.nexttoken.generate(prompt, {max_new_tokens: n, temperature: 0,
                                            onToken: () => times.push(performance.now())});
    return {first_ms: times[0] - start, per_token: times.slice(1).map((t, i) => t - times[i])};
}"""

# Runs in the engine worker: a second session from the same modules, timed call by call.
MODEL_CALLS = """async ({prompt, steps, prefills}) => {
    const base = new URL("./", self.location.href);
    const {loadModel} = await import(new URL("model.js", base).href);
    const {fetchManifest} = await import(new URL("fetch.js", base).href);
    const {threadCount} = await import(new URL("loader.js", base).href);
    const model = await loadModel(await fetchManifest(), null, {threads: threadCount()});
    const argmax = (xs) => xs.reduce((best, x, i) => (x > xs[best] ? i : best), 0);
    const timed = async (fn) => { const t = performance.now(); const out = await fn(); return [performance.now() - t, out]; };
    await model.forward(model.newCache(), prompt);  // warm-up
    const prefill = [];
    for (let i = 0; i < prefills; i++) prefill.push((await timed(() => model.forward(model.newCache(), prompt)))[0]);
    const cache = model.newCache();
    let logits = await model.forward(cache, prompt);
    const decode = [];
    for (let i = 0; i < steps + 3; i++) {
        const [ms, next] = await timed(() => model.forward(cache, [argmax(logits)]));
        if (i >= 3) decode.push(ms);  // the first steps warm up
        logits = next;
    }
    return {prefill, decode, threads: model.threads};
}"""


def ensure_model(path: Path) -> Path:
    if not path.exists():
        from tests.models import make_gpt2

        print(f"making a GPT-2 small checkpoint with random weights in {path}", flush=True)
        make_gpt2(path)
    return path


def ensure_site(model: Path, variant: str, work: Path = WORK) -> Path:
    """Build the site once per (model, variant) under ``work``; later runs reuse it."""
    from export.site import build
    from export.model.onnx_export import ExportSettings

    site = work / f"site-{variant}"
    # Rebuilt when the page's sources change (cheap: the export stays cached).
    sources = hashlib.sha256()
    for path in sorted((ROOT / "site_src").rglob("*")):
        if path.is_file():
            sources.update(path.relative_to(ROOT).as_posix().encode() + path.read_bytes())
    stamp = {"model": str(model.resolve()), "variant": variant, "site_src": sources.hexdigest()}
    stamp_file = work / f"{site.name}.json"
    if (site / "manifest.json").is_file() and stamp_file.is_file() and json.loads(stamp_file.read_text()) == stamp:
        return site
    work.mkdir(parents=True, exist_ok=True)
    print(f"building the site into {site} (once)", flush=True)
    build.build(model=str(model), out=site, cache_dir=work / "exports", log=lambda *a: None,
                export_settings=ExportSettings(variant=variant))
    stamp_file.write_text(json.dumps(stamp))
    return site


def wait_until_isolated(page, seconds=120):
    from playwright.sync_api import Error as PlaywrightError

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if page.evaluate("navigator.serviceWorker.controller !== null && crossOriginIsolated"):
                page.wait_for_load_state("load")
                return
        except PlaywrightError:
            pass  # the service worker's one reload
        page.wait_for_timeout(250)
    raise RuntimeError("the page never became cross-origin isolated")


def open_page(page, url, isolated):
    page.goto(url)
    if isolated:
        wait_until_isolated(page)
    page.evaluate(OBSERVE_LONG_TASKS)


def measure(browser, url, isolated, prompt_ids, steps):
    """One configuration: fresh storage, a load from the network, work, a load from cache."""
    context = browser.new_context(service_workers="allow" if isolated else "block")
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        open_page(page, url, isolated)
        take = lambda: page.evaluate("window.takeLongTasks()")  # noqa: E731
        long_tasks = {"before": take()}
        network = page.evaluate(TIMED_LOAD)
        long_tasks["network load"] = take()
        generation = page.evaluate(TIMED_GENERATE, [PROMPT, steps + 1])
        long_tasks["generation"] = take()
        worker = next(w for w in page.workers if w.url.endswith("/runtime/worker.js"))
        calls = worker.evaluate(MODEL_CALLS, {"prompt": prompt_ids, "steps": steps, "prefills": 5})
        long_tasks["model calls"] = take()
        page.reload()
        open_page(page, url, isolated)
        cache = page.evaluate(TIMED_LOAD)
        long_tasks["cache load"] = take()
    finally:
        context.close()
    if errors:
        raise RuntimeError(f"the page reported errors: {errors[:3]}")
    median = statistics.median
    return {
        "info": network["info"],
        "pyodide_ready_network_ms": network["python_ms"], "session_ready_network_ms": network["ready_ms"],
        "pyodide_ready_cache_ms": cache["python_ms"], "session_ready_cache_ms": cache["ready_ms"],
        "model_files_cache_ms": cache["stages"]["model-files"],
        # When each runtime's files were in and verified, and when it was up (loader.js stages).
        "stages_network_ms": network["stages"], "stages_cache_ms": cache["stages"],
        "prefill_10_ms": median(calls["prefill"]), "decode_ms_per_token": median(calls["decode"]),
        "generate_first_token_ms": generation["first_ms"],
        "generate_ms_per_token": median(generation["per_token"]),
        # Loading and generating, as a reader does them (the timed model calls are ours).
        "long_tasks": sum(len(long_tasks[p]) for p in ("network load", "generation", "cache load")),
        "long_tasks_by_phase": long_tasks,
        "raw": {"prefill": calls["prefill"], "decode": calls["decode"], "generate": generation["per_token"]},
    }


ROWS = [("Pyodide ready, from network (ms)", "pyodide_ready_network_ms"),
        ("Session ready, from network (ms)", "session_ready_network_ms"),
        ("Pyodide ready, from cache (ms)", "pyodide_ready_cache_ms"),
        ("Session ready, from cache (ms)", "session_ready_cache_ms"),
        ("Model's files read back and verified, from cache (ms)", "model_files_cache_ms"),
        ("Prefill, 10 tokens (ms)", "prefill_10_ms"),
        ("Decode, model call (ms/token, median)", "decode_ms_per_token"),
        ("Generate in the page (ms/token, median)", "generate_ms_per_token"),
        ("Main-thread long tasks > 50 ms, load + generate", "long_tasks")]


def table(results: dict) -> str:
    names = list(results)
    lines = [f"{'':42}" + "".join(f"{n:>24}" for n in names)]
    for label, key in ROWS:
        lines.append(f"{label:42}" + "".join(f"{results[n][key]:>24.0f}" for n in names))
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", type=Path, required=True, help="GPT-2 checkpoint (made if missing)")
    parser.add_argument("--variant", default="q4", help="export variant (default q4: the smallest download, which the real site ships when faithful)")
    parser.add_argument("--steps", type=int, default=50, help="decode steps to take the median of")
    args = parser.parse_args(argv)

    from export.site.manifest import read_manifest
    from tests.browser import chromium
    from tests.models import gpt2_tokenizer
    from tests.runtime.server import SiteServer

    site = ensure_site(ensure_model(args.model), args.variant)
    manifest = read_manifest(site)
    prompt_ids = gpt2_tokenizer().encode(PROMPT)
    load_before = os.getloadavg()
    results = {}
    with chromium() as browser, SiteServer(site) as server:
        for isolated in (False, True):
            print(f"measuring with the service worker {'allowed' if isolated else 'blocked'}", flush=True)
            result = measure(browser, server.url, isolated, prompt_ids, args.steps)
            threads = result["info"]["threads"]
            results[f"{threads} thread{'s' if threads > 1 else ''}, {'' if isolated else 'not '}isolated"] = result
        version = browser.version
    report = {"model": manifest["model"]["name"], "variant": manifest["model"]["variant"],
              "download_mb": round((sum(e["bytes"] for e in manifest["files"].values())
                                    + sum(e["bytes"] for e in manifest["runtimes"]["files"].values())) / 1e6, 1),
              "chromium": version, "cpus": os.cpu_count(), "load_average_before": load_before,
              "load_average_after": os.getloadavg(), "steps": args.steps, "results": results}
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(report, indent=1))
    print(f"\n{report['model']} ({report['variant']}, {report['download_mb']} MB to download), "
          f"Chromium {version}, {report['cpus']} CPUs, load average {load_before[0]:.1f} before the run")
    print(table(results))
    print(f"\nwrote {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
