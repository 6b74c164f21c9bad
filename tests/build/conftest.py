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


# One layer of width 128: every matrix a whole number of 8-bit blocks (128), which the tiny
# model's width (64) is not, so the WebGPU graph's 8-bit kernels are exercised too.
WIDE = dict(n_layer=1, n_head=2, n_embd=128, n_positions=64)
BLOCKED = ("int8", "q4", "q4h8")


@pytest.fixture(scope="session")
def wide_source(tmp_path_factory):
    from tests.models import make_gpt2

    return resolve(str(make_gpt2(tmp_path_factory.mktemp("wide-gpt2"), **WIDE)))


@pytest.fixture(scope="session")
def wide_exports(wide_source, export_cache):
    """The blocked variants and q8 of a 1-layer, width-128 random GPT-2."""
    return {variant: export_model(wide_source, export_cache, ExportSettings(variant=variant))
            for variant in (*BLOCKED, "q8")}


@pytest.fixture(scope="session")
def wide_sites(wide_exports, wide_source, tmp_path_factory):
    """The blocked variants of that model, each a model-only site."""
    from benchmarks.export_wasm import model_site

    root = tmp_path_factory.mktemp("wide-sites")
    return {variant: model_site(wide_exports[variant], wide_source, root / variant) for variant in BLOCKED}
