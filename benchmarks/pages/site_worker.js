// Benchmarks the site's own engine modules, served beside this page at ../site/:
// - Pyodide and the onnxruntime-web session each on their own, composed from the same
//   pieces as loader.js (verified, cached downloads, then start-up), one after the other;
// - prefill and one-token decode steps (the model call alone);
// - Python run in the site's Pyodide (the sampling and tokenizer benchmarks' own code).
import { argmax, serve, timed } from "./rpc.js";
import { Downloader, Progress, fetchManifest, fetchText } from "../site/assets/js/runtime/fetch.js";
import { fileGroups, threadCount } from "../site/assets/js/runtime/loader.js";
import { chooseOrtBuild, loadModel } from "../site/assets/js/runtime/model.js";
import { loadPython } from "../site/assets/js/runtime/python.js";

const state = { manifest: null, model: null, py: null, logits: null, prompt: null };

async function manifest() {
  state.manifest ??= await fetchManifest();
  return state.manifest;
}

const download = (m, paths, hold = false) =>
  new Downloader(m, { progress: new Progress(null) }).fetchAll(paths, { keep: false, hold });

async function python() {
  const m = await manifest();
  const [ms, loaded] = await timed(async () => {
    await download(m, fileGroups(m).python);
    return loadPython(m);
  });
  state.py = loaded.py;
  return { ms };
}

async function model() {
  const m = await manifest();
  const ortBuild = chooseOrtBuild("wasm");  // as loader.js chooses
  const groups = fileGroups(m, ortBuild);
  const [ms, loaded] = await timed(async () => {
    await Promise.all([download(m, groups.onnxruntime, true), download(m, groups.model, true)]);
    return loadModel(m, null, { backend: "wasm", ortBuild, threads: threadCount() });
  });
  state.model = loaded;
  return { ms, threads: loaded.threads, isolated: self.crossOriginIsolated, ortBuild, lazyWeights: loaded.lazyWeights };
}

/** Prefill `prompt` `prefills` times on an empty cache, then `runs` greedy runs of `steps`
 *  one-token steps; a short warm-up run comes first and is not recorded. */
async function steps({ prompt, prefills, runs, steps: count }) {
  const { model: m } = state;
  const run = async (n, record) => {
    const cache = m.newCache();
    let logits = await m.forward(cache, prompt);
    state.logits ??= logits;
    for (let i = 0; i < n; i++) {
      const [ms, next] = await timed(() => m.forward(cache, [argmax(logits)]));
      record?.push(ms);
      logits = next;
    }
  };
  await run(3);
  const prefill = [];
  for (let i = 0; i < prefills; i++) prefill.push((await timed(() => m.forward(m.newCache(), prompt)))[0]);
  const decode = [];
  for (let r = 0; r < runs; r++) await run(count, decode);
  state.prompt = prompt;
  return { prefill, decode };
}

/** Run Python `source` in the site's Pyodide and return its `result` variable (via JSON).
 *  `texts` maps variable names to site files read as text; `scope` holds plain values. */
async function runPython({ source, texts = {}, scope = {} }) {
  const { py } = state;
  const globals = py.toPy(scope);
  for (const [name, path] of Object.entries(texts)) globals.set(name, await fetchText(path));
  py.runPython(source, { globals });
  const json = py.runPython("import json\njson.dumps(result)", { globals });
  globals.destroy();
  return JSON.parse(json);
}

serve({ manifest, python, model, steps, python_run: runPython });
