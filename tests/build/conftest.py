"""Export fixtures: the tiny model in every variant, with shards small enough that even it is
cut into several, each laid out as a model-only site (manifest + graph + shards)."""
import pytest

from export.model.onnx_export import ExportSettings, export_model
from export.model.quantize import VARIANTS
from export.model.source import resolve

# The tiny model's weights are 2-13 MB: 1 MB shards give every variant several of them.
SMALL_SHARDS = 1_000_000


@pytest.fixture(scope="session")
def tiny_source(tiny_model):
    return resolve(str(tiny_model))


@pytest.fixture(scope="session")
def variant_exports(tiny_source, export_cache):
    return {variant: export_model(tiny_source, export_cache, ExportSettings(variant=variant, shard_bytes=SMALL_SHARDS))
            for variant in VARIANTS}


@pytest.fixture(scope="session")
def variant_sites(variant_exports, tiny_source, tmp_path_factory):
    from benchmarks.export_wasm import model_site

    root = tmp_path_factory.mktemp("variant-sites")
    return {variant: model_site(export, tiny_source, root / variant) for variant, export in variant_exports.items()}
