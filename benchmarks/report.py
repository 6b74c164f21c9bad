"""Turn the measurements of one run into results.json's sections and the Markdown tables.

Every ratio and goal is computed here from the medians of this one run, so the JSON and the
tables always agree.
"""
from benchmarks.common import ratio, summarize

# (row id, label): the model on the same ONNX file, one cell per engine and thread count.
RUNTIME_ROWS = [
    ("session_network", "session ready, from the network (ms)"),
    ("session_cache", "session ready, from cache (ms)"),
    ("prefill", "prefill, 10 tokens (ms)"),
    ("decode", "decode, model step (ms/token)"),
    ("generate_loop", "greedy generate loop, token to token (ms/token)"),
]
SITE_ROWS = [
    ("python_network", "Pyodide ready, from the network (ms)"),
    ("python_cache", "Pyodide ready, from cache (ms)"),
    ("page_python_network", "real page, Load to Pyodide up, from the network (ms)"),
    ("page_ready_network", "real page, Load to engine ready, from the network (ms)"),
    ("page_python_cache", "real page, Load to Pyodide up, from cache (ms)"),
    ("page_ready_cache", "real page, Load to engine ready, from cache (ms)"),
    ("page_model_files_cache", "real page, Load to the model's files read back and verified, from cache (ms)"),
    ("sampling", "sampling recompute after a parameter change, Pyodide (ms)"),
    ("tokenizer", "tokenizer encode, 1,000 tokens, Pyodide (ms)"),
    ("run_ready", "Run pressed to first distribution, first visit (ms)"),
    ("first_token", "\"Generate\" to first token on screen, warm (ms)"),
    ("longtasks_load", "main-thread long tasks while loading (count)"),
    ("longtasks_load_ms", "main-thread long tasks while loading (total ms)"),
    ("longtasks_generate", "main-thread long tasks while generating (count)"),
    ("longtasks_generate_ms", "main-thread long tasks while generating (total ms)"),
    ("peak_memory", "peak memory of the page: renderer process RSS high-water mark (MB)"),
    ("js_heap", "JS heap of the main thread (MB)"),
]
GOALS_MS = {"sampling": 5.0, "first_token": 150.0}
# bench_runtime.py's figures (the real page's nexttoken.load(), runtimes in parallel) by row.
RUNTIME_SCRIPT_ROWS = {"page_python_network": "pyodide_ready_network_ms",
                       "page_ready_network": "session_ready_network_ms",
                       "page_python_cache": "pyodide_ready_cache_ms", "page_ready_cache": "session_ready_cache_ms",
                       "page_model_files_cache": "model_files_cache_ms"}
VIEWPORTS = {"desktop 1280x900": (1280, 900), "phone 375x667": (375, 667)}
# (key in bench_story.py's runs, label, scale, unit)
STORY_ROWS = [("paint", "first contentful paint (ms)", 1, "ms"),
              ("ready", "figures interactive (ms)", 1, "ms"),
              ("response", "figure control: input to next frame (ms)", 1, "ms"),
              ("cls", "cumulative layout shift", 1, "CLS"),
              ("bytes", "bytes before the playground (MB)", 1e-6, "MB")]


# Thread settings: "1" (served without isolation: one WASM thread) and "all" (cross-origin
# isolated: the site's loader uses min(4, cores) threads; native and transformers.js match it).
SETS = ("1", "all")


def _threads(n) -> str:
    return f"{n} thread{'s' * (str(n) != '1')}"


def runtime_columns(threads: int) -> list:
    """(column id, label) for the runtime table: each engine at 1 thread, then at ``threads``."""
    return [("site_1", "site, 1 thread"), ("native_1", "native, 1 thread"),
            ("tfjs_1", "transformers.js, 1 thread"), ("site_all", f"site, {_threads(threads)} (isolated)"),
            ("native_all", f"native, {_threads(threads)}"),
            ("tfjs_all", f"transformers.js, {_threads(threads)} (isolated)")]


