// Where the browser's memory goes: loads the built site's model (served at ../site/) into
// onnxruntime-web with one knob changed at a time, then generates greedily, so that
// benchmarks/bench_memory.py can read the browser's resident memory around each variation.
// Knobs (all optional):
//   weights: "joined"   the shards copied into one buffer, as model.js did before per-shard files
//            "separate" one {path, data} entry per external-data file the graph names (the
//                       default; an export that cut one file into shards is joined anyway)
//   keep: true          keep the model and weight bytes referenced after the session is created
//   extra: {...}        onnxruntime session config entries (over the manifest's)
//   options: {...}      more onnxruntime session options (e.g. enableCpuMemArena: false)
//   python: true        start the site's Pyodide too
//   jspi: true          onnxruntime-web's JSPI build, each weight file handed over as the Blob
//                       of its stored copy (the site's path where the browser has JSPI)
import { argmax, serve } from "./rpc.js";
import { fetchManifest, fetchOk, siteRoot } from "../site/assets/js/runtime/fetch.js";
import { Model } from "../site/assets/js/runtime/model.js";

const kept = [];
let python = null;

const bytesOf = async (path) => new Uint8Array(await (await fetchOk(path)).arrayBuffer());

async function weights(manifest, how) {
  const { external_data: external } = manifest.onnx;
  const files = external.files.map(({ location, shards }) => ({ path: location, shards }));
  if (how === "joined") {
    // Every file's shards, one buffer per file (the old layout had one file of many shards).
    return Promise.all(files.map(async ({ path, shards }) => {
      const parts = await Promise.all(shards.map(bytesOf));
      const data = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
      let offset = 0;
      for (const part of parts) { data.set(part, offset); offset += part.length; }
      return { path, data };
    }));
  }
  if (how === "stored") {
    // Stored in the Cache API, then each handed over as the Blob of its stored copy.
    const cache = await caches.open("memory-probe");
    const stored = async (shard) => {
      await cache.add(new URL(shard, siteRoot));
      return (await cache.match(new URL(shard, siteRoot))).blob();
    };
    return Promise.all(files.map(async ({ path, shards }) => ({ path, data: new Blob(await Promise.all(shards.map(stored))) })));
  }
  if (files.some(({ shards }) => shards.length > 1)) return weights(manifest, "joined");  // no per-file layout
  return Promise.all(files.map(async ({ path, shards }) => ({ path, data: await bytesOf(shards[0]) })));
}

async function probe({ weights: how = "separate", keep = false, extra, options = {}, python: withPython = false,
                       jspi = false, backend = "wasm", prompt, steps }) {
  const manifest = await fetchManifest();
  const started = performance.now();
  if (withPython) python = await (await import("../site/assets/js/runtime/python.js")).loadPython(manifest);
  const ort = await import(new URL(manifest.runtimes.onnxruntime + (jspi ? "ort.jspi.min.mjs" : "ort.wasm.min.mjs"), siteRoot).href);
  ort.env.wasm.wasmPaths = new URL(manifest.runtimes.onnxruntime, siteRoot).href;
  ort.env.wasm.numThreads = 1;
  let model = await bytesOf(manifest.onnx.model);
  let externalData = await weights(manifest, jspi ? "stored" : how);
  const session = await ort.InferenceSession.create(model, {
    executionProviders: [backend], externalData, extra: { ...manifest.onnx.session_config, ...extra }, ...options });
  if (keep) kept.push(model, externalData);
  model = externalData = null;
  const ready = performance.now() - started;
  const lm = new Model(ort, session, manifest);
  const cache = lm.newCache();
  let logits = await lm.forward(cache, prompt);
  const ids = [];
  for (let i = 0; i < steps; i++) {
    ids.push(argmax(logits));
    logits = await lm.forward(cache, [ids.at(-1)]);
  }
  return { ready_ms: ready, ms: performance.now() - started, ids };
}

serve({ probe });
