"""Benchmark: how long the playground's engine calls take in headless Chromium.

Times, through ``window.nexttoken.session()`` on playground.html (worker messaging, the
model and Python in Pyodide included; the page's drawing not):
- open: tokenize a ~10-token prompt, prefill, and the first summary;
- redraw: a ``distribution`` request (what a slider move sends) for several settings, with
  and without the stage-by-stage view: Python only, no model run. Every request (warm-up
  included) moves the temperature by a further 0.1% of the setting's value, as a slider does,
  so no request repeats an earlier one's parameters;
- step: a sample or greedy step (the choice, one model step, the next summary);
- the first redraw after a step: the ``warm`` hint the page sends when a control is grabbed
  (it builds the step's band index), then one redraw;
- undo: back one step (cached: no model run), and the step after it (which re-reads the
  window, as the KV cache cannot be shortened).

The model is a given site's (``--site``) or a tiny random GPT-2 built on the spot (real
vocabulary, so every Python cost is full size; its nearly flat distributions are the worst
case for the samplers' sums; the model itself is nearly free). Figures: median, min and max
of ``--repeats`` runs after a warm-up.

Usage: .venv/bin/python -m benchmarks.bench_playground [--site DIR] [--repeats N]
Writes benchmarks/out/playground.json and prints a table.
"""
import argparse
import json
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

SETTINGS = {
    "defaults": {},
    "temperature 0.7, top-p 0.9": {"temperature": 0.7, "top_p": 0.9},
    "llama.cpp defaults": {"temperature": 0.8, "top_k": 40, "top_p": 0.95, "min_p": 0.05, "order": "llama.cpp"},
    "temperature 1.3, min-p 0.02": {"temperature": 1.3, "min_p": 0.02},
    "repetition penalty 1.2, top-k 50": {"repetition_penalty": 1.2, "top_k": 50},
}

MEASURE = """async ({settings, repeats}) => {
  const s = window.nexttoken.session("bench");
  const view = {top: 10};
  const time = async (fn) => { const t = performance.now(); await fn(); return performance.now() - t; };
  const runs = async (fn) => { await fn(); const out = []; for (let i = 0; i < repeats; i++) out.push(await time(fn)); return out; };
  let moves = 0;  // a slider move: the temperature goes up by another 0.1% each time
  const moved = (params) => ({...params, seed: 1, temperature: (params.temperature ?? 1) * (1 + 1e-3 * ++moves)});
  const out = {};
  out["open (prefill + summary)"] = await runs(() => s.open("The quick brown fox jumps over the lazy dog again", {seed: 1}, view));
  await s.warm?.();  // as the page does when a control is grabbed (older sites: no such call)
  for (const [name, params] of Object.entries(settings)) {
    out[`redraw: ${name}`] = await runs(() => s.distribution(moved(params), view));
    out[`redraw + stages: ${name}`] = await runs(() => s.distribution(moved(params), {...view, trace: true}));
  }
  for (const kind of ["sample", "greedy"]) {
    out[`choose: ${kind}`] = await runs(() => s.choose(kind, {seed: 1}, view));
  }
  const first = [];
  for (let i = 0; i <= repeats; i++) {
    await s.choose("greedy", {}, view);
    const ms = await time(async () => { await s.warm?.(); await s.distribution(moved({temperature: 0.7, top_p: 0.9}), view); });
    if (i) first.push(ms);
  }
  out["first redraw after a step (warm + redraw)"] = first;
  const undos = [], after = [];
  for (let i = 0; i <= repeats; i++) {
    await s.choose("greedy", {}, view);
    const undo = await time(() => s.undo({}, view));
    const step = await time(() => s.choose("greedy", {}, view));
    if (i) { undos.push(undo); after.push(step); }
  }
  out["undo (cached step)"] = undos;
  out["step after an undo (re-reads the window)"] = after;
  return out;
}"""


def build_tiny(out: Path) -> Path:
    from export.site import build
    from tests.models import TINY, make_gpt2

    model = make_gpt2(out / "model", **TINY)
    site = out / "site"
    build.build(model=str(model), out=site, cache_dir=out / "cache", log=lambda *a: None)
    return site


def measure(site: Path, repeats: int) -> dict:
    from benchmarks.common import summarize
    from export.site.server import serving
    from tests.browser import chromium

    with serving(site) as url, chromium() as browser:
        context = browser.new_context(service_workers="block")
        page = context.new_page()
        page.set_default_timeout(600_000)
        page.goto(url + "playground.html")
        page.evaluate("() => window.nexttoken.load()")
        raw = page.evaluate(MEASURE, {"settings": SETTINGS, "repeats": repeats})
        context.close()
    return {name: summarize(values) for name, values in raw.items()}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--site", type=Path, help="a built site (default: build one from a tiny random GPT-2)")
    parser.add_argument("--repeats", type=int, default=10)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="nexttoken-bench-playground-") as tmp:
        site = args.site or build_tiny(Path(tmp))
        figures = measure(site, args.repeats)
    out = ROOT / "benchmarks" / "out"
    out.mkdir(parents=True, exist_ok=True)
    (out / "playground.json").write_text(json.dumps({"site": str(args.site or "tiny"), "figures": figures}, indent=1))
    width = max(map(len, figures))
    print(f"{'call':<{width}}  median ms    min ms    max ms")
    for name, f in figures.items():
        print(f"{name:<{width}}  {f['median']:9.1f} {f['min']:9.1f} {f['max']:9.1f}")


if __name__ == "__main__":
    main()
