"""The baked figure data is true to the model, and the prose quotes exactly that data.

Expected values are recomputed independently here with numpy from the site's own ONNX model
(native onnxruntime), not with the sampling package that baked them.
"""
from html.parser import HTMLParser
from types import SimpleNamespace

import numpy as np
import pytest

from export.figures.bake import model_facts
from export.site.manifest import read_manifest
from export.model.onnx_runner import OnnxLM
from export.story.prose import FORMATS, resolve
from tests.models import gpt2_tokenizer

REL = 2e-3  # the JSON keeps 4 significant digits


@pytest.fixture(scope="module")
def model(story_site):
    lm = OnnxLM(story_site)
    tokenizer = gpt2_tokenizer()

    cache = {}

    def logits(prompt):
        if prompt not in cache:
            lm.reset()
            cache[prompt] = lm.step(tokenizer.encode(prompt)).astype(np.float64)
        return cache[prompt]
    return SimpleNamespace(lm=lm, tokenizer=tokenizer, logits=logits)


def softmax(z, t=1.0):
    w = np.exp((z - z.max()) / t)
    return w / w.sum()


def test_every_baked_kind_is_present(figure_data):
    kinds = {kind for kind, _ in figure_data.values()}
    assert kinds >= {"distribution", "tokens", "softmax", "greedy", "draws", "cdf", "longtail",
                     "generation", "pipeline", "cut", "surprise"}
    for fid, (kind, data) in figure_data.items():
        assert data["kind"] == kind, fid
        for control in data.get("controls", []):
            assert control["default"] in control["values"], (fid, control["name"])


def test_distributions_match_the_model(figure_data, model):
    for fid, (kind, data) in figure_data.items():
        if kind != "distribution":
            continue
        for key, cases in data["states"].items():
            settings = dict(zip([c["name"] for c in data["controls"] if not c.get("view")], key.split(",")))
            if set(settings) - {"temperature", "top_k", "top_p", "min_p"}:
                continue  # the other samplers are checked against transformers in tests/sampling
            for case, state in zip(data["cases"], cases):
                z = model.logits(case["prompt"])
                expected = _truncate(z, settings)
                assert state["kept"] == int((expected > 0).sum()), (fid, key)
                assert sorted(case["ids"]) == sorted(np.argsort(-z)[:len(case["ids"])].tolist())
                np.testing.assert_allclose(state["p"], expected[case["ids"]], rtol=REL, atol=1e-12)
                rest = expected.sum() - expected[case["ids"]].sum()
                assert state["rest"] == pytest.approx(rest, rel=REL, abs=1e-12), (fid, key)


def _truncate(z, settings):
    """transformers' order: temperature, then top-k, top-p, min-p."""
    t = float(settings.get("temperature", 1))
    if t == 0:
        out = np.zeros_like(z)
        out[np.argmax(z)] = 1.0
        return out
    p = softmax(z, t)
    keep = np.ones_like(p, dtype=bool)
    k = int(settings.get("top_k", 0))
    if k:
        keep &= z >= np.sort(z)[-k]
    top_p = float(settings.get("top_p", 1))
    if top_p < 1:
        order = np.argsort(-p, kind="stable")
        above = np.cumsum(p[order]) - p[order]  # mass of the tokens before each one
        kept = np.zeros_like(keep)
        kept[order[above < top_p]] = True
        keep &= kept
    min_p = float(settings.get("min_p", 0))
    if min_p:
        keep &= p >= min_p * p.max()
    p = np.where(keep, p, 0.0)
    return p / p.sum()


