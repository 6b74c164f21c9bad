// The engine worker: GPT-2 in onnxruntime-web plus the nexttoken Python package in Pyodide.
// Everything heavy runs here, so the page never blocks. Every name it needs (files, tensor
// names, cache shape) comes from manifest.json, written by the build.
//
// Protocol (all messages are plain objects):
//   page -> worker  {id, type: "load"}                                  -> result: info
//                   {id, type: "generate", prompt, params, max_new_tokens}
//                                                   -> events {type: "token"}, result: {ids, text}
//   worker -> page  {id, type: "result", value} | {id, type: "error", message}
//                   {type: "progress", stage, loaded, total} | {type: "token", id: requestId, token}

const siteRoot = new URL("../../", import.meta.url);
let loading = null;
const state = { manifest: null, session: null, ort: null, py: null, engine: null, info: null };

async function fetchOk(path) {
  const response = await fetch(new URL(path, siteRoot));
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
  return response;
}

async function fetchBytes(path, stage) {
  const response = await fetchOk(path);
  const total = Number(response.headers.get("content-length")) || 0;
  const reader = response.body.getReader();
  const chunks = [];
  let loaded = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    loaded += value.length;
    postMessage({ type: "progress", stage, loaded, total });
  }
  const bytes = new Uint8Array(loaded);
  let offset = 0;
  for (const chunk of chunks) { bytes.set(chunk, offset); offset += chunk.length; }
  return bytes;
}

async function loadModel(manifest) {
  const ort = await import(new URL(manifest.runtimes.onnxruntime + "ort.wasm.min.mjs", siteRoot).href);
  ort.env.wasm.wasmPaths = new URL(manifest.runtimes.onnxruntime, siteRoot).href;
  // Several WASM threads need SharedArrayBuffer, which only a cross-origin-isolated page has.
  ort.env.wasm.numThreads = self.crossOriginIsolated ? Math.min(4, navigator.hardwareConcurrency || 1) : 1;
  const model = await fetchBytes(manifest.onnx.model, "model");
  const externalData = await Promise.all(manifest.onnx.external_data.map(async (path) => (
    { path: path.split("/").pop(), data: await fetchBytes(path, "model") })));
  const session = await ort.InferenceSession.create(model, { executionProviders: ["wasm"], externalData });
  return { ort, session, threads: ort.env.wasm.numThreads };
}

async function loadPython(manifest) {
  const { loadPyodide } = await import(new URL(manifest.runtimes.pyodide + "pyodide.mjs", siteRoot).href);
  const py = await loadPyodide({ indexURL: new URL(manifest.runtimes.pyodide, siteRoot).href });
  await Promise.all(manifest.python.map(async (path) => {
    const target = "/lib/" + path.split("/").slice(2).join("/");  // drop "assets/python/"
    py.FS.mkdirTree(target.slice(0, target.lastIndexOf("/")));
    py.FS.writeFile(target, new Uint8Array(await (await fetchOk(path)).arrayBuffer()));
  }));
  const [vocab, merges] = await Promise.all(
    [manifest.tokenizer.vocab, manifest.tokenizer.merges].map(async (p) => (await fetchOk(p)).text()));
  py.runPython("import sys; sys.path.insert(0, '/lib')");
  const Engine = py.pyimport("nexttoken.worker_api").Engine;
  return { py, engine: Engine(vocab, merges) };
}

function load() {
  loading ??= (async () => {
    state.manifest = await (await fetchOk("manifest.json")).json();
    const [model, python] = await Promise.all([loadModel(state.manifest), loadPython(state.manifest)]);
    Object.assign(state, model, python);
    state.info = { backend: "wasm", threads: model.threads, isolated: self.crossOriginIsolated };
    return state.info;
  })();
  loading.catch(() => { loading = null; });  // a failed load may be retried
  return loading;
}

// Runs the model over `ids` after the cached context; returns the last position's logits.
async function forward(cache, ids) {
  const { ort, session, manifest } = state;
  const past = cache.length;
  const n = ids.length;
  const int64 = (values) => BigInt64Array.from(values, BigInt);
  const feeds = {
    input_ids: new ort.Tensor("int64", int64(ids), [1, n]),
    attention_mask: new ort.Tensor("int64", new BigInt64Array(past + n).fill(1n), [1, past + n]),
    position_ids: new ort.Tensor("int64", int64(ids.map((_, i) => past + i)), [1, n]),
  };
  for (const name of Object.keys(feeds)) if (!manifest.onnx.inputs.includes(name)) delete feeds[name];
  for (const { past: name } of manifest.onnx.cache) feeds[name] = cache.tensors[name];
  const out = await session.run(feeds);
  for (const { past: name } of manifest.onnx.cache) cache.tensors[name]?.dispose?.();
  for (const { past: name, present } of manifest.onnx.cache) cache.tensors[name] = out[present];
  cache.length = past + n;
  const logits = out[manifest.onnx.logits];
  const vocab = logits.dims[2];
  const last = logits.data.slice((n - 1) * vocab, n * vocab);
  logits.dispose?.();
  return last;
}

function emptyCache() {
  const { ort, manifest } = state;
  const { cache_heads: heads, cache_head_dim: dim } = manifest.onnx;
  const tensors = {};
  for (const { past } of manifest.onnx.cache) tensors[past] = new ort.Tensor("float32", new Float32Array(0), [1, heads, 0, dim]);
  return { tensors, length: 0 };
}

async function generate(requestId, { prompt, params, max_new_tokens: maxNew }) {
  await load();
  const { engine, manifest } = state;
  engine.start(state.py.toPy(params ?? {}));
  const promptIds = engine.encode(prompt ?? "").toJs();
  const history = promptIds.length ? [...promptIds] : [manifest.model.eos_id];
  const cache = emptyCache();
  const ids = [];
  let logits = await forward(cache, history);
  for (let i = 0; i < maxNew && cache.length < manifest.model.n_ctx; i++) {
    const choice = engine.choose(logits, history).toJs({ dict_converter: Object.fromEntries });
    ids.push(choice.id);
    history.push(choice.id);
    postMessage({ type: "token", id: requestId, token: choice });
    if (i + 1 < maxNew) logits = await forward(cache, [choice.id]);
  }
  return { ids, text: engine.decode(ids) };
}

const handlers = { load: () => load(), generate: (msg) => generate(msg.id, msg) };

self.onmessage = async ({ data: msg }) => {
  try {
    const handler = handlers[msg.type];
    if (!handler) throw new Error(`unknown message type ${msg.type}`);
    postMessage({ id: msg.id, type: "result", value: await handler(msg) });
  } catch (err) {
    postMessage({ id: msg.id, type: "error", message: String(err?.message ?? err) });
  }
};
