// One onnxruntime-web build's decode speed on the built site's model (served at ../site/), for
// benchmarks/bench_ort_builds.py: load the build from `dist` (a directory under the served
// root), create the session as the site does (the manifest's graph, external data and session
// config, through the site's own Model), prefill the prompt, then time one-token steps.
// One call per worker: a build's thread count is fixed once its WASM starts.
import { argmax, serve, timed } from "./rpc.js";
import { Model } from "../site/assets/js/runtime/model.js";

const root = new URL("../", import.meta.url);

async function bytes(path) {
  const response = await fetch(new URL(path, root));
  if (!response.ok) throw new Error(`HTTP ${response.status} for ${path}`);
  return new Uint8Array(await response.arrayBuffer());
}

/** One {path, data} per external-data file the graph names, its shards joined. */
async function externalData(manifest) {
  return Promise.all(manifest.onnx.external_data.files.map(async ({ location, shards }) => {
    const parts = await Promise.all(shards.map((shard) => bytes(`site/${shard}`)));
    if (parts.length === 1) return { path: location, data: parts[0] };
    const data = new Uint8Array(parts.reduce((n, part) => n + part.length, 0));
    parts.reduce((offset, part) => (data.set(part, offset), offset + part.length), 0);
    return { path: location, data };
  }));
}

serve({
  async decode({ dist, module, threads, prompt, steps, warmup }) {
    const ort = await import(new URL(`${dist}/${module}`, root).href);
    ort.env.wasm.wasmPaths = new URL(`${dist}/`, root).href;
    ort.env.wasm.numThreads = threads;
    const manifest = await (await fetch(new URL("site/manifest.json", root))).json();
    const inference = await ort.InferenceSession.create(await bytes(`site/${manifest.onnx.model}`), {
      executionProviders: ["wasm"], externalData: await externalData(manifest),
      extra: { ...manifest.onnx.session_config } });
    const model = new Model(ort, inference, manifest);
    const cache = model.newCache();
    let logits = await model.forward(cache, prompt);
    const times = [];
    for (let i = 0; i < warmup + steps; i++) {
      const [ms, next] = await timed(() => model.forward(cache, [argmax(logits)]));
      if (i >= warmup) times.push(ms);
      logits = next;
    }
    await inference.release();
    return { times, threads: ort.env.wasm.numThreads, isolated: self.crossOriginIsolated };
  },
});
