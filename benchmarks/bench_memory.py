#!/usr/bin/env python3
"""Peak memory of the whole browser while it loads GPT-2 and generates, above an empty tab.

    python -m benchmarks.bench_memory --model DIR [--variant q4 ...] [--probes] [--steps 100]

Chromium runs a page in several processes (browser, renderer, GPU, network, utilities), so
one process's high-water mark misses memory held elsewhere. Here a thread sums the
proportional set size (PSS, from ``/proc/PID/smaps_rollup``: shared pages split between their
users, so nothing is counted twice) of every Chromium process this script started, every
``INTERVAL`` seconds. Each measurement launches a fresh browser, opens an empty tab, takes its
settled total as the baseline, then opens the page, loads the engine and generates ``--steps``
greedy tokens; the figure is the peak total minus the baseline. The browser runs on an
empty on-disk profile, as a reader's does (Playwright's default, an off-the-record profile,
keeps Cache Storage in memory).

Scenarios:
- ``site``: the built site's real page (service worker blocked: 1 thread), ``nexttoken.load()``
  then ``nexttoken.generate`` (Pyodide's sampler included) as a reader runs it.
- ``--probes``: benchmarks/pages/memory_worker.js loads the same files into onnxruntime-web
  alone with one knob changed at a time (weights joined or per file, bytes kept alive or not,
  prepacking, the quantized-weight expansion, Pyodide or not, onnxruntime-web's JSPI build
  reading the weights from stored files), to attribute the site's figure.

Writes benchmarks/out/memory.json and prints a table. Memory does not depend on the machine's
load (timings do: the seconds printed are only for orientation).
"""
import argparse
import contextlib
import json
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

OUT = ROOT / "benchmarks" / "out" / "memory.json"
WORK = ROOT / "benchmarks" / "out" / "memory"
INTERVAL = 0.1          # seconds between samples of the process tree
BASELINE_SECONDS = 3    # the empty tab settles for this long, then is sampled as long again
TIMEOUT_MS = 1_200_000
STEPS = 100
MB = 1024 * 1024

# What each probe changes from the site's own configuration (manifest session config, weights
# handed over per file, bytes dropped once the session exists, no Pyodide).
PROBES = {
    "onnxruntime-web alone": {},
    "+ Pyodide": {"python": True},
    "JSPI build, weights read from stored files": {"jspi": True},
    "JSPI build + Pyodide": {"jspi": True, "python": True},
    "weights joined into one buffer": {"weights": "joined"},
    "bytes kept alive after load": {"keep": True},
    "prepacking disabled": {"extra": {"session.disable_prepacking": "1"}},
    "CPU memory arena disabled": {"options": {"enableCpuMemArena": False}},
    "initializers outside the arena": {"extra": {"session.use_device_allocator_for_initializers": "1"}},
    "quantized weights not folded to float32": {"extra": {"session.disable_quant_qdq": "0"}},
}

SITE_RUN = """async ([prompt, steps]) => {
    const start = performance.now();
    const info = await window.nexttoken.load();
    const ready = performance.now() - start;
    const out = await window.nexttoken.generate(prompt, {max_new_tokens: steps, temperature: 0});
    return {info, ready_ms: ready, ms: performance.now() - start, ids: out.ids};
}"""


def _chromium_pids() -> list:
    """Chromium processes under this one (Playwright's driver is node: not counted)."""
    from benchmarks.chromium import _descendants

    pids = []
    for pid in _descendants(os.getpid()):
        try:
            exe = os.readlink(f"/proc/{pid}/exe")
        except OSError:
            continue
        if "chrom" in Path(exe).name:
            pids.append(pid)
    return pids


def _pss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except OSError:
        pass  # the process ended between listing and reading
    return 0


def _kind(pid: int) -> str:
    try:
        # Chromium rewrites its command line into one space-separated string
        args = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").split()
    except OSError:
        return "gone"
    return next((a.split(b"=", 1)[1].decode() for a in args if a.startswith(b"--type=")), "browser")


class Sampler:
    """Sums PSS over the browser's processes in a thread; ``peak`` and per-kind peaks in MB."""

    def __init__(self):
        self.samples, self.by_kind, self._stop = [], {}, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def kinds(self) -> dict:
        kinds = {}
        for pid in _chromium_pids():
            kind = _kind(pid)
            kinds[kind] = kinds.get(kind, 0) + _pss_kb(pid) / 1024
        return kinds

    def _run(self):
        while not self._stop.is_set():
            kinds = self.kinds()
            self.samples.append((time.monotonic(), sum(kinds.values())))
            for kind, mb in kinds.items():
                self.by_kind[kind] = max(self.by_kind.get(kind, 0), mb)
            self._stop.wait(INTERVAL)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()

    @property
    def peak(self) -> float:
        return max(mb for _, mb in self.samples)


