"""build.py: a complete, hashed, self-contained site; cached exports; clean failures."""
import json
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from export.site import build
from export.errors import BuildError
from export.site.manifest import loaded_files, read_manifest
from export.model.source import file_sha256

ROOT = Path(__file__).resolve().parents[2]


def test_manifest_lists_every_file_with_its_hash(tiny_site):
    manifest = read_manifest(tiny_site)
    assert manifest["model"]["vocab_size"] == 50257
    assert manifest["model"]["n_ctx"] == 128
    assert manifest["onnx"]["model"] in manifest["files"]
    assert len(manifest["onnx"]["cache"]) == 2 * manifest["model"]["n_layer"]
    assert manifest["model"]["variant"] in ("fp32", "int8", "q4")
    assert {"top1", "kl", "positions"} <= set(manifest["model"]["fidelity"])
    assert {"optimum-onnx", "onnxruntime", "torch"} <= set(manifest["tools"])
    assert all(rel in manifest["files"] for rel in manifest["onnx"]["external_data"]["shards"])
    for rel, entry in manifest["files"].items():
        path = tiny_site / rel
        assert path.stat().st_size == entry["bytes"], rel
        assert file_sha256(path) == entry["sha256"], rel
    for rel in manifest["python"]:
        assert rel.startswith("assets/python/nexttoken/")


def test_pages_reference_only_relative_urls(tiny_site):
    for page in ["index.html", "credits.html"]:
        html = (tiny_site / page).read_text()
        assert 'src="/' not in html and 'href="/' not in html, page
        assert "http://" not in html.replace("http://www.w3.org", "")
        for name in ("assets/js/api.js", "assets/js/main.js", "assets/css/site.css"):
            assert (tiny_site / name).is_file()


def test_pages_name_the_model_never_a_path_of_the_build_machine(tiny_site, tiny_model):
    manifest = read_manifest(tiny_site)
    assert manifest["model"]["name"] == tiny_model.name
    for page in ["index.html", "credits.html", "playground.html", "embed.html", "manifest.json"]:
        text = (tiny_site / page).read_text()
        assert str(tiny_model.parent) not in text, page
        if page != "manifest.json":
            assert f"<code>{tiny_model.name}</code>" in text, page


def test_model_random_builds_the_site_from_local_random_weights(monkeypatch, tmp_path):
    """--model random needs no Hub: the checkpoint is made under the cache (here in the tiny
    shape; the real option makes GPT-2 small's), and every page says the model is untrained."""
    from export.model import random_model
    from tests.models import TINY

    monkeypatch.setattr(random_model, "CONFIG", TINY)
    lines = []
    build.build(model="random", out=tmp_path / "dist", cache_dir=tmp_path / "cache", log=lines.append)
    made = list((tmp_path / "cache").glob("random-*"))
    assert len(made) == 1 and (made[0] / "vocab.json").is_file()
    assert read_manifest(tmp_path / "dist")["model"]["name"] == "random"
    assert any(line.startswith("warning: random looks untrained") for line in lines)
    for page in ["index.html", "credits.html", "playground.html", "embed.html"]:
        assert 'class="untrained-banner"' in (tmp_path / "dist" / page).read_text(), page


def test_every_page_states_the_same_download_size(tiny_site):
    """The loader's button and the playground's Run button count everything a model load on
    WebAssembly fetches, with the larger of onnxruntime's two WebAssembly builds: the
    manifest's files and the runtimes, each file once, but the WebGPU graph and runtime, which
    only a WebGPU load fetches (instead of the WASM ones)."""
    manifest = read_manifest(tiny_site)
    sizes = [sum((tiny_site / rel).stat().st_size for rel in loaded_files(manifest, b)) for b in ("wasm", "jspi")]
    megabytes = f"{max(sizes) / 1e6:.0f}"
    stated = set()
    for page in ["index.html", "playground.html", "embed.html"]:
        html = (tiny_site / page).read_text()
        stated |= set(re.findall(r'data-download-mb="([0-9]+)"', html))
        stated |= set(re.findall(r"data-loader-start>Load [^,]+, ([0-9]+) MB<", html))
    assert stated == {megabytes}


def test_second_build_reuses_the_export(tiny_model, export_cache, tmp_path):
    messages = []
    start = time.perf_counter()
    build.build(model=str(tiny_model), out=tmp_path / "again", cache_dir=export_cache, log=messages.append)
    assert "cached export" in messages[0]
    assert "fidelity" in messages[1] and "<- chosen" in messages[1]  # the report, on every build
    assert time.perf_counter() - start < 30


def test_a_changed_model_exports_again(tiny_model, tmp_path):
    from export.model.onnx_export import ExportSettings, cache_key
    from export.model.source import resolve

    before = cache_key(resolve(str(tiny_model)), ExportSettings())
    changed = tmp_path / "changed"
    changed.mkdir()
    for f in tiny_model.iterdir():
        (changed / f.name).write_bytes(f.read_bytes())
    config = json.loads((changed / "config.json").read_text())
    config["layer_norm_epsilon"] = 1e-6
    (changed / "config.json").write_text(json.dumps(config))
    assert cache_key(resolve(str(changed)), ExportSettings()) != before
    assert cache_key(resolve(str(tiny_model)), ExportSettings(opset=17)) != before


def _run_build(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "build.py", *args], cwd=cwd, capture_output=True, text=True, timeout=120)


def test_unreachable_hub_fails_fast_with_one_line(tmp_path):
    out = tmp_path / "out"
    start = time.perf_counter()
    result = _run_build("--out", str(out), "--cache-dir", str(tmp_path / "cache"))
    assert result.returncode == 1
    assert time.perf_counter() - start < 30
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Hugging Face Hub" in lines[0] and "--model PATH" in lines[0] and "--model random" in lines[0]
    assert not out.exists()


@pytest.mark.parametrize("problem", ["missing", "not-gpt2", "no-tokenizer", "bad-json"])
def test_bad_local_checkpoints_get_one_clear_line(problem, tiny_model, tmp_path):
    ckpt = tmp_path / "ckpt"
    if problem != "missing":
        ckpt.mkdir()
        for f in tiny_model.iterdir():
            (ckpt / f.name).write_bytes(f.read_bytes())
    if problem == "not-gpt2":
        config = json.loads((ckpt / "config.json").read_text())
        config["model_type"] = "bert"
        (ckpt / "config.json").write_text(json.dumps(config))
    elif problem == "no-tokenizer":
        (ckpt / "merges.txt").unlink()
    elif problem == "bad-json":
        (ckpt / "config.json").write_text("{not json")
    out = tmp_path / "out"
    (out / "keep").mkdir(parents=True)
    (out / "manifest.json").write_text("{}")  # an earlier build: must survive untouched
    with pytest.raises(BuildError) as err:
        build.build(model=str(ckpt), out=out, cache_dir=tmp_path / "cache", log=lambda *a: None)
    assert "\n" not in str(err.value) and "--model" in str(err.value)
    assert sorted(p.name for p in out.iterdir()) == ["keep", "manifest.json"]


def test_refuses_to_replace_a_directory_that_is_not_a_build(tiny_model, tmp_path):
    out = tmp_path / "precious"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    with pytest.raises(BuildError, match="not empty"):
        build.build(model=str(tiny_model), out=out, cache_dir=tmp_path / "cache", log=lambda *a: None)
    assert (out / "notes.txt").read_text() == "mine"
