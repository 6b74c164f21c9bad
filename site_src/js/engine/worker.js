// The engine worker: GPT-2 in onnxruntime-web plus the nexttoken Python package in Pyodide.
// Everything heavy runs here, so the page never blocks.
//
// Protocol (plain objects):
//   page -> worker  {id, type: "load", options}                          result: info
//                   {id, type: "cancel"}  stops a load in progress        result: true
//                   {id, type: "generate", prompt, params, max_new_tokens}
//                                        events {type: "token", id, token}; result: {ids, text}
//   worker -> page  {id, type: "result", value} | {id, type: "error", message, code}
//                   {type: "progress", stage: "download", loaded, total, seconds_left}
//                   {type: "progress", stage: "python" | "model", ms}   a runtime is up
//                   {type: "notice", code, message}   e.g. storage full: loading goes on
//   Playground sessions (sessions.js): open, distribution, step, replay, undo, reset, close.
//   Every message but load and cancel is handled one at a time, in arrival order, so that a
//   session's KV cache and Python state never see two requests interleave.
import { isOutOfMemory, loadEngine, OUT_OF_MEMORY } from "./loader.js";
import { toJs } from "./python.js";
import { sessionHandlers } from "./sessions.js";

const state = { manifest: null, model: null, py: null, engine: null, info: null };
let loading = null;
let cancelLoad = null;

function load(options) {
  loading ??= (async () => {
    const controller = new AbortController();
    cancelLoad = () => controller.abort();
    const loaded = await loadEngine(options, {
      signal: controller.signal,
      onProgress: (p) => postMessage({ type: "progress", stage: "download", ...p }),
      onNotice: (n) => postMessage({ type: "notice", ...n }),
    });
    Object.assign(state, loaded);
    return state.info;
  })();
  loading.catch(() => { loading = null; }).finally(() => { cancelLoad = null; });  // a failed load may be retried
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
  if (isOutOfMemory(text)) return OUT_OF_MEMORY;
  if (err?.type && text.includes("Traceback")) return text.trim().split("\n").pop();
  return text;
}

const handlers = {
  load: (msg) => load(msg.options),
  cancel: () => { cancelLoad?.(); return true; },
  generate: (msg) => generate(msg.id, msg),
  ...sessionHandlers(state, () => load()),
};
const UNQUEUED = new Set(["load", "cancel"]);
let queue = Promise.resolve();

self.onmessage = ({ data: msg }) => {
  if (UNQUEUED.has(msg?.type)) handle(msg);
  else queue = queue.then(() => handle(msg));
};

async function handle(msg) {
  try {
    const handler = Object.hasOwn(handlers, msg?.type) ? handlers[msg.type] : null;
    if (!handler) throw new Error(`unknown message type ${msg.type}`);
    postMessage({ id: msg.id, type: "result", value: await handler(msg) });
  } catch (err) {
    postMessage({ id: msg.id, type: "error", message: errorMessage(err), code: err?.code });
  }
}
