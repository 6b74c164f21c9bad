"""benchmarks/bench_ort_builds.py on the tiny model: every build runs at 1 and 2 threads."""
from benchmarks import bench_ort_builds


def test_every_build_is_measured_at_each_thread_count(tiny_site):
    results = bench_ort_builds.measure(tiny_site, rounds=1, steps=3, threads_all=2, log=lambda *a: None, patience_s=0)
    assert set(results["builds"]) == set(bench_ort_builds.BUILDS)
    for by_threads in results["builds"].values():
        assert set(by_threads) == {"1", "2"}
        assert all(s["n"] == 3 and 0 < s["min"] <= s["median"] <= s["max"] for s in by_threads.values())
    assert len(results["load_average"]) == 2 * len(bench_ort_builds.BUILDS)
    assert "| transformers.js asyncify |" in bench_ort_builds.table(results)
