// GPT-2 in onnxruntime-web: one prefill, then one-token steps that reuse the KV cache.
// Tensor names and the cache layout come from the manifest, never from this file.
import { fetchBytes, importVerified, verifiedScriptUrl } from "./fetch.js";

// onnxruntime-web's two builds (export/site/assets.py vendors both): its module script, the
// module script of its threads, and its WASM.
const BUILDS = {
  wasm: ["ort.wasm.min.mjs", "ort-wasm-simd-threaded.mjs", "ort-wasm-simd-threaded.wasm"],
  webgpu: ["ort.webgpu.min.mjs", "ort-wasm-simd-threaded.asyncify.mjs", "ort-wasm-simd-threaded.asyncify.wasm"],
};
const ortModules = {};

/** onnxruntime-web's build for `backend`, once per worker (a second loadModel, as
 *  benchmarks/bench_runtime.py makes, shares it, as import() by URL would), from the loader's
 *  verified bytes: its module script, its threads' module script and its WASM, none of which
 *  it then fetches by URL. */
async function onnxruntime(runtime, backend) {
  if (ortModules[backend]) return ortModules[backend];
  const [module, threads, binary] = BUILDS[backend];
  const ort = await importVerified(runtime + module);
  // Each of its WASM threads is a worker started from this blob: URL, possibly after start-up,
  // so the URL is kept for the worker's life (24 kB).
  ort.env.wasm.wasmPaths = { mjs: await verifiedScriptUrl(runtime + threads) };
  // Its ArrayBuffer (the bytes are a view of the whole of it): a Uint8Array would be copied.
  ort.env.wasm.wasmBinary = (await fetchBytes(runtime + binary)).buffer;
  return (ortModules[backend] = ort);
}

/** The files `backend` needs beyond the shards: its graph and its runtime build. */
export function backendFiles(manifest, backend) {
  const graph = backend === "webgpu" ? manifest.onnx.webgpu.model : manifest.onnx.model;
  return { graph, runtime: BUILDS[backend].map((name) => manifest.runtimes.onnxruntime + name) };
}

/** `runtime`: {backend, threads} as loader.js chose them. The bytes come from fetchBytes, which
 *  hands over what the loader already downloaded and verified. On WebGPU the model runs the
 *  graph of 4-/8-bit kernels (manifest onnx.webgpu) and keeps its KV cache in GPU buffers. */
export async function loadModel(manifest, onProgress, { backend = "wasm", threads = 1 } = {}) {
  const ort = await onnxruntime(manifest.runtimes.onnxruntime, backend);
  ort.env.wasm.numThreads = threads;
  let model = await fetchBytes(backendFiles(manifest, backend).graph, onProgress);
  let externalData = await weightFiles(manifest, onProgress);
  // session_config: onnxruntime config entries the export relies on (export/model/shard.py)
  // logSeverityLevel 3: errors only (on WebGPU it would warn that shape operators run on the CPU, as designed).
  const options = { executionProviders: [backend], externalData, extra: { ...manifest.onnx.session_config }, logSeverityLevel: 3 };
  if (backend === "webgpu") {
    options.preferredOutputLocation = Object.fromEntries(manifest.onnx.cache.map(({ present }) => [present, "gpu-buffer"]));
  }
  const inference = await ort.InferenceSession.create(model, options);
  model = externalData = null;  // onnxruntime holds its own copy now: let the bytes go
  return Object.assign(new Model(ort, inference, manifest), { backend });
}

/** One {path, data} per external-data file the graph names (manifest onnx.external_data.files),
 *  handed to onnxruntime-web as downloaded: a file is one shard, unless a single tensor was
 *  larger than a shard, and only then are its pieces joined. */
async function weightFiles(manifest, onProgress) {
  const out = [];
  for (const { location, shards } of manifest.onnx.external_data.files) {
    const parts = [];
    for (const path of shards) {
      const bytes = await fetchBytes(path, onProgress);
      const expected = manifest.files[path].bytes;
      if (bytes.length !== expected) throw new Error(`${path}: ${bytes.length} bytes, manifest.json says ${expected}`);
      parts.push(bytes);
    }
    out.push({ path: location, data: parts.length === 1 ? parts[0] : joined(parts) });
  }
  return out;
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
