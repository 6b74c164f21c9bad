// The engine worker: GPT-2 in onnxruntime-web plus the nexttoken Python package in Pyodide.
// Everything heavy runs here, so the page never blocks.
//
// Protocol (plain objects):
//   page -> worker  {id, type: "load"}                                   result: info
//                   {id, type: "generate", prompt, params, max_new_tokens}
//                                        events {type: "token", id, token}; result: {ids, text}
//   worker -> page  {id, type: "result", value} | {id, type: "error", message}
//                   {type: "progress", stage, loaded, total}
import { fetchOk } from "./fetch.js";
import { loadModel } from "./model.js";
import { loadPython, toJs } from "./python.js";

const state = { manifest: null, model: null, py: null, engine: null, info: null };
let loading = null;

function load() {
  loading ??= (async () => {
    state.manifest = await (await fetchOk("manifest.json")).json();
    const progress = (loaded, total) => postMessage({ type: "progress", stage: "model", loaded, total });
    const [model, python] = await Promise.all([loadModel(state.manifest, progress), loadPython(state.manifest)]);
    Object.assign(state, { model }, python);
    state.info = { backend: "wasm", threads: model.threads, isolated: self.crossOriginIsolated };
    return state.info;
  })();
  loading.catch(() => { loading = null; });  // a failed load may be retried
  return loading;
}

async function generate(requestId, { prompt, params, max_new_tokens: maxNew }) {
  await load();
  const { engine, model, manifest, py } = state;
  engine.start(py.toPy(params ?? {}));
  const promptIds = toJs(engine.encode(prompt ?? ""));
  // An empty prompt starts from <|endoftext|>, the token GPT-2 saw between documents.
  const history = promptIds.length ? [...promptIds] : [manifest.model.eos_id];
  const cache = model.newCache();
  const ids = [];
  let logits = await model.forward(cache, history);
  for (let i = 0; i < maxNew && cache.length < model.contextLength; i++) {
    const choice = toJs(engine.choose(logits, history));
    ids.push(choice.id);
    history.push(choice.id);
    postMessage({ type: "token", id: requestId, token: choice });
    if (i + 1 < maxNew) logits = await model.forward(cache, [choice.id]);
  }
  return { ids, text: engine.decode(ids) };
}

// A Python exception arrives with its whole traceback; the page wants its last line only,
// e.g. "ValueError: top_p must be in [0, 1], got 1.5".
function errorMessage(err) {
  const text = String(err?.message ?? err);
  if (err?.type && text.includes("Traceback")) return text.trim().split("\n").pop();
  return text;
}

const handlers = { load: () => load(), generate: (msg) => generate(msg.id, msg) };

self.onmessage = async ({ data: msg }) => {
  try {
    const handler = handlers[msg.type];
    if (!handler) throw new Error(`unknown message type ${msg.type}`);
    postMessage({ id: msg.id, type: "result", value: await handler(msg) });
  } catch (err) {
    postMessage({ id: msg.id, type: "error", message: errorMessage(err) });
  }
};
