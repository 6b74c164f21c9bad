"""Benchmark: Pyodide's heap for a long playground session, in headless Chromium.

A session keeps the full step (logits, sorted ids and values) of only its last few chosen
tokens (``nexttoken.session.KEEP_STEPS``); this measures what a link's longest session costs.
Through ``window.nexttoken.session()`` on playground.html:
- generate: open a prompt, then ``--tokens`` seeded sample steps (as Generate does);
- replay: the first session closed, a second one replays those ids from scratch (as opening
  the link does).
After each, the WASM heap of Pyodide (``nexttoken.memory()``; it only grows, so it is the peak
so far). The target (docs/playground.md): under 150 MB for 2,048 tokens.

The model is a given site's (``--site``) or a tiny random GPT-2 built on the spot: the real
50,257-token vocabulary, so every step's Python data is full size; its 128-token context makes
the window slide many times, which costs re-prefills, not memory.

Usage: .venv/bin/python -m benchmarks.bench_session_memory [--site DIR] [--tokens N]
Writes benchmarks/out/session_memory.json and prints a table.
"""
import argparse
import json
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

MB = 1e6

MEASURE = """async ({tokens, chunk}) => {
  const api = window.nexttoken;
  const heap = async () => (await api.memory()).python_heap_bytes;
  const view = {top: 10};
  const out = {loaded: await heap()};
  const s = api.session("generated");
  await s.open("It was a bright cold day in April, and the clocks were striking thirteen.", {seed: 1}, view);
  out.opened = await heap();
  const ids = [];
  const started = performance.now();
  while (ids.length < tokens) {
    const reply = await s.choose("sample", {seed: 1}, view);
    ids.push(reply.chips[0].id);
  }
  out.generate_ms = performance.now() - started;
  out.generated = await heap();
  await s.close();  // a link opens in a new page: one session at a time
  const replayed = api.session("replayed");
  await replayed.open("It was a bright cold day in April, and the clocks were striking thirteen.", {seed: 1}, view);
  const again = performance.now();
  for (let i = 0; i < ids.length; i += chunk) await replayed.replay(ids.slice(i, i + chunk), {seed: 1}, view);
  out.replay_ms = performance.now() - again;
  out.replayed = await heap();
  const reply = await replayed.undo({seed: 1}, view);
  out.undo_length = reply.length;
  out.tokens = ids.length;
  return out;
}"""


def build_tiny(out: Path) -> Path:
    from export.site import build
    from tests.models import TINY, make_gpt2

    model = make_gpt2(out / "model", **TINY)
    site = out / "site"
    build.build(model=str(model), out=site, cache_dir=out / "cache", log=lambda *a: None)
    return site


def measure(site: Path, tokens: int) -> dict:
    from export.site.server import serving
    from tests.browser import chromium

    with serving(site) as url, chromium() as browser:
        context = browser.new_context(service_workers="block")
        page = context.new_page()
        page.set_default_timeout(0)
        page.goto(url + "playground.html")
        page.evaluate("() => window.nexttoken.load()")
        started = time.monotonic()
        out = page.evaluate(MEASURE, {"tokens": tokens, "chunk": 256})
        out["wall_s"] = time.monotonic() - started
        context.close()
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--site", type=Path, help="a built site (default: build one from a tiny random GPT-2)")
    parser.add_argument("--tokens", type=int, default=2048)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="nexttoken-bench-memory-") as tmp:
        site = args.site or build_tiny(Path(tmp))
        figures = measure(site, args.tokens)
    out = ROOT / "benchmarks" / "out"
    out.mkdir(parents=True, exist_ok=True)
    (out / "session_memory.json").write_text(json.dumps({"site": str(args.site or "tiny"), **figures}, indent=1))
    print(f"Pyodide heap (MB), {figures['tokens']} tokens:")
    for key in ("loaded", "opened", "generated", "replayed"):
        print(f"  {key:<10} {figures[key] / MB:8.1f}")
    print(f"generate {figures['generate_ms'] / 1000:.1f} s, replay {figures['replay_ms'] / 1000:.1f} s "
          f"(the machine's load inflates both)")


if __name__ == "__main__":
    main()
