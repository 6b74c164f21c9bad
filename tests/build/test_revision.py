"""--revision: a Hub model pinned to a commit, and the commit recorded in manifest.json.

The Hub is out of reach here, so the pinned commit is served from a Hub cache laid out the way
huggingface_hub writes it (models--ORG--NAME/snapshots/COMMIT), with the library offline: the
real snapshot_download finds it there, as it would on a build machine that fetched it before.
"""
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from export.site import build
from export.errors import BuildError
from export.site.manifest import read_manifest

ROOT = Path(__file__).resolve().parents[2]
from export.model.source import resolve

COMMIT = "607a30d783dfa663caf39e06633721c8d4cfcd7e"


@pytest.fixture
def hub_cache(tiny_model, tmp_path, monkeypatch):
    from huggingface_hub import constants

    snapshot = tmp_path / "hub" / "models--test--tiny-gpt2" / "snapshots" / COMMIT
    shutil.copytree(tiny_model, snapshot)
    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(tmp_path / "hub"))
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", True)
    return snapshot


def test_a_pinned_commit_is_exported_and_recorded(hub_cache, export_cache, tmp_path):
    source = resolve("test/tiny-gpt2", revision=COMMIT)
    assert source.path == hub_cache
    assert (source.fingerprint, source.revision) == (COMMIT, COMMIT)
    build.build(model="test/tiny-gpt2", revision=COMMIT, out=tmp_path / "site", cache_dir=export_cache,
                log=lambda *a: None)
    model = read_manifest(tmp_path / "site")["model"]
    assert (model["name"], model["revision"], model["fingerprint"]) == ("test/tiny-gpt2", COMMIT, COMMIT)


def test_a_local_directory_has_no_revision(tiny_model):
    assert resolve(str(tiny_model)).revision is None
    with pytest.raises(BuildError, match=r"--revision abc: .* is a local directory, which has no revisions"):
        resolve(str(tiny_model), revision="abc")


def test_the_command_line_passes_the_revision(tiny_model, tmp_path):
    run = subprocess.run([sys.executable, "build.py", "--model", str(tiny_model), "--revision", "main",
                          "--out", str(tmp_path / "out")], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert run.returncode == 1
    assert "--revision main:" in run.stderr
    assert not (tmp_path / "out").exists()