def test_greedy_and_draws_and_tail_match_the_model(figure_data, model, story_site):
    for fid, (kind, data) in figure_data.items():
        if kind == "greedy":
            expected = model.lm.greedy(model.tokenizer.encode(data["prompt"]), len(data["steps"]))
            assert [s["id"] for s in data["steps"]] == expected
            if data["loop"]:
                start, period = data["loop"]["start"], data["loop"]["period"]
                assert expected[start:-period] == expected[start + period:]
        elif kind == "draws":
            assert len(data["draws"]) == data["total"]
            assert data["counts"] == [sum(1 for _, r in data["draws"] if r == i)
                                      for i in range(len(data["ids"]) + 1)]
            p = softmax(model.logits(data["prompt"]))
            for token, row in data["draws"]:
                assert (data["ids"][row] == token) if row < len(data["ids"]) else token not in data["ids"]
            assert data["rest"] == pytest.approx(1 - p[data["ids"]].sum(), rel=REL)
        elif kind == "cdf":
            p = softmax(model.logits(data["prompt"]))
            cumulative = np.cumsum(p)
            for u, (token, start, width) in data["states"].items():
                assert token == int(np.searchsorted(cumulative, float(u) * cumulative[-1], side="right"))
                assert width == pytest.approx(p[token], rel=REL)
        elif kind == "surprise":
            ids = model.tokenizer.encode(data["prompt"])
            human = model.tokenizer.encode(data["human"])
            for i, (token, step) in enumerate(zip(human, data["texts"]["human"])):
                model.lm.reset()
                p = softmax(model.lm.step(ids + human[:i]).astype(np.float64))
                assert step["p"] == pytest.approx(p[token], rel=REL)
                assert step["rank"] == int((p > p[token]).sum()) + 1
            greedy = model.lm.greedy(ids, len(human))
            assert [s["id"] for s in data["texts"]["greedy"]] == greedy
            assert [s["id"] for s in data["texts"]["human"]] == human
            for name, steps in data["texts"].items():
                assert data["summary"][name]["low"] == sum(s["p"] < data["low_p"] for s in steps)
        elif kind == "cut":
            for i, case in enumerate(data["cases"]):
                p = softmax(model.logits(case["prompt"]))
                cumulative = np.cumsum(np.sort(p)[::-1])
                for value, states in data["states"].items():
                    expected = _truncate(model.logits(case["prompt"]), {data["rule"]: value})
                    kept = int((expected > 0).sum())
                    assert states[i]["kept"] == kept, (fid, value)
                    assert states[i]["held"] == pytest.approx(cumulative[kept - 1], rel=REL)
                for rank, mass in case["points"]:
                    assert mass == pytest.approx(cumulative[rank - 1], rel=REL)
        elif kind == "longtail":
            p = np.sort(softmax(model.logits(data["prompt"])))[::-1]
            for state in data["states"].values():
                assert state["head"] == pytest.approx(p[:state["rank"]].sum(), rel=REL)
                assert state["tail_count"] == len(p) - state["rank"]


def test_tokens_are_the_tokenizers(figure_data):
    tokenizer = gpt2_tokenizer()
    for kind, data in figure_data.values():
        if kind == "tokens":
            for sentence in data["sentences"]:
                assert sentence["ids"] == tokenizer.encode(sentence["text"])
                assert sentence["count"] == len(sentence["ids"])


class _Datums(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found, self._open = [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "span" and "datum" in attrs.get("class", ""):
            self._open = attrs | {"text": ""}

    def handle_data(self, data):
        if self._open is not None:
            self._open["text"] += data

    def handle_endtag(self, tag):
        if tag == "span" and self._open is not None:
            self.found.append(self._open)
            self._open = None


def test_the_prose_numbers_are_the_figures_numbers(story_site, figure_data):
    parser = _Datums()
    parser.feed((story_site / "index.html").read_text(encoding="utf-8"))
    data = {fid: d for fid, (_, d) in figure_data.items()}
    data["model"] = model_facts(read_manifest(story_site))
    assert len(parser.found) >= 40
    for datum in parser.found:
        value = resolve(datum["data-path"], data, "index.html")
        assert datum["text"] == FORMATS[datum["data-format"]](value), datum
        assert datum["data-value"] == (value if isinstance(value, str) else repr(value)), datum
    assert data["model"]["vocab_size"] == 50257


def test_model_facts_count_gpt2_small_parameters():
    manifest = {"model": {"name": "gpt2", "n_embd": 768, "n_layer": 12, "vocab_size": 50257, "n_ctx": 1024}}
    assert model_facts(manifest)["params"] == 124_439_808  # GPT-2 small's published size
