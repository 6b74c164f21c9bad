// GPT-2 in onnxruntime-web: one prefill, then one-token steps that reuse the KV cache.
// Tensor names and the cache layout come from the manifest, never from this file.
import { fetchBytes, importVerified, release, siteRoot, storedAndChecked, verifiedScriptUrl } from "./fetch.js";
import { storedBlob } from "./store.js";

// onnxruntime-web's builds (export/site/assets.py vendors them): its module script, the module
// script of its threads, and its WASM. "jspi" is the WebAssembly build for browsers with
// JavaScript Promise Integration: it reads each weight from a Blob as it loads it, so weights
// stored on disk (the Cache API) are never held whole in this worker's memory.
const BUILDS = {
  wasm: ["ort.wasm.min.mjs", "ort-wasm-simd-threaded.mjs", "ort-wasm-simd-threaded.wasm"],
  jspi: ["ort.jspi.min.mjs", "ort-wasm-simd-threaded.jspi.mjs", "ort-wasm-simd-threaded.jspi.wasm"],
  webgpu: ["ort.webgpu.min.mjs", "ort-wasm-simd-threaded.asyncify.mjs", "ort-wasm-simd-threaded.asyncify.wasm"],
};
const ortModules = {};

/** The onnxruntime-web build to run `backend` ("wasm" or "webgpu") with in this browser. */
export function chooseOrtBuild(backend, scope = globalThis) {
  if (backend === "webgpu") return "webgpu";
  return typeof scope.WebAssembly?.Suspending === "function" && typeof scope.WebAssembly?.promising === "function"
    ? "jspi" : "wasm";
}

/** onnxruntime-web's build `ortBuild`, once per worker (a second loadModel, as
 *  benchmarks/bench_runtime.py makes, shares it, as import() by URL would), from the loader's
 *  verified bytes: its module script, its threads' module script and its WASM, none of which
 *  it then fetches by URL. */
async function onnxruntime(runtime, ortBuild) {
  if (ortModules[ortBuild]) return ortModules[ortBuild];
  const [module, threads, binary] = BUILDS[ortBuild];
  const ort = await importVerified(runtime + module);
  // Each of its WASM threads is a worker started from this blob: URL, possibly after start-up,
  // so the URL is kept for the worker's life (24 kB).
  ort.env.wasm.wasmPaths = { mjs: await verifiedScriptUrl(runtime + threads) };
  // Its ArrayBuffer (the bytes are a view of the whole of it): a Uint8Array would be copied.
  ort.env.wasm.wasmBinary = (await fetchBytes(runtime + binary)).buffer;
  return (ortModules[ortBuild] = ort);
}

/** What onnxruntime-web's build `ortBuild` runs: {graph, weights (its external_data: the
 *  shards and the files they make), variant, runtime (the build's own files)}. The WebGPU
 *  build runs manifest onnx.webgpu, on the same shards or on its own variant's. */
export function ortBuildFiles(manifest, ortBuild) {
  const { onnx } = manifest;
  const { model: graph, external_data: weights, variant } = ortBuild === "webgpu"
    ? onnx.webgpu : { ...onnx, variant: manifest.model.variant };
  return { graph, weights, variant, runtime: BUILDS[ortBuild].map((name) => manifest.runtimes.onnxruntime + name) };
}

/** `runtime`: {backend, ortBuild, threads} as loader.js chose them. The bytes come from
 *  fetchBytes, which hands over what the loader already downloaded and verified; with the
 *  "jspi" build, the weights come from storage as Blobs (storedBlob) when it holds them. On
 *  WebGPU the model runs the graph of 4-/8-bit kernels (manifest onnx.webgpu) and keeps its
 *  KV cache in GPU buffers. */
export async function loadModel(manifest, onProgress, { backend = "wasm", ortBuild = chooseOrtBuild(backend), threads = 1 } = {}) {
  const ort = await onnxruntime(manifest.runtimes.onnxruntime, ortBuild);
  ort.env.wasm.numThreads = threads;
  const { graph, weights, variant } = ortBuildFiles(manifest, ortBuild);
  let model = await fetchBytes(graph, onProgress);
  let { files: externalData, lazy: lazyWeights } = await weightFiles(manifest, weights, onProgress, ortBuild === "jspi");
  // session_config: onnxruntime config entries the export relies on (export/model/shard.py)
  // logSeverityLevel 3: errors only (on WebGPU it would warn that shape operators run on the CPU, as designed).
  const options = { executionProviders: [backend], externalData, extra: { ...manifest.onnx.session_config }, logSeverityLevel: 3 };
  if (backend === "webgpu") {
    options.preferredOutputLocation = Object.fromEntries(manifest.onnx.cache.map(({ present }) => [present, "gpu-buffer"]));
  }
  const inference = await ort.InferenceSession.create(model, options);
  model = externalData = null;  // onnxruntime holds its own copy now: let the bytes go
  return Object.assign(new Model(ort, inference, manifest), { backend, ortBuild, variant, lazyWeights });
}

