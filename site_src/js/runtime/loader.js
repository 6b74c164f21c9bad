// Loading the runtimes: check the browser can run it, choose the backend and thread count, then
// download Pyodide's files and the model's in parallel (fetch.js) and start each runtime as
// soon as its own files are in, so Python starts up while the model is still downloading.
import { Downloader, LoadError, Progress, fetchManifest, release, serveHeldFiles, siteRoot } from "./fetch.js";
import { chooseOrtBuild, loadModel, ortBuildFiles } from "./model.js";
import { loadPython } from "./python.js";
import { holdBuild, pruneFiles } from "./store.js";
import { fallbacks, unsupported } from "./support.js";

export const OUT_OF_MEMORY = "The browser ran out of memory for the model. Close other tabs or " +
  "programs, then reload the page and press Load again.";

/** True for the ways WASM runtimes and typed arrays report a failed allocation. */
export function isOutOfMemory(text) {
  return /out of memory|array buffer allocation failed|could not allocate|cannot allocate|MemoryError|\bOOM\b|failed to allocate|Memory\.grow/i
    .test(String(text));
}

export function checkSupport() {
  const problem = unsupported();
  if (problem) throw new LoadError("unsupported", problem);
}

/** WASM threads need SharedArrayBuffer, which only a cross-origin-isolated page has. */
export function threadCount() {
  return globalThis.crossOriginIsolated ? Math.max(1, Math.min(4, navigator.hardwareConcurrency || 1)) : 1;
}

/** Paths of the files to download, grouped by the runtime that needs them, for the model run
 *  by onnxruntime-web's build `ortBuild` ("wasm", "jspi" or "webgpu", model.js chooseOrtBuild:
 *  each has its own onnxruntime files, and "webgpu" its own graph). */
export function fileGroups(manifest, ortBuild = "wasm") {
  const runtimes = Object.entries(manifest.runtimes.files ?? {});
  const of = (name) => runtimes.filter(([, entry]) => entry.runtime === name).map(([path]) => path);
  const python = new Set([...manifest.python, ...Object.values(manifest.tokenizer)]);
  const { graph, weights, runtime } = ortBuildFiles(manifest, ortBuild);
  return { python: [...of("pyodide"), ...python], onnxruntime: runtime, model: [graph, ...weights.shards] };
}

const BACKENDS = ["auto", "wasm", "webgpu"];
const ADAPTER_MS = 5000;

/** The browser's WebGPU adapter, or null (none, an error, or no answer within ADAPTER_MS). */
async function gpuAdapter() {
  let timer;
  const none = new Promise((resolve) => { timer = setTimeout(() => resolve(null), ADAPTER_MS); });
  try {
    return await Promise.race([Promise.resolve(globalThis.navigator?.gpu?.requestAdapter()).catch(() => null), none]);
  } catch {
    return null;  // requestAdapter threw before returning a promise
  } finally {
    clearTimeout(timer);
  }
}

/** "webgpu" when the build has a WebGPU graph and the browser a GPU adapter that is not a
 *  software fallback (such as SwiftShader, slower than WebAssembly); else "wasm". `asked`
 *  "wasm" or "webgpu" overrides that (the tests run WebGPU on SwiftShader). */
export async function chooseBackend(manifest, asked = "auto") {
  if (!BACKENDS.includes(asked)) {
    throw new LoadError("options", `backend must be "auto", "wasm" or "webgpu", not ${JSON.stringify(asked)}`);
  }
  if (asked === "wasm" || (asked === "auto" && !manifest.onnx.webgpu)) return "wasm";
  if (!manifest.onnx.webgpu) {
    throw new LoadError("options", `backend "webgpu" was asked for, but this build's ${manifest.model.variant} ` +
      "model has no WebGPU graph; load it with backend \"auto\" or \"wasm\"");
  }
  const adapter = await gpuAdapter();
  if (asked === "webgpu") {
    if (!adapter) throw new LoadError("unsupported", "backend \"webgpu\" was asked for, but this browser offers no WebGPU adapter; load with backend \"auto\" or \"wasm\"");
    return "webgpu";
  }
  return adapter && !(adapter.info?.isFallbackAdapter ?? adapter.isFallbackAdapter) ? "webgpu" : "wasm";
}

// Tuning the page may pass to load(): seconds and counts, checked and converted to ms;
// `threads: 1` runs the model on one thread (api.js asks for it after a stuck threaded start);
// `backend`: "auto" (the default), "wasm" or "webgpu" (chooseBackend).
function tuning({ retries, stallSeconds, retryDelaySeconds, concurrency, startUpSeconds, threads, backend } = {}) {
  const out = { startUpMs: startUpSeconds > 0 ? startUpSeconds * 1000 : null, oneThread: threads === 1, backend: backend ?? "auto" };
  if (Number.isInteger(retries) && retries >= 0) out.retries = retries;
  if (stallSeconds > 0) out.stallMs = stallSeconds * 1000;
  if (retryDelaySeconds >= 0) out.retryDelayMs = retryDelaySeconds * 1000;
  if (Number.isInteger(concurrency) && concurrency > 0) out.concurrency = concurrency;
  return out;
}

