"""Benchmark: how soon the story is readable and its figures interactive, in headless Chromium.

For each of ``--repeats`` fresh page loads (new browser context, empty cache, service worker
blocked so the one-time isolation reload does not count) on a localhost server, it reads:
- first contentful paint: the text is on screen;
- figures interactive: the ``nexttoken:figures-ready`` mark, set once every figure module has
  loaded and mounted on its baked data (the target: under 1 s);
- control response: from a slider's input event (the temperature figure) to the next frame;
- layout shift: the cumulative layout shift of the load;
- bytes before the playground: everything the page transferred (it must not include the
  model or Pyodide, which load only when the reader starts the playground).

The site is ``--site DIR`` or a tiny random GPT-2 built on the spot (the figures' data has the
real vocabulary's shape either way). Figures: median, min and max.

Usage: .venv/bin/python -m benchmarks.bench_story [--site DIR] [--repeats N]
Writes benchmarks/out/story.json and prints a table.
"""
import argparse
import json
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

TARGET_MS = 1000.0
READ = """async () => {
  const paint = performance.getEntriesByName('first-contentful-paint')[0];
  const ready = performance.getEntriesByName('nexttoken:figures-ready')[0];
  const start = performance.getEntriesByName('nexttoken:figures-start')[0];
  const nav = performance.getEntriesByType('navigation')[0];
  const input = document.querySelector('#fig-temperature [data-control]') ?? document.querySelector('input[type=range][data-control]');
  const t = performance.now();
  input.value = input.value === input.max ? input.min : input.max;
  input.dispatchEvent(new Event('input', {bubbles: true}));
  await new Promise((resolve) => requestAnimationFrame(() => resolve()));
  const response = performance.now() - t;
  const shifts = performance.getEntriesByType('layout-shift').filter((e) => !e.hadRecentInput);
  const resources = performance.getEntriesByType('resource');
  return {
    parsed: nav.domInteractive, mount: ready.startTime - start.startTime,
    paint: paint ? paint.startTime : null, ready: ready.startTime, response,
    cls: shifts.reduce((sum, e) => sum + e.value, 0),
    bytes: resources.reduce((sum, e) => sum + e.transferSize, nav.transferSize),
    heavy: resources.map((e) => e.name).filter((n) => /pyodide|onnx|\\.wasm/.test(n)),
  };
}"""
OBSERVE = """new PerformanceObserver(() => {}).observe({type: 'layout-shift', buffered: true});"""


def measure(site: Path, repeats: int, width: int, height: int) -> dict:
    from export.site.server import serving
    from tests.browser import chromium

    runs = []
    with serving(site) as url, chromium() as browser:
        for _ in range(repeats + 1):  # the first load warms Chromium itself up; not recorded
            context = browser.new_context(viewport={"width": width, "height": height},
                                          service_workers="block")
            page = context.new_page()
            page.goto(url)
            page.wait_for_selector("html[data-figures-ready=true]", state="attached", timeout=30_000)
            page.wait_for_timeout(200)
            runs.append(page.evaluate(READ))
            context.close()
    return {"runs": runs[1:]}


def summary(values):
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--site", type=Path, help="a built site (default: build one from a tiny random GPT-2)")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)
    site = args.site
    if site is None:
        from export.site import build
        from tests.models import TINY, make_gpt2

        work = Path(tempfile.mkdtemp(prefix="bench-story-"))
        model = make_gpt2(work / "model", **TINY)
        site = work / "site"
        build.build(model=str(model), out=site, cache_dir=ROOT / ".cache" / "exports", log=lambda *a: None)
    results = {}
    for name, size in {"desktop 1280x900": (1280, 900), "phone 375x667": (375, 667)}.items():
        runs = measure(site, args.repeats, *size)["runs"]
        results[name] = {
            "first contentful paint (ms)": summary([r["paint"] for r in runs]),
            "page parsed (ms)": summary([r["parsed"] for r in runs]),
            "figures interactive (ms)": summary([r["ready"] for r in runs]),
            "  of which mounting them (ms)": summary([r["mount"] for r in runs]),
            "control response to next frame (ms)": summary([r["response"] for r in runs]),
            "layout shift (CLS)": summary([r["cls"] for r in runs]),
            "bytes transferred": summary([r["bytes"] for r in runs]),
            "heavy files loaded": sorted({n for r in runs for n in r["heavy"]}),
        }
    out = ROOT / "benchmarks" / "out" / "story.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"site": str(site), "repeats": args.repeats, "results": results}, indent=1))
    print(f"{'measure':40} {'median':>10} {'min':>10} {'max':>10}")
    for name, rows in results.items():
        print(name)
        for key, value in rows.items():
            if isinstance(value, dict):
                print(f"  {key:38} {value['median']:10.3f} {value['min']:10.3f} {value['max']:10.3f}")
            else:
                print(f"  {key:38} {value or 'none'}")
    worst = max(r["figures interactive (ms)"]["max"] for r in results.values())
    print(f"figures interactive within {TARGET_MS:.0f} ms: {'yes' if worst < TARGET_MS else 'NO'} (worst {worst:.0f} ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
