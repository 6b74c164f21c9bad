"""The benchmark harness itself (benchmarks/run.py): its quick path on the tiny model fills
every cell, and the pieces that shape the tables behave."""
import json
import math

import pytest

from benchmarks import publish, report, run
from benchmarks.common import summarize
from export.model.quantize import VARIANTS


def _check(summary, where):
    assert summary["n"] >= 1, where
    assert all(math.isfinite(summary[k]) and summary[k] >= 0 for k in ("median", "min", "max")), where
    assert summary["min"] <= summary["median"] <= summary["max"], where


def test_quick_run_measures_every_cell(tiny_model, tmp_path):
    assert run.main(["--model", str(tiny_model), "--quick", "--out", str(tmp_path),
                     "--work", str(tmp_path / "work")]) == 0
    results = json.loads((tmp_path / "results.json").read_text())
    threads = results["threads"]
    for row, _ in report.RUNTIME_ROWS:
        for column, _ in report.runtime_columns(threads):
            _check(results["runtime"][row][column], f"{row} / {column}")
    for row, _ in report.SITE_ROWS:
        for column in report.SETS:
            _check(results["site"][row][column], f"{row} / site {column}")
    assert results["runtime"]["decode"]["site_1"]["n"] == 5  # --quick: one run of 5 steps
    assert all(v > 0 for p in results["ratios"] for v in p["by_set"].values())
    assert sorted(a["variant"] for a in results["artifacts"]) == sorted(VARIANTS)
    assert results["model"]["variant"] in VARIANTS and results["export_seconds"] > 0
    plain, isolated = results["details"]["plain"], results["details"]["isolated"]
    assert (plain["site_threads"], plain["isolated"], plain["tfjs_threads"]) == (1, False, 1)
    assert (isolated["site_threads"], isolated["isolated"], isolated["tfjs_threads"]) == (threads, True, threads)
    assert plain["page_info"]["threads"] == 1 and isolated["page_info"]["threads"] == threads
    for key in ("cpu", "cores", "ram_gb", "os", "python", "chromium", "onnxruntime", "onnxruntime-web",
                "pyodide", "transformers.js"):
        assert results["machine"][key], key
    for key, _, _, _ in report.STORY_ROWS:
        for viewport in report.VIEWPORTS:
            _check(results["story"][key][viewport], f"story {key} / {viewport}")
    assert results["playground"] and all(_check(s, name) is None for name, s in results["playground"].items())
    assert len(results["goals"]) == 4
    table = (tmp_path / "results.md").read_text()
    assert all(label in table for _, label in report.RUNTIME_ROWS + report.SITE_ROWS)
    assert "nan" not in table and "inf" not in table


def test_a_missing_directory_becomes_a_random_gpt2_but_a_hub_id_is_left_alone(tmp_path, monkeypatch):
    made = []
    monkeypatch.setattr("tests.models.make_gpt2", lambda path: (made.append(path), path.mkdir()))
    assert run.checkpoint("openai-community/gpt2", print) == ("openai-community/gpt2", False)
    target = tmp_path / "gpt2-random"
    assert run.checkpoint(str(target), print) == (str(target), True) and target.is_dir() and len(made) == 1
    assert run.checkpoint(str(target), print) == (str(target), True) and len(made) == 1  # made once
    assert run.checkpoint(str(tmp_path), print) == (str(tmp_path), False)


def test_publish_replaces_only_the_marked_block():
    text = f"# Title\n\nbefore\n{publish.START}\nold table\n{publish.END}\nafter\n"
    out = publish.replace_block(text, "new table")
    assert out == f"# Title\n\nbefore\n{publish.START}\nnew table\n{publish.END}\nafter\n"
    with pytest.raises(ValueError, match="benchmarks:start"):
        publish.replace_block("no markers here", "table")


def test_cells_show_median_then_range_and_summaries_refuse_nothing():
    assert report.cell(summarize([12.0, 10.0, 30.0])) == "12.0 (10.0–30.0)"
    assert report.cell(summarize([1234.4])) == "1234"
    assert report.cell(summarize([1.0, 2.0, 3.0])) == "2.00 (1.00–3.00)"
    with pytest.raises(ValueError, match="recorded nothing"):
        summarize([])


def test_a_step_waits_for_the_machine_to_quiet_down(monkeypatch):
    """wait_for_quiet polls the load average until it is below the limit, or gives up after its
    patience and returns the last figure (which then keeps the run from being published)."""
    from benchmarks import common

    loads = iter([2.4, 1.9, 1.2, 0.8])
    monkeypatch.setattr(common.os, "getloadavg", lambda: (next(loads), 0.0, 0.0))
    monkeypatch.setattr(common.time, "sleep", lambda s: None)
    assert common.wait_for_quiet(limit=1.5, patience_s=60) == 1.2
    loads = iter([2.4, 1.9])
    assert common.wait_for_quiet(limit=1.5, patience_s=0) == 2.4
