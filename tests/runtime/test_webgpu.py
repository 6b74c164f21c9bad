"""The model on WebGPU in the real site: a q4 build, and a q8 build whose WebGPU graph is q4's
over its own shards, loaded in headless Chromium with SwiftShader's WebGPU adapter
(tests.browser.WEBGPU_ARGS). WebGPU runs when asked for (the site's own choice passes over a
software fallback adapter such as SwiftShader, and a browser without WebGPU), generates native
onnxruntime's tokens, and each backend downloads only its own graph, shards and onnxruntime build."""
import pytest

from export.model.onnx_runner import OnnxLM
from export.site.manifest import ORT_BUILDS, graph_files, loaded_files, read_manifest
from tests.models import gpt2_tokenizer
from tests.runtime.conftest import Visit, on_each_worker
from tests.runtime.server import SiteServer

PROMPT = "Hello"


def own_files(manifest):
    """{onnxruntime build: the files a load with that build downloads and no other build does}."""
    loads = {b: set(loaded_files(manifest, b)) for b in ORT_BUILDS}
    return {b: files.difference(*(other for c, other in loads.items() if c != b)) for b, files in loads.items()}


def load_and_generate(browser, site, options):
    """Load in a fresh context with ``options``; (info, greedy ids, server hits per file only
    one onnxruntime build downloads, by build, and of the WebAssembly builds' graph and shards
    that WebGPU does not read)."""
    manifest = read_manifest(site)
    wasm_model = set(graph_files(manifest, "wasm")) - set(graph_files(manifest, "webgpu"))
    files = {**own_files(manifest), "wasm model": wasm_model}
    with SiteServer(site) as server:
        visit = Visit(browser.new_context())
        try:
            visit.open(server.url)
            info = visit.load(options)
            ids = visit.greedy(PROMPT, 5)
            ready = visit.evaluate("() => window.nexttoken.info")
        finally:
            visit.context.close()
        hits = {build: {path: server.requests_for(path) for path in paths} for build, paths in files.items()}
    assert ready == info
    return info, ids, hits


@pytest.fixture(params=["q4", "q8"])
def gpu_site(request):
    """q4 (WebGPU reads its shards) or q8 (WebGPU runs q4 on q4's own shards)."""
    return request.getfixturevalue(f"{request.param}_site")


def test_webgpu_runs_the_model_when_asked_and_downloads_only_its_own_files(gpu_site, webgpu_browser):
    info, ids, hits = load_and_generate(webgpu_browser, gpu_site, {"backend": "webgpu"})
    assert info["backend"] == "webgpu" and info["ortBuild"] == "webgpu" and info["variant"] == "q4"
    assert ids == OnnxLM(gpu_site, graph="webgpu").greedy(gpt2_tokenizer().encode(PROMPT), 5)
    assert_only_downloaded(hits, "webgpu")
    assert not any(hits["wasm model"].values()), hits


@pytest.mark.parametrize("which", ["no WebGPU", "a fallback adapter"])
def test_the_site_chooses_wasm_without_a_real_gpu(which, gpu_site, browser, webgpu_browser):
    info, ids, hits = load_and_generate(webgpu_browser if which == "a fallback adapter" else browser, gpu_site, None)
    manifest = read_manifest(gpu_site)
    assert info["backend"] == "wasm" and info["variant"] == manifest["model"]["variant"]
    assert info["ortBuild"] == "jspi"  # Chromium has JavaScript Promise Integration
    assert ids == OnnxLM(gpu_site).greedy(gpt2_tokenizer().encode(PROMPT), 5)
    assert_only_downloaded(hits, "jspi")
    assert all(n == 1 for n in hits["wasm model"].values()), hits


def assert_only_downloaded(hits, ort_build):
    """Each file only ``ort_build`` needs was downloaded once; no other build's own files were."""
    assert all(n == 1 for n in hits[ort_build].values()), hits
    assert not any(n for build in ORT_BUILDS if build != ort_build for n in hits[build].values()), hits


