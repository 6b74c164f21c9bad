"""build_id covers every file the pages load: model, Python, runtimes, and the HTML, JS, CSS
and images too; the pages carry it (data-build) and manifest.json holds it."""
import shutil

from export.site.manifest import PENDING_BUILD_ID, read_manifest, stamp_build_id, write_manifest
from export.model.source import file_sha256


def make_site(root):
    files = {"model/model.onnx": b"graph", "assets/python/nexttoken/a.py": b"x = 1\n",
             "vendor/pyodide/pyodide.mjs": b"export {}", "assets/js/api.js": b"// api",
             "assets/css/site.css": b"body {}", "sw.js": b"// sw",
             "index.html": f'<script data-build="{PENDING_BUILD_ID}"></script>'.encode()}
    for rel, data in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(data)
    entry = lambda rel: {"bytes": len(files[rel]), "sha256": file_sha256(root / rel)}  # noqa: E731
    manifest = {"build_id": PENDING_BUILD_ID,
                "files": {rel: entry(rel) for rel in ("model/model.onnx", "assets/python/nexttoken/a.py")},
                "runtimes": {"files": {"vendor/pyodide/pyodide.mjs": entry("vendor/pyodide/pyodide.mjs")}}}
    write_manifest(root, manifest)
    return manifest


def test_every_file_a_page_loads_changes_the_build_id(tmp_path):
    base = tmp_path / "base"
    base.mkdir()
    manifest = make_site(base)
    reference = tmp_path / "reference"
    shutil.copytree(base, reference)
    first = stamp_build_id(reference, dict(manifest))
    assert read_manifest(reference)["build_id"] == first != PENDING_BUILD_ID
    assert (reference / "index.html").read_text() == f'<script data-build="{first}"></script>'
    again = tmp_path / "again"
    shutil.copytree(base, again)
    assert stamp_build_id(again, dict(manifest)) == first  # the same files, the same id
    for rel in ("assets/js/api.js", "assets/css/site.css", "sw.js", "index.html"):
        changed = tmp_path / rel.replace("/", "_")
        shutil.copytree(base, changed)
        with open(changed / rel, "ab") as f:
            f.write(b" ")
        assert stamp_build_id(changed, dict(manifest)) != first, rel
