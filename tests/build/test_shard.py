"""Shards: at most the configured size, each an external-data file of its own (or a piece of one
oversized tensor's file), listed with the right bytes and sha256, and read back to the very
tensors the quantizer made."""
import onnx
from hypothesis import given, settings, strategies as st

from export.model import shard
from export.model.quantize import quantize_model
from export.site.manifest import read_manifest
from export.model.source import file_sha256
from tests.build.conftest import SMALL_SHARDS


@settings(max_examples=60, deadline=None)
@given(data=st.binary(max_size=3000), size=st.integers(min_value=1, max_value=700))
def test_split_then_join_is_byte_identical(tmp_path_factory, data, size):
    path = tmp_path_factory.mktemp("split") / "blob"
    path.write_bytes(data)
    names = shard.split(path, size)
    assert len(names) == -(-len(data) // size)  # ceil
    assert all((path.parent / n).stat().st_size <= size for n in names)
    assert all((path.parent / n).stat().st_size == size for n in names[:-1])
    assert bytes(shard.join(path.parent / n for n in names)) == data


def test_weight_files_load_back_to_the_same_tensors(variant_exports, tiny_source, export_cache, tmp_path):
    """Every variant's graph, read with its external-data files rebuilt from the shards, holds
    exactly the tensors the quantizer made (and the last-position Slice's three constants)."""
    from dataclasses import replace

    from onnx import numpy_helper

    from export.model.onnx_export import ExportSettings, cache_key

    # This model's optimum export (the cache holds other models' too), as export_model keys it.
    base = replace(ExportSettings(), variant="optimum", shard_bytes=0)
    optimum = export_cache / f"optimum-{cache_key(tiny_source, base, recipe=False)}"
    for variant, export in variant_exports.items():
        expected = quantize_model(onnx.load(str(optimum / "model.onnx")), variant)
        here = tmp_path / variant
        here.mkdir()
        (here / "model.onnx").write_bytes((export.dir / "model.onnx").read_bytes())
        for location, parts in shard.files(export.record["shards"]):
            (here / location).write_bytes(bytes(shard.join(export.dir / p for p in parts)))
        loaded = onnx.load(str(here / "model.onnx"))
        got = {t.name: numpy_helper.to_array(t) for t in loaded.graph.initializer}
        want = {t.name: numpy_helper.to_array(t) for t in expected.graph.initializer}
        sliced = {k for k in got.keys() - want.keys() if k.endswith(("/last_position/starts", "/last_position/ends",
                                                                      "/last_position/axes"))}
        assert got.keys() - sliced == want.keys() and len(sliced) == 3, variant
        assert all((got[k] == want[k]).all() and got[k].dtype == want[k].dtype for k in want), variant


def test_only_a_tensor_larger_than_a_shard_is_cut(variant_exports):
    """Each shard is an external-data file of its own, except the pieces of one oversized tensor."""
    for variant, export in variant_exports.items():
        graph = onnx.load(str(export.dir / "model.onnx"), load_external_data=False).graph
        users = {}
        for tensor in graph.initializer:
            info = {e.key: e.value for e in tensor.external_data}
            if info:
                users.setdefault(info["location"], []).append(int(info["length"]))
        groups = shard.files(export.record["shards"])
        assert [location for location, _ in groups] == list(users), variant
        for location, parts in groups:
            if len(parts) > 1:
                assert len(users[location]) == 1 and users[location][0] > SMALL_SHARDS, (variant, location)
            else:
                assert parts == [location]


def test_files_groups_pieces_by_name():
    names = ["model.onnx.data.000", "model.onnx.data.001.000", "model.onnx.data.001.001", "model.onnx.data.002"]
    assert shard.files(names) == [("model.onnx.data.000", ["model.onnx.data.000"]),
                                  ("model.onnx.data.001", ["model.onnx.data.001.000", "model.onnx.data.001.001"]),
                                  ("model.onnx.data.002", ["model.onnx.data.002"])]
    assert shard.files(["model/" + n for n in names[:1]]) == [("model.onnx.data.000", ["model/model.onnx.data.000"])]


def test_site_manifest_lists_each_shard_with_size_and_hash(variant_sites):
    for variant, site in variant_sites.items():
        manifest = read_manifest(site)
        external = manifest["onnx"]["external_data"]
        assert len(external["shards"]) >= 2, variant
        assert [s for f in external["files"] for s in f["shards"]] == external["shards"]
        total = 0
        for rel in external["shards"]:
            entry = manifest["files"][rel]
            assert (site / rel).stat().st_size == entry["bytes"] <= SMALL_SHARDS
            assert file_sha256(site / rel) == entry["sha256"]
            total += entry["bytes"]
        assert total == external["bytes"]


def test_default_shards_are_under_50_mb(tiny_site):
    manifest = read_manifest(tiny_site)
    assert all(manifest["files"][rel]["bytes"] <= 50_000_000 for rel in manifest["onnx"]["external_data"]["shards"])
