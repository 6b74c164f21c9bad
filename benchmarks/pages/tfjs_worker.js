// Benchmarks transformers.js (its browser bundle, served at ../tfjs/) on the site's own ONNX
// file, laid out as a local Hugging Face model under ../models/. Nothing leaves localhost:
// remote models are off and the WASM files come from the onnxruntime-web it depends on.
import { serve } from "./rpc.js";
import { AutoModelForCausalLM, BaseStreamer, Tensor, env } from "../tfjs/transformers.min.js";

let model = null;

function localRuntime(threads) {
  env.allowRemoteModels = false;
  env.allowLocalModels = true;
  env.localModelPath = new URL("../models/", import.meta.url).href;
  // Keep the file names transformers.js chose for itself; only the CDN prefix changes.
  const wasm = env.backends.onnx.wasm;
  const local = new URL("../tfjs-ort/", import.meta.url).href;
  const paths = typeof wasm.wasmPaths === "object" && wasm.wasmPaths ? wasm.wasmPaths : {};
  wasm.wasmPaths = Object.fromEntries(Object.entries(paths).map(([k, url]) => [k, local + String(url).split("/").pop()]));
  if (!Object.keys(wasm.wasmPaths).length) wasm.wasmPaths = local;
  wasm.numThreads = threads;
}

async function load({ modelId, threads, sessionOptions, dtype = "fp32" }) {
  localRuntime(threads);
  const start = performance.now();
  // sessionOptions: the site's own (benchmarks/transformersjs.py): externalData = [{path: the
  // name the graph gives its weights file, data: that file in the model dir}], extra = config
  model = await AutoModelForCausalLM.from_pretrained(modelId, {
    device: "wasm", dtype, session_options: sessionOptions,
  });
  return { ms: performance.now() - start, threads: env.backends.onnx.wasm.numThreads,
           isolated: self.crossOriginIsolated, version: env.version, wasmPaths: env.backends.onnx.wasm.wasmPaths };
}

class Clock extends BaseStreamer {
  constructor() { super(); this.times = []; }
  put() { this.times.push(performance.now()); }
  end() {}
}

/** One greedy generate of exactly `count` tokens: the time of every model call and of every
 *  token handed to the streamer (the first put is the prompt, before any model call). */
async function generate(prompt, count) {
  const forwards = [];
  const original = model.forward;
  model.forward = async (inputs) => {
    const start = performance.now();
    const out = await original.call(model, inputs);
    forwards.push(performance.now() - start);
    return out;
  };
  const clock = new Clock();
  const ids = new Tensor("int64", BigInt64Array.from(prompt, BigInt), [1, prompt.length]);
  const mask = new Tensor("int64", new BigInt64Array(prompt.length).fill(1n), [1, prompt.length]);
  try {
    await model.generate({ input_ids: ids, attention_mask: mask, max_new_tokens: count,
                           min_new_tokens: count, do_sample: false, streamer: clock });
  } finally {
    model.forward = original;
  }
  if (clock.times.length !== count + 1) throw new Error(`expected ${count} tokens, got ${clock.times.length - 1}`);
  const gaps = clock.times.slice(2).map((t, i) => t - clock.times[i + 1]);
  return { forwards, gaps };
}

/** Same shape as the site worker's `steps`: prefills, then runs of one-token steps (model call
 *  alone, and token to token through generate's loop); a warm-up generate comes first. */
async function steps({ prompt, prefills, runs, steps: count }) {
  await generate(prompt, 3);
  const prefill = [];
  for (let i = 0; i < prefills; i++) prefill.push((await generate(prompt, 1)).forwards[0]);
  const decode = [], loop = [];
  for (let r = 0; r < runs; r++) {
    const { forwards, gaps } = await generate(prompt, count + 1);
    decode.push(...forwards.slice(1));
    loop.push(...gaps);
  }
  return { prefill, decode, loop };
}

/** One greedy generate of `count` tokens (the memory benchmark's run). */
async function tokens({ prompt, count }) {
  await generate(prompt, count);
  return { count };
}

serve({ load, steps, tokens });