// How long the stored copies of the shards may take to be found, all of them together:
// storage slower than this now gives way to the bytes the loader holds.
const STORAGE_MS = 5000;

/** {files, lazy}: one {path, data} per external-data file the graph names (`weights`, its
 *  manifest external_data): a file is one shard, unless a single tensor was larger than a
 *  shard, and only then are its pieces joined. `fromStorage`: a shard whose stored copy this
 *  load verified (storedAndChecked) is handed over as a Blob of that copy (the bytes the loader
 *  held for it are let go), which onnxruntime's JSPI build reads a tensor at a time; any other
 *  shard as its downloaded bytes. `lazy`: every shard came from storage, so no weight was held
 *  whole in memory. */
async function weightFiles(manifest, weights, onProgress, fromStorage) {
  const checked = fromStorage ? weights.shards.filter(storedAndChecked) : [];
  const stored = new Map(await Promise.all(checked.map(async (path) =>
    [path, await storedBlob(siteRoot, path, manifest.files[path], STORAGE_MS)])));
  const out = [];
  let lazy = fromStorage;
  for (const { location, shards } of weights.files) {
    const parts = [];
    for (const path of shards) {
      const expected = manifest.files[path].bytes;
      const part = stored.get(path) || await fetchBytes(path, onProgress);
      const size = part.size ?? part.length;
      if (part instanceof Blob) {
        release([path]);
        onProgress?.(size, size);
      } else {
        lazy = false;
      }
      if (size !== expected) throw new Error(`${path}: ${size} bytes, manifest.json says ${expected}`);
      parts.push(part);
    }
    const data = parts.length === 1 ? parts[0] : parts.some((part) => part instanceof Blob) ? new Blob(parts) : joined(parts);
    out.push({ path: location, data });
  }
  return { files: out, lazy };
}

function joined(parts) {
  const data = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    data.set(part, offset);
    offset += part.length;
  }
  parts.length = 0;
  return data;
}

export class Model {
  constructor(ort, inference, manifest) {
    this.ort = ort;
    this.inference = inference;  // onnxruntime's InferenceSession
    this.onnx = manifest.onnx;
    this.threads = ort.env.wasm.numThreads;
    this.contextLength = manifest.model.n_ctx;
  }

  /** An empty KV cache: {length, tensors}. */
  newCache() {
    const { cache_heads: heads, cache_head_dim: dim } = this.onnx;
    const tensors = {};
    for (const { past } of this.onnx.cache) {
      tensors[past] = new this.ort.Tensor("float32", new Float32Array(0), [1, heads, 0, dim]);
    }
    return { tensors, length: 0 };
  }

  /** Free what `cache` holds (on WebGPU, GPU buffers that garbage collection does not free). */
  releaseCache(cache) {
    for (const tensor of Object.values(cache?.tensors ?? {})) tensor.dispose?.();
    if (cache) cache.tensors = {};
  }

  /** Run the model over `ids` after what `cache` holds; update the cache; return the last
   *  position's logits as a Float32Array over the vocabulary. */
  async forward(cache, ids) {
    const { Tensor } = this.ort;
    const past = cache.length;
    const n = ids.length;
    const int64 = (values) => BigInt64Array.from(values, BigInt);
    const candidates = {
      input_ids: () => new Tensor("int64", int64(ids), [1, n]),
      attention_mask: () => new Tensor("int64", new BigInt64Array(past + n).fill(1n), [1, past + n]),
      position_ids: () => new Tensor("int64", int64(ids.map((_, i) => past + i)), [1, n]),
    };
    const feeds = {};
    for (const name of this.onnx.inputs) feeds[name] = candidates[name]();
    for (const { past: name } of this.onnx.cache) feeds[name] = cache.tensors[name];
    const out = await this.inference.run(feeds);
    for (const { past: name, present } of this.onnx.cache) {
      cache.tensors[name].dispose?.();
      cache.tensors[name] = out[present];
    }
    cache.length = past + n;
    const logits = out[this.onnx.logits];
    const [, rows, vocab] = logits.dims;  // rows: 1 (the export keeps the last position), or n
    const last = logits.data.slice((rows - 1) * vocab, rows * vocab);
    logits.dispose?.();
    return last;
  }
}
