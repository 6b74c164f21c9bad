"""Every variant runs in onnxruntime-web's WASM build (headless Chromium, the site's own
model.js joining the shards) and gives native onnxruntime's tokens and logits."""
import numpy as np
import pytest

from benchmarks.export_wasm import run_in_browser
from export.model.onnx_runner import OnnxLM
from tests.models import gpt2_tokenizer

PROMPT = "Once upon a time, in a quiet town by the sea,"


@pytest.mark.parametrize("variant", ["fp32", "int8", "q4", "q4h8", "q8"])
def test_browser_matches_native(variant, variant_sites, browser):
    site = variant_sites[variant]
    ids = gpt2_tokenizer().encode(PROMPT)
    result = run_in_browser(browser, site, ids, steps=8)
    lm = OnnxLM(site)
    native_first = lm.step(ids)
    assert len(lm.manifest["onnx"]["external_data"]["shards"]) > 1  # the page joined several
    assert np.max(np.abs(np.array(result["first"]) - native_first)) <= 1e-4
    assert result["ids"] == lm.greedy(ids, 8)