# (row, numerator, denominator, goal): goal "max 2" means at most 2, "below 1" less than 1.
PAIRS = [("decode", "site", "native", "max 2"), ("prefill", "site", "native", None),
         ("generate_loop", "site", "native", None), ("decode", "site", "tfjs", "below 1"),
         ("generate_loop", "site", "tfjs", "below 1"), ("prefill", "site", "tfjs", None),
         ("session_network", "site", "tfjs", None), ("session_cache", "site", "tfjs", None)]
GOAL_TEXT = {"max 2": "≤ 2", "below 1": "< 1", None: "—"}


def ratios(runtime: dict) -> list:
    """Pair-by-pair ratios of medians: browser / native and site / transformers.js, per thread set."""
    out = []
    for row, a, b, goal in PAIRS:
        values = {n: ratio(runtime[row][f"{a}_{n}"], runtime[row][f"{b}_{n}"]) for n in SETS}
        met = None if goal is None else all(v <= 2 if goal == "max 2" else v < 1 for v in values.values())
        out.append({"row": row, "numerator": a, "denominator": b, "by_set": values,
                    "goal": GOAL_TEXT[goal], "met": met})
    return out


def goals(site: dict, pairs: list, threads: int) -> list:
    """The issue's four goals, each with the figures it is judged on."""
    count = {"1": 1, "all": threads}

    def pair(row, b):
        return next(p for p in pairs if p["row"] == row and p["denominator"] == b)

    decode, loop = pair("decode", "native"), pair("generate_loop", "tfjs")
    worst = max(cells["max"] for cells in site["sampling"].values())
    first = {n: cells["median"] for n, cells in site["first_token"].items()}
    return [
        {"goal": "browser decode ≤ 2x native onnxruntime (same file, same threads)",
         "value": ", ".join(f"{v:.2f}x at {_threads(count[n])}" for n, v in decode["by_set"].items()),
         "met": decode["met"]},
        {"goal": "faster than transformers.js per token (greedy generate loop)",
         "value": ", ".join(f"{v:.2f}x its time at {_threads(count[n])}" for n, v in loop["by_set"].items()),
         "met": loop["met"]},
        {"goal": "sampling recompute ≤ 5 ms (each setting's median)", "value": f"slowest setting {worst:.1f} ms",
         "met": worst <= GOALS_MS["sampling"]},
        {"goal": "first token on screen ≤ 150 ms after \"Generate\", warm",
         "value": ", ".join(f"{v:.0f} ms at {_threads(count[n])}" for n, v in first.items()),
         "met": all(v <= GOALS_MS["first_token"] for v in first.values())},
    ]


def story_cells(runs_by_viewport: dict) -> dict:
    """bench_story.py's runs per viewport, summarized per row."""
    return {key: {viewport: summarize([r[key] * scale for r in runs if r[key] is not None], unit)
                  for viewport, runs in runs_by_viewport.items()}
            for key, _, scale, unit in STORY_ROWS}


def cell(summary: dict) -> str:
    digits = 0 if summary["median"] >= 100 else 1 if summary["median"] >= 10 else 2
    fmt = f"{{:.{digits}f}}"
    if summary["n"] == 1 or summary["min"] == summary["max"]:
        return fmt.format(summary["median"])
    return f"{fmt.format(summary['median'])} ({fmt.format(summary['min'])}–{fmt.format(summary['max'])})"


def _table(header: list, rows: list) -> list:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


def _mark(met) -> str:
    return "" if met is None else " ✓" if met else " ✗"


def _header(results: dict) -> list:
    model, machine = results["model"], results["machine"]
    return [f"Model: {model['description']}; variant {model['variant']}, {model['bytes'] / 1e6:.1f} MB. "
            f"Cells: median (min–max) after a warm-up. Machine: {machine['cpu']}, {machine['cores']} cores, "
            f"{machine['ram_gb']} GB; Chromium {machine['chromium']}; load average {machine['load_average']}.", ""]


def _runtime(results: dict) -> list:
    columns, runtime = runtime_columns(results["threads"]), results["runtime"]
    return ["**The model on the same ONNX file**", "", *_table(
        ["", *[label for _, label in columns]],
        [[label, *[cell(runtime[row][col]) for col, _ in columns]] for row, label in RUNTIME_ROWS]), ""]


