"""The export cache: an unchanged key reuses, a changed one exports again (and only the part
that changed: optimum's export is shared by every variant and shard size)."""
from dataclasses import replace

from export.model.onnx_export import ExportSettings, cache_key, export_model
from tests.build.conftest import SMALL_SHARDS


def test_an_unchanged_key_reuses_the_export(variant_exports, tiny_source, export_cache):
    again = export_model(tiny_source, export_cache, ExportSettings(variant="int8", shard_bytes=SMALL_SHARDS))
    assert not again.fresh
    assert again.dir == variant_exports["int8"].dir
    assert again.record == variant_exports["int8"].record


def test_variant_shard_size_and_opset_are_in_the_key(tiny_source):
    base = ExportSettings(variant="int8")
    keys = {cache_key(tiny_source, s) for s in
            [base, replace(base, variant="q4"), replace(base, shard_bytes=123), replace(base, opset=17)]}
    assert len(keys) == 4
    assert cache_key(tiny_source, base) == cache_key(tiny_source, ExportSettings(variant="int8"))


def test_a_changed_shard_size_exports_again_from_the_same_optimum_export(variant_exports, tiny_source,
                                                                          export_cache):
    optimum_before = sorted(export_cache.glob("optimum-*"))
    export = export_model(tiny_source, export_cache, ExportSettings(variant="int8", shard_bytes=700_000))
    assert export.fresh and export.dir != variant_exports["int8"].dir
    assert len(export.record["shards"]) > len(variant_exports["int8"].record["shards"])
    assert sorted(export_cache.glob("optimum-*")) == optimum_before


def test_an_interrupted_entry_is_not_trusted(variant_exports, tiny_source, export_cache):
    """An entry without its export.json (a crash before the rename) is exported again."""
    settings = ExportSettings(variant="fp32", shard_bytes=900_000)
    target = export_cache / cache_key(tiny_source, settings)
    target.mkdir()
    (target / "model.onnx").write_bytes(b"half")
    export = export_model(tiny_source, export_cache, settings)
    assert export.fresh and export.dir == target
    assert (target / "model.onnx").stat().st_size > 4