// A runtime's start-up (its files are all in by then) that takes longer than this is stuck:
// the load fails with code "startup" rather than hanging, and api.js starts a fresh worker
// once. A phone starts GPT-2 in well under a minute. On several threads the limit is shorter
// and the code is "startup-threads": Firefox sometimes never finishes creating onnxruntime's
// InferenceSession when it has threads (about one load in three here; never on one thread), and the
// fresh worker then runs on one thread (docs/runtime.md).
const START_UP_MS = 90_000;
const THREADED_START_UP_MS = 30_000;

function startUp(what, promise, ms, threads) {
  let timer;
  const stuck = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new LoadError(threads > 1 ? "startup-threads" : "startup",
      `Starting ${what} took over ${ms / 1000} s, so it was given up. Reload the page and press Run again.`)), ms);
  });
  return Promise.race([promise, stuck]).finally(() => clearTimeout(timer));
}

/**
 * Load everything; resolves to {manifest, model, py, workerApi, info}. `signal` cancels the
 * downloads; onProgress({loaded, total, seconds_left}) as bytes arrive, and
 * onProgress({stage, ms}) as each runtime starts; onNotice({code, message}).
 */
export async function loadRuntime(options, { signal, onProgress, onNotice }) {
  const started = performance.now();
  checkSupport();
  const manifest = await fetchManifest();
  const { startUpMs, oneThread, backend: asked, ...downloads } = tuning(options ?? {});
  const backend = await chooseBackend(manifest, asked);
  const ortBuild = chooseOrtBuild(backend);
  const threads = oneThread ? 1 : threadCount();
  const limit = startUpMs ?? (threads > 1 ? THREADED_START_UP_MS : START_UP_MS);
  // One failure (or a cancel) stops every other download too.
  const stop = new AbortController();
  signal?.addEventListener("abort", () => stop.abort(), { once: true });
  const progress = new Progress(onProgress);
  const downloader = new Downloader(manifest, { ...downloads, signal: stop.signal, progress, onNotice });
  const groups = fileGroups(manifest, ortBuild);
  // While this worker runs, no other tab or new service worker deletes this build's files.
  await holdBuild(siteRoot, manifest).catch(() => {});
  downloader.expect([...groups.python, ...groups.onnxruntime, ...groups.model]);
  progress.report();
  // Each runtime reports when its files are in and verified ({stage: "python-files" |
  // "model-files"}) and when it is up ({stage: "python" | "model"}), with ms since the load began.
  const ready = (stage) => (value) => {
    onProgress?.({ stage, ms: performance.now() - started });
    return value;
  };
  try {
    // Every runtime, Python and tokenizer file is held once verified: python.js and model.js
    // take them (module scripts run from blob: URLs of these bytes), and the runtimes' own
    // requests for them get these bytes, rather than fetching them again (fetch.js).
    serveHeldFiles();
    const python = downloader.fetchAll(groups.python, { keep: false, hold: true }).then(ready("python-files"))
      .then(() => startUp("Python", loadPython(manifest), limit, threads)).then(ready("python"))
      .finally(() => release(groups.python));  // anything a runtime did not take
    const model = Promise.all([
      downloader.fetchAll(groups.onnxruntime, { keep: false, hold: true }),
      downloader.fetchAll(groups.model, { keep: false, hold: true }),
    ]).then(ready("model-files")).then(() => startUp("the model", loadModel(manifest, null, { backend, ortBuild, threads }), limit, threads)
      .catch((err) => {
        // WebGPU chosen by the site whose start fails (a driver without a feature onnxruntime
        // needs, a lost device; not a failed download): api.js starts a fresh worker on
        // WebAssembly, which frees what the WebGPU build holds.
        if (backend !== "webgpu" || asked === "webgpu" || stop.signal.aborted) throw err;
        // "webgpu-stuck": it only took too long, which the page does not hold against WebGPU next time.
        const stuck = err?.code === "startup" || err?.code === "startup-threads";
        throw new LoadError(stuck ? "webgpu-stuck" : "webgpu",
          `WebGPU could not run the model here (${String(err?.message ?? err).slice(0, 200)})`);
      }))
      .then(ready("model"))
      .finally(() => release(groups.onnxruntime));
    const [py, loaded] = await Promise.all([python, model]);
    progress.report();
    pruneFiles(siteRoot, manifest).catch(() => {});  // files of builds no open tab runs
    const info = { backend: loaded.backend, ortBuild: loaded.ortBuild, variant: loaded.variant, lazyWeights: loaded.lazyWeights,
      threads: loaded.threads, isolated: self.crossOriginIsolated };
    for (const message of fallbacks({ ...info, oneThreadAsked: oneThread })) onNotice?.({ code: "fallback", message });
    return { manifest, model: loaded, ...py, info };
  } catch (err) {
    stop.abort();
    release([...groups.python, ...groups.onnxruntime, ...groups.model]);
    if (signal?.aborted) throw new LoadError("cancelled", "Loading cancelled.");
    throw err;
  }
}
