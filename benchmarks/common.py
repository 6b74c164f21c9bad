"""Shared pieces of the benchmark suite: statistics, the machine's description, settings.

Every figure is a list of raw measurements taken after a warm-up; ``summarize`` reduces it to
median, min and max, which is what the tables show.
"""
import json
import os
import platform
import statistics
import time
from dataclasses import asdict, dataclass
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NODE_MODULES = ROOT / "node_modules"

# GPT-2's tokenizer turns this into exactly 10 tokens: the prompt of every prefill and decode
# measurement, in every engine, so all columns run the same shapes.
PROMPT = "The quick brown fox jumps over the lazy dog again"
PROMPT_TOKENS = 10


@dataclass(frozen=True)
class Settings:
    """How many repetitions each measurement takes (after its warm-up)."""
    loads: int = 2          # page loads per cache state (network / cache), after...
    load_warmups: int = 1   # ...this many rounds not recorded
    prefills: int = 10      # 10-token prefills
    decode_runs: int = 2    # runs of ``decode_steps`` one-token steps each
    decode_steps: int = 50
    variant_steps: int = 20  # decode steps per export variant
    clicks: int = 5         # "Generate" presses timed on the real page
    samplings: int = 30     # parameter changes re-sampled in Pyodide
    tokenizer: int = 10     # tokenizer encodes of the ~1,000-token passage
    quick: bool = False     # True: the harness's own check, not a measurement to quote

    @classmethod
    def quick_check(cls) -> "Settings":
        return cls(loads=1, load_warmups=0, prefills=2, decode_runs=1, decode_steps=5, variant_steps=5, clicks=2,
                   samplings=3, tokenizer=2, quick=True)

    def as_dict(self) -> dict:
        return asdict(self)


def summarize(values, unit: str = "ms") -> dict:
    """Median, min and max of measurements already taken after a warm-up."""
    values = [float(v) for v in values]
    if not values:
        raise ValueError("no measurements to summarize; a benchmark step recorded nothing")
    return {"median": statistics.median(values), "min": min(values), "max": max(values),
            "n": len(values), "unit": unit}


def single(value, unit: str) -> dict:
    """A figure measured once (a size, or a one-off duration such as the export)."""
    return summarize([value], unit)


def ratio(numerator: dict, denominator: dict) -> float:
    """Ratio of two summaries' medians, both measured in this run."""
    return numerator["median"] / denominator["median"]


def _read_first(path: Path, key: str) -> str:
    try:
        for line in path.read_text().splitlines():
            if line.startswith(key):
                return line.split(":", 1)[1].strip() if ":" in line else line.split("=", 1)[1].strip('" ')
    except OSError:
        pass
    return "unknown"


def _npm_version(package_dir: Path) -> str:
    try:
        return json.loads((package_dir / "package.json").read_text())["version"]
    except (OSError, ValueError, KeyError):
        return "not installed"


def machine() -> dict:
    """CPU, cores, memory, OS and the versions of every runtime the benchmarks use."""
    pages = os.sysconf("SC_PHYS_PAGES") if hasattr(os, "sysconf") else 0
    ram = pages * os.sysconf("SC_PAGE_SIZE") if pages else 0
    return {
        "cpu": _read_first(Path("/proc/cpuinfo"), "model name") if Path("/proc/cpuinfo").exists()
        else platform.processor() or "unknown",
        "cores": os.cpu_count(),
        "ram_gb": round(ram / 2**30, 1),
        "os": _read_first(Path("/etc/os-release"), "PRETTY_NAME") + f" ({platform.platform()})",
        "python": platform.python_version(),
        "onnxruntime": metadata.version("onnxruntime"),
        "onnxruntime-web": _npm_version(NODE_MODULES / "onnxruntime-web"),
        "pyodide": _npm_version(NODE_MODULES / "pyodide"),
    }


# A 1-minute load average above this (on this project's 2-core machine) means other work skews
# the timings: benchmarks/run.py waits for it before each step and does not publish a run above it.
QUIET_LOAD = 1.5


def wait_for_quiet(limit: float = QUIET_LOAD, patience_s: float = 900, poll_s: float = 5) -> float:
    """Wait until the 1-minute load average is below ``limit`` (for at most ``patience_s``) and
    return it: each step then starts once the previous step's own threads (2-thread runs hold a
    2-core machine at a load near 2) have died down. A figure at or above ``limit`` means the
    machine never quieted down; one below it still allows some other work during the step,
    which the load average cannot tell apart from the benchmark's own."""
    deadline = time.monotonic() + patience_s
    while (load := os.getloadavg()[0]) >= limit and time.monotonic() < deadline:
        time.sleep(poll_s)
    return load


def write_json(path: Path, data) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=1, sort_keys=False) + "\n", encoding="utf-8")
