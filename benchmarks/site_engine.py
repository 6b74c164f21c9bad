"""This site's engine in headless Chromium, through the site's own modules
(benchmarks/pages/site_worker.js imports them from the built site):

- Pyodide ready and onnxruntime-web session ready, each alone (the page loads them in
  parallel), from the network (empty storage) and from cache (the same page loaded again);
- prefill of the 10-token prompt and one-token decode steps (the model call alone);
- in the site's Pyodide: the sampling and tokenizer benchmarks' own code
  (benchmarks/bench_sampling.py, benchmarks/bench_tokenizer.py).
"""
import inspect

from benchmarks import bench_sampling, bench_tokenizer, chromium
from benchmarks.common import summarize

BENCH_PAGE = "pages/bench.html?worker=site_worker.js"
LOADS = ("python", "model")


def measure(base_url: str, prompt_ids: list, settings) -> dict:
    """Every site-engine row for the server at ``base_url`` (plain or isolated)."""
    url = base_url + BENCH_PAGE
    loads = {f"{what}_{state}": [] for what in LOADS for state in ("network", "cache")}
    with chromium.profile() as session:
        for round_ in range(settings.load_warmups + settings.loads):
            chromium.clear_origin(session.cdp, url)
            for state in ("network", "cache"):
                call = chromium.open_bench(session.page, url)
                for what in LOADS:
                    info = call(what)
                    if round_ >= settings.load_warmups:
                        loads[f"{what}_{state}"].append(info["ms"])
        steps = call("steps", prompt=prompt_ids, prefills=settings.prefills,
                     runs=settings.decode_runs, steps=settings.decode_steps)
        sampling = call("python_run", source=bench_sampling.BODY, scope={"RUNS": settings.samplings})
        manifest = call("manifest")
        texts = {"vocab_text": manifest["tokenizer"]["vocab"], "merges_text": manifest["tokenizer"]["merges"]}
        tokenizer = call("python_run", source=_tokenizer_source(settings.tokenizer), texts=texts)
        if session.errors:
            raise RuntimeError(f"the benchmark page reported errors: {session.errors[:3]}")
        version = session.version
    rows = {key: summarize(values) for key, values in loads.items()}
    recompute = {name: s["result_top10"]["median"] for name, s in sampling["settings"].items()}
    rows.update(prefill=summarize(steps["prefill"]), decode=summarize(steps["decode"]),
                sampling=summarize(recompute.values()),
                tokenizer=summarize(tokenizer["cold"]), tokenizer_warm=summarize(tokenizer["warm"]))
    return {"threads": info["threads"], "isolated": info["isolated"], "chromium": version,
            "tokenizer_tokens": tokenizer["tokens"],
            "sampling_by_setting": recompute, "sampling_prepare_ms": sampling["prepare"]["median"],
            "rows": rows}


def _tokenizer_source(repeats: int) -> str:
    """bench_tokenizer's measure() on its ~1,000-token passage with the site's vocabulary:
    "cold" encodes with a fresh tokenizer (empty cache), "warm" encodes the same text again."""
    return "\n".join([
        "from nexttoken.tokenizer import Tokenizer",
        inspect.getsource(bench_tokenizer.measure),
        f"timings, count = measure(Tokenizer, vocab_text, merges_text, {bench_tokenizer.PASSAGE!r}, {repeats})",
        "result = {'cold': timings['cold encode'], 'warm': timings['warm encode'], 'tokens': count}",
    ])
