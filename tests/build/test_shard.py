"""Shards: at most the configured size, listed with the right bytes and sha256, and joined
back into exactly the external-data file the graph was saved with."""
import onnx
from hypothesis import given, settings, strategies as st

from export import shard
from export.quantize import quantize_model
from export.manifest import read_manifest
from export.source import file_sha256
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


def test_shards_rejoin_byte_identically(variant_exports, export_cache, tmp_path):
    """The same variant saved by onnx as one external-data file equals the shards joined."""
    optimum = next(export_cache.glob("optimum-*"))
    for variant, export in variant_exports.items():
        model = onnx.load(str(optimum / "model.onnx"))
        quantize_model(model, variant)
        onnx.save_model(model, str(tmp_path / f"{variant}.onnx"), save_as_external_data=True,
                        all_tensors_to_one_file=True, location=f"{variant}.data", size_threshold=shard.INLINE_LIMIT)
        joined = shard.join(export.dir / name for name in export.record["shards"])
        assert (tmp_path / f"{variant}.data").read_bytes() == bytes(joined), variant


def test_site_manifest_lists_each_shard_with_size_and_hash(variant_sites):
    for variant, site in variant_sites.items():
        manifest = read_manifest(site)
        external = manifest["onnx"]["external_data"]
        assert external["location"] == shard.DATA_LOCATION
        assert len(external["shards"]) >= 2, variant
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