def baseline(page) -> float:
    """Total PSS of the browser with one empty tab, once it has settled (median of samples)."""
    page.goto("about:blank")
    time.sleep(BASELINE_SECONDS)
    sampler = Sampler()
    with sampler:
        time.sleep(BASELINE_SECONDS)
    values = sorted(mb for _, mb in sampler.samples)
    return values[len(values) // 2]


@contextlib.contextmanager
def profile_browser():
    """A fresh headless Chromium with an empty on-disk profile, as a reader's browser has.

    Not Playwright's usual ``new_context()``: that is an off-the-record profile, whose Cache
    Storage lives in the browser process's memory, so every file a page stores there (the
    site's model, transformers.js's) would count once more, for the browser's whole life."""
    from playwright.sync_api import sync_playwright
    from tests.browser import CHROMIUM_ARGS, chromium_path

    with sync_playwright() as p, tempfile.TemporaryDirectory(prefix="nexttoken-profile-") as profile:
        context = p.chromium.launch_persistent_context(
            profile, executable_path=chromium_path(), args=CHROMIUM_ARGS, headless=True, service_workers="block")
        try:
            yield context
        finally:
            context.close()


def measure(url: str, run, label: str, log=print) -> dict:
    """Launch a fresh browser, take the empty-tab baseline, then ``run(page)`` under the sampler."""
    with profile_browser() as context:
        page = context.pages[0] if context.pages else context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        errors = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        empty = baseline(page)
        load = os.getloadavg()[0]
        with Sampler() as sampler:
            page.goto(url)
            result = run(page)
    if errors:
        raise RuntimeError(f"{label}: the page reported errors: {errors[:3]}")
    peak = sampler.peak
    log(f"{label}: peak {peak:.0f} MB, empty tab {empty:.0f} MB, above it {peak - empty:.0f} MB "
        f"(load average {load:.1f})")
    return {"peak_above_empty_mb": peak - empty, "peak_mb": peak, "empty_tab_mb": empty,
            "peak_by_process_kind_mb": sampler.by_kind, "load_average": load,
            "ready_ms": result.get("ready_ms"), "ms": result.get("ms"), "ids": result.get("ids")}


def site_run(prompt: str, steps: int):
    def run(page):
        page.wait_for_function("() => !!window.nexttoken")
        return page.evaluate(SITE_RUN, [prompt, steps])
    return run


def probe_run(prompt_ids: list, steps: int, options: dict):
    from benchmarks.chromium import open_bench

    def run(page):
        call = open_bench(page, page.url)
        return call("probe", prompt=prompt_ids, steps=steps, **options)
    return run


def tfjs_run(prompt_ids: list, steps: int, session_options: dict, dtype: str):
    from benchmarks.chromium import open_bench
    from benchmarks.transformersjs import MODEL_ID

    def run(page):
        call = open_bench(page, page.url)
        started = time.perf_counter()
        call("load", modelId=MODEL_ID, threads=1, sessionOptions=session_options, dtype=dtype)
        ready = (time.perf_counter() - started) * 1000
        call("tokens", prompt=prompt_ids, count=steps)
        return {"ready_ms": ready, "ms": (time.perf_counter() - started) * 1000}
    return run


def measure_site(site: Path, prompt: str, prompt_ids: list, steps: int = STEPS, probes=(), peers=False,
                 checkpoint: Path = None, log=print) -> dict:
    """The site's page, the chosen probes and (``peers``) transformers.js on one built site's
    ONNX file (its ``q8`` dtype for the q8 variant, whose file is made as transformers.js makes
    its own); figures keyed by scenario."""
    from benchmarks import serve, transformersjs
    from export.site.server import serving

    extra = {}
    if peers:
        tfjs = transformersjs.install(ROOT / "benchmarks" / "out" / "transformersjs")
        dtype = "q8" if json.loads((site / "manifest.json").read_text())["model"]["variant"] == "q8" else "fp32"
        models = WORK / f"models-{site.name}"
        options = transformersjs.layout_model(models, site, checkpoint, dtype)
        extra = {"tfjs": tfjs["dist"], "models": models, "tfjs-ort": tfjs["ort_dist"]}
    root = serve.make_root(WORK / f"root-{site.name}", site, **extra)
    out = {}
    with serving(root) as url:
        if (site / "index.html").is_file():  # a model-only site (export_wasm.model_site) has no page
            out["site"] = measure(url + "site/", site_run(prompt, steps), "site", log)
        for name in probes:
            out[name] = measure(url + "pages/bench.html?worker=memory_worker.js",
                                probe_run(prompt_ids, steps, PROBES[name]), name, log)
        if peers:
            name = f"transformers.js {tfjs['version']}, dtype {dtype}"
            out[name] = measure(url + transformersjs.BENCH_PAGE, tfjs_run(prompt_ids, steps, options, dtype), name, log)
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", type=Path, required=True, help="GPT-2 checkpoint (made if missing)")
    parser.add_argument("--variant", nargs="+", default=["q4"], help="export variants to build and measure")
    parser.add_argument("--site", type=Path, nargs="*", default=[],
                        help="measure these built sites instead of building --variant")
    parser.add_argument("--out", type=Path, default=OUT, help=f"where the figures go (default {OUT})")
    parser.add_argument("--probes", nargs="*", default=None, choices=list(PROBES),
                        help="attribution probes (all when given without names)")
    parser.add_argument("--peers", action="store_true", help="transformers.js too, on each variant's file")
    parser.add_argument("--steps", type=int, default=STEPS, help="greedy tokens generated after loading")
    args = parser.parse_args(argv)

    from benchmarks.bench_runtime import ensure_model, ensure_site
    from benchmarks.common import PROMPT
    from tests.models import gpt2_tokenizer

    probes = list(PROBES) if args.probes == [] else (args.probes or [])
    prompt_ids = gpt2_tokenizer().encode(PROMPT)
    model = ensure_model(args.model)
    report = {"steps": args.steps, "by_variant": {}}
    sites = args.site or [ensure_site(model, variant, WORK.parent) for variant in args.variant]
    for site in sites:
        variant = json.loads((site / "manifest.json").read_text())["model"]["variant"]
        report["by_variant"][variant] = measure_site(site, PROMPT, prompt_ids, args.steps, probes, args.peers, model)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=1))
    print(f"\npeak browser memory above an empty tab, loading + {args.steps} tokens (MB)")
    for variant, rows in report["by_variant"].items():
        for name, row in rows.items():
            print(f"{variant:>8}  {name:45} {row['peak_above_empty_mb']:8.0f}")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