@pytest.mark.parametrize("options, message", [
    ({"backend": "webgpu"}, 'backend "webgpu" was asked for, but this browser offers no WebGPU adapter; '
                            'load with backend "auto" or "wasm"'),
    ({"backend": "cuda"}, 'backend must be "auto", "wasm" or "webgpu", not "cuda"'),
])
def test_a_backend_that_cannot_run_is_one_clear_error(options, message, q4_site, browser):
    with SiteServer(q4_site) as server:
        visit = Visit(browser.new_context())
        try:
            visit.open(server.url)
            error = visit.load_error(options)
        finally:
            visit.context.close()
    assert error["message"] == message


# In the engine worker, before it reads manifest.json (so before it chooses): SwiftShader's
# adapter as a real GPU's (not a fallback), and with ``fail`` one whose device cannot be had,
# as a driver onnxruntime cannot use.
REAL_GPU = """(fail) => {
    const gpu = navigator.gpu, real = gpu.requestAdapter.bind(gpu);
    gpu.requestAdapter = async (options) => {
        const adapter = await real(options);
        const info = adapter.info;
        Object.defineProperty(adapter, "info", {value: new Proxy(info, {
            get: (target, key) => key === "isFallbackAdapter" ? false : target[key]})});
        if (fail) adapter.requestDevice = () => Promise.reject(new Error("no device for this test"));
        return adapter;
    };
}"""
NOTICES = "() => { window.__notices = []; window.nexttoken.onNotice((n) => window.__notices.push(n.message)); }"


def load_on_a_real_gpu(browser, site, fail, visits=1):
    """Load with the site's own choice in a worker that sees a real GPU, ``visits`` times in the
    same context (each a fresh page); per visit (info, ids, notices), and the workers patched."""
    context = browser.new_context(service_workers="block")  # so that the route sees the worker's request
    try:
        with SiteServer(site) as server:
            visit = Visit(context)
            patched = on_each_worker(context, visit, REAL_GPU, fail)
            seen = []
            for _ in range(visits):
                visit.open(server.url, isolated=False)
                visit.evaluate(NOTICES)
                info = visit.load()
                seen.append((info, visit.greedy(PROMPT, 5), visit.evaluate("() => window.__notices")))
            return seen, len(patched)
    finally:
        context.close()


def test_the_site_chooses_webgpu_on_a_real_gpu(gpu_site, webgpu_browser):
    [(info, ids, notices)], patched = load_on_a_real_gpu(webgpu_browser, gpu_site, fail=False)
    assert patched == 1 and info["backend"] == "webgpu" and info["variant"] == "q4"
    assert ids == OnnxLM(gpu_site, graph="webgpu").greedy(gpt2_tokenizer().encode(PROMPT), 5)
    assert not [n for n in notices if "WebGPU" in n]


def test_a_webgpu_that_fails_to_start_falls_back_to_wasm_with_a_notice(gpu_site, webgpu_browser):
    [(info, ids, notices), (again, again_ids, again_notices)], patched = load_on_a_real_gpu(
        webgpu_browser, gpu_site, fail=True, visits=2)
    # A fresh worker ran WebAssembly (freeing what the WebGPU build held), asked for it, on the
    # WebAssembly variant (q8: its own graph and shards, not the ones WebGPU had downloaded).
    variant = read_manifest(gpu_site)["model"]["variant"]
    assert info["backend"] == "wasm" and info["variant"] == variant
    assert ids == OnnxLM(gpu_site).greedy(gpt2_tokenizer().encode(PROMPT), 5)
    assert [n for n in notices if n.startswith("WebGPU could not run the model here (")
            and n.endswith("), so it runs on WebAssembly instead (each token takes longer).")], notices
    # The next visit of the same build goes straight to WebAssembly: one worker, no notice.
    assert patched == 3 and again["backend"] == "wasm" and again_ids == ids
    assert not [n for n in again_notices if "WebGPU" in n], again_notices
