"""runtime/store.js: the one place that names the site's caches and decides which stored files are
stale, shared by the engine (imported) and the service worker (inlined by the build)."""
import json
import re
import subprocess
from pathlib import Path

from export.site import assets

SITE_SRC = Path(__file__).resolve().parents[2] / "site_src"
STORE = SITE_SRC / "js" / "runtime" / "store.js"

SCRIPT = """
const store = await import(process.argv[1]);
const manifest = {build_id: "b1", files: {"model/m.onnx": {sha256: "aa"}},
                  runtimes: {files: {"vendor/x.wasm": {sha256: "bb"}}}};
const a = store.cacheNames("https://user.github.io/a/"), b = store.cacheNames("https://user.github.io/b/");
console.log(JSON.stringify({
  a: {files: a.files, shell: a.shell("b1"), prefix: a.shellPrefix, builds: a.builds},
  b: {files: b.files, shell: b.shell("b1")},
  nested: store.cacheNames("https://user.github.io/a/b/").shell("b1"),
  keys: store.manifestKeys("https://user.github.io/a/", manifest),
}));
"""


def test_cache_names_carry_the_scope():
    out = subprocess.run(["node", "--input-type=module", "-e", SCRIPT, STORE.as_uri()],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    names = json.loads(out.stdout)
    assert names["a"] == {"files": "nexttoken-files /a/", "shell": "nexttoken-shell /a/ b1",
                          "prefix": "nexttoken-shell /a/ ", "builds": "nexttoken-builds /a/"}
    assert names["b"] == {"files": "nexttoken-files /b/", "shell": "nexttoken-shell /b/ b1"}
    # /a/'s prefix must not take in the caches of a site under /a/b/
    assert not names["nested"].startswith(names["a"]["prefix"])
    assert names["keys"] == ["https://user.github.io/a/model/m.onnx?sha256=aa",
                             "https://user.github.io/a/vendor/x.wasm?sha256=bb"]


def test_cache_code_is_written_once():
    # Every cache name and content key is made in store.js; sw.js and the engine only call it.
    sources = {p: p.read_text() for p in [SITE_SRC / "sw.js", *(SITE_SRC / "js").rglob("*.js")]}
    for path, text in sources.items():
        if path == STORE:
            continue
        assert not re.search(r"[\"'`]nexttoken-(files|shell|builds)", text), f"{path} names a cache itself"
        assert not re.search(r"function (contentKey|cacheNames|pruneFiles)\b|FILE_CACHE", text), path
    # The built worker carries store.js itself, its exports made plain.
    built = assets.service_worker(SITE_SRC)
    assert "function cacheNames(root)" in built and "\nexport " not in built
    subprocess.run(["node", "--check", "-"], input=built, text=True, check=True, timeout=60)
