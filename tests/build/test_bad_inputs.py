"""Each bad input gives one clear line on stderr, exit status 1, and leaves --out as it was."""
import http.server
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from export.site import build
from export.errors import BuildError

ROOT = Path(__file__).resolve().parents[2]


def _earlier_build(tmp_path) -> Path:
    out = tmp_path / "out"
    (out / "keep").mkdir(parents=True)
    (out / "manifest.json").write_text("{}")
    return out


def _build(*args, env=None, file_limit=None):
    def limit_files():  # a disk that fills up: writes past the limit fail with EFBIG
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (file_limit, file_limit))

    return subprocess.run([sys.executable, "build.py", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=300, env={**os.environ, **(env or {})},
                          preexec_fn=limit_files if file_limit else None)


def _assert_one_line_failure(result, out, *words):
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 1 and len(lines) == 1, result.stderr[-2000:]
    for word in words:
        assert word in lines[0], lines[0]
    assert sorted(p.name for p in out.iterdir()) == ["keep", "manifest.json"]


class _NoSuchRepo(http.server.BaseHTTPRequestHandler):
    """Answers like the Hugging Face Hub does for a repository that does not exist."""

    def do_GET(self):
        self.send_response(404)
        self.send_header("X-Error-Code", "RepoNotFound")
        self.send_header("X-Error-Message", "Repository not found")
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(json.dumps({"error": "Repository not found"}).encode())

    def log_message(self, *args):
        pass


def test_unknown_hub_id(tmp_path):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _NoSuchRepo)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    out = _earlier_build(tmp_path)
    try:
        result = _build("--model", "nobody/no-such-model", "--out", str(out), "--cache-dir", str(tmp_path / "c"),
                        env={"HF_ENDPOINT": f"http://127.0.0.1:{server.server_address[1]}"})
    finally:
        server.shutdown()
    _assert_one_line_failure(result, out, "nobody/no-such-model", "no such model")


def test_malformed_hub_id(tmp_path):
    out = _earlier_build(tmp_path)
    result = _build("--model", "not/a/hub/id", "--out", str(out), "--cache-dir", str(tmp_path / "c"))
    _assert_one_line_failure(result, out, "not/a/hub/id", "not a Hugging Face Hub id")


@pytest.mark.parametrize("damage", ["truncated-weights", "impossible-shape"])
def test_corrupt_local_checkpoint(damage, tiny_model, tmp_path):
    ckpt = tmp_path / "ckpt"
    ckpt.mkdir()
    for f in tiny_model.iterdir():
        (ckpt / f.name).write_bytes(f.read_bytes())
    if damage == "truncated-weights":
        weights = ckpt / "model.safetensors"
        weights.write_bytes(weights.read_bytes()[: weights.stat().st_size // 3])
    else:
        config = json.loads((ckpt / "config.json").read_text())
        config["n_head"] = 7  # 64 is not divisible by 7
        (ckpt / "config.json").write_text(json.dumps(config))
    out = _earlier_build(tmp_path)
    # In process (the subprocess tests above cover main()'s printing): BuildError is the one line.
    with pytest.raises(BuildError) as err:
        build.build(model=str(ckpt), out=out, cache_dir=tmp_path / "c", log=lambda *a: None)
    assert "\n" not in str(err.value) and str(ckpt) in str(err.value) and "could not export" in str(err.value)
    assert sorted(p.name for p in out.iterdir()) == ["keep", "manifest.json"]


def test_full_disk_while_exporting(tiny_model, tmp_path):
    out = _earlier_build(tmp_path)
    result = _build("--model", str(tiny_model), "--out", str(out), "--cache-dir", str(tmp_path / "c"),
                    file_limit=2_000_000)
    _assert_one_line_failure(result, out, "export failed writing", "disk space")
    assert not any((tmp_path / "c").glob("*/export.json"))  # no half-written entry kept


def test_full_disk_while_writing_the_site(tiny_model, tiny_site, export_cache, tmp_path):
    """The export is cached (tiny_site made it), so the first big write is the site's model copy."""
    out = _earlier_build(tmp_path)
    result = _build("--model", str(tiny_model), "--out", str(out), "--cache-dir", str(export_cache),
                    file_limit=1_000_000)
    _assert_one_line_failure(result, out, "writing the site", "disk space")
    assert not list(tmp_path.glob(".out-*"))  # the staging directory is gone


def test_a_bad_sampler_declaration_is_one_clear_build_error(tmp_path):
    from export.site.manifest import sampling_schema

    python = tmp_path / "python"
    shutil.copytree(ROOT / "site_src" / "python", python)
    params = python / "nexttoken/sampling/params.py"
    text = params.read_text(encoding="utf-8")
    params.write_text(text.replace("slider=(0, 2), step=0.05", "slider=(-1, 2), step=0.05", 1), encoding="utf-8")
    with pytest.raises(BuildError, match=r"sampling schema .* failed to load: ValueError: Temperature: "
                                         r"slider \(-1, 2\) must be two values in \[0, inf\]; fix") as err:
        sampling_schema(python)
    assert "\n" not in str(err.value)
    assert sampling_schema(ROOT / "site_src" / "python")["fields"][0]["name"] == "temperature"