def _ratios(results: dict) -> list:
    threads = results["threads"]
    return ["**Ratios (medians of this run, pair by pair)**", "", *_table(
        ["", "1 thread", f"{_threads(threads)} (isolated)", "goal"],
        [[f"{p['row'].replace('_', ' ')}: {p['numerator']} / {p['denominator']}",
          *[f"{p['by_set'][n]:.2f}" for n in SETS], p["goal"] + _mark(p["met"])]
         for p in results["ratios"]]), ""]


def _site(results: dict) -> list:
    threads, site = results["threads"], results["site"]
    columns = [("1", "site, 1 thread"), ("all", f"site, {_threads(threads)} (isolated)")]
    return ["**The site in headless Chromium**", "", *_table(
        ["", *[label for _, label in columns]],
        [[label, *[cell(site[row][col]) for col, _ in columns]] for row, label in SITE_ROWS]), ""]


def _artifacts(results: dict) -> list:
    built = results["model"]["variant"]
    rows = [[v["variant"] + (" (built)" if v["variant"] == built else ""), f"{v['mb']:.1f}", cell(v["seconds"]),
             f"{v['browser_ms']:.1f}", f"{v['native_ms_1']:.1f} / {v['native_ms_2']:.1f}", f"{v['top1']:.1%}",
             f"{v['kl']:.2g}"] for v in results["artifacts"]]
    return ["**Artifact and export, per variant** (benchmarks/bench_export.py)", "", *_table(
        ["variant", "MB", "export (s)", "decode in the browser, 1 thread (ms/token)",
         "decode native, 1 / 2 threads (ms/token)", "top-1 agreement with fp32", "KL (nats)"], rows), "",
        f"Export as the build runs it (optimum's export, then each variant tried, from an empty cache): "
        f"{results['export_seconds']:.0f} s.", ""]


def _goals(results: dict) -> list:
    rows = [[g["goal"], g["value"], "yes" if g["met"] else "no"] for g in results["goals"]]
    return ["**Goals**", "", *_table(["goal", "this run", "met"], rows)]


def _story(results: dict) -> list:
    story = results["story"]
    rows = [[label, *[cell(story[key][v]) for v in VIEWPORTS]] for key, label, _, _ in STORY_ROWS]
    return ["**The story page** (benchmarks/bench_story.py; service worker blocked, empty cache)", "",
            *_table(["", *VIEWPORTS], rows), ""]


def _playground(results: dict) -> list:
    calls = results["playground"]
    rows = [[name, cell(s)] for name, s in calls.items()]
    return ["**The playground's engine calls** (benchmarks/bench_playground.py; 1 thread, worker messaging "
            "included, drawing not)", "", *_table(["call", "ms"], rows), ""]


def _memory(results: dict) -> list:
    memory = results.get("memory")
    if not memory:
        return []
    rows = [[f"{variant}: {scenario}", f"{row['peak_above_empty_mb']:.0f}", f"{row['peak_mb']:.0f}",
             f"{row['empty_tab_mb']:.0f}"]
            for variant, scenarios in memory["by_variant"].items() for scenario, row in scenarios.items()]
    return [f"**Peak browser memory** (benchmarks/bench_memory.py: PSS summed over every Chromium process, "
            f"loading + {memory['steps']} greedy tokens, 1 thread; goal ≤ 600 MB above an empty tab)", "",
            *_table(["variant: what ran", "MB above an empty tab", "peak MB", "empty tab MB"], rows), ""]


def markdown(results: dict) -> str:
    """Every table of results.json, as Markdown."""
    parts = [_header, _runtime, _ratios, _site, _memory, _playground, _story, _artifacts, _goals]
    return "\n".join(line for part in parts for line in part(results)) + "\n"


def summary(results: dict) -> str:
    """The README's short form: the runtime comparison, peak memory and the goals."""
    parts = [_header, _runtime, _memory, _goals]
    return "\n".join(line for part in parts for line in part(results)) + "\n"
