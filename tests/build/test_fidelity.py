"""Fidelity against float32 and the choice of the default variant."""

from export.model import fidelity
from export.model.fidelity import MAX_KL, MIN_TOP1, TEXTS, Fidelity
from export.model.onnx_export import ExportSettings, export_model
from export.model.quantize import AUTO_ORDER
from export.model.shard import inference_session
from tests.models import gpt2_tokenizer


def test_the_texts_are_a_few_hundred_tokens_of_english():
    tokenizer = gpt2_tokenizer()
    counts = [len(tokenizer.encode(text)) for text in TEXTS]
    assert 250 <= sum(counts) <= 600 and max(counts) <= 128  # each fits the tiny model's context


def test_a_model_is_perfectly_faithful_to_itself(variant_exports, tiny_source):
    export = variant_exports["int8"]
    s = inference_session(export.dir / "model.onnx", [export.dir / n for n in export.record["shards"]])
    tokens = fidelity.encode_texts(tiny_source.path, 128)
    result = fidelity.measure(s, s, tokens)
    assert result.top1 == 1.0 and result.kl < 1e-12 and result.positions == sum(map(len, tokens))


def test_deduplicated_fp32_is_exactly_faithful(variant_exports):
    f = Fidelity.from_dict(variant_exports["fp32"].record["fidelity"])
    assert f.top1 == 1.0 and f.kl < 1e-9 and f.faithful


def test_quantization_costs_fidelity_in_order(variant_exports):
    kl = {v: e.record["fidelity"]["kl"] for v, e in variant_exports.items()}
    assert kl["fp32"] < kl["int8"] < kl["q4"]


def test_the_bar():
    assert Fidelity(top1=MIN_TOP1, kl=MAX_KL, positions=1).faithful
    assert not Fidelity(top1=MIN_TOP1 - 0.001, kl=0.0, positions=1).faithful
    assert not Fidelity(top1=1.0, kl=MAX_KL * 1.01, positions=1).faithful


def test_auto_picks_the_smallest_faithful_variant(variant_exports, tiny_source, export_cache):
    chosen = export_model(tiny_source, export_cache, ExportSettings(variant="auto", shard_bytes=1_000_000))
    faithful = [v for v in AUTO_ORDER if Fidelity.from_dict(variant_exports[v].record["fidelity"]).faithful]
    assert chosen.variant == faithful[0]
    assert len(chosen.report) == AUTO_ORDER.index(chosen.variant) + 1
    assert "<- chosen" in chosen.report[-1]


def test_auto_falls_back_to_float32_when_nothing_smaller_meets_the_bar(variant_exports, tiny_source,
                                                                         export_cache, monkeypatch):
    monkeypatch.setattr(fidelity, "MAX_KL", 0.0)  # no quantized export can meet this bar
    chosen = export_model(tiny_source, export_cache, ExportSettings(variant="auto", shard_bytes=1_000_000))
    assert chosen.variant == "fp32" and not chosen.fresh  # every candidate came from the cache
    assert [line.split()[0] for line in chosen.report] == list(AUTO_ORDER)
    assert all("below the bar" in line for line in chosen.report[:-1])


def test_report_lines_show_size_agreement_and_kl():
    results = {"int8": {"bytes": 125_300_000, "fidelity": {"top1": 0.991, "kl": 0.0021, "positions": 400}}}
    (line,) = fidelity.report_lines(results, "int8")
    assert "125.3 MB" in line and "99.1%" in line and "2.10e-03" in line and "chosen" in line
