// The worker: GPT-2 in onnxruntime-web plus the nexttoken Python package in Pyodide.
// Everything heavy runs here, so the page never blocks. The messages: protocol.js. Every
// message but load, cancel and memory is handled one at a time, in arrival order, so that a session's
// KV cache and Python state never see two requests interleave.
import { isOutOfMemory, loadRuntime, OUT_OF_MEMORY } from "./loader.js";
import { checkMessage, EVENTS, REQUESTS } from "./protocol.js";
import { sessionHandlers } from "./sessions.js";

const state = { manifest: null, model: null, py: null, workerApi: null, info: null };
let loading = null;
let cancelLoad = null;

const post = (msg) => postMessage(checkMessage(EVENTS, msg));

// Tuning a page may pass to load() (tests, mostly); null or undefined means none.
const LOAD_OPTIONS = ["retries", "stallSeconds", "retryDelaySeconds", "concurrency", "startUpSeconds", "threads", "backend"];

function loadOptions(options) {
  if (options === undefined || options === null) return {};
  if (typeof options !== "object" || Array.isArray(options)) throw new Error(`load options must be an object, got ${typeof options}`);
  const unknown = Object.keys(options).filter((key) => !LOAD_OPTIONS.includes(key));
  if (unknown.length) throw new Error(`unknown load option ${unknown[0]}; known: ${LOAD_OPTIONS.join(", ")}`);
  return options;
}

function load(options) {
  const tuning = loadOptions(options);
  loading ??= (async () => {
    const controller = new AbortController();
    cancelLoad = () => controller.abort();
    const loaded = await loadRuntime(tuning, {
      signal: controller.signal,
      onProgress: (p) => post({ type: "progress", stage: "download", ...p }),
      onNotice: (n) => post({ type: "notice", ...n }),
    });
    Object.assign(state, loaded);
    return state.info;
  })();
  loading.catch(() => { loading = null; }).finally(() => { cancelLoad = null; });  // a failed load may be retried
  return loading;
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
  // WASM memory only grows, so this is the peak so far.
  memory: () => ({ python_heap_bytes: state.py?._module?.HEAPU8?.length ?? null }),
  ...sessionHandlers(state, () => load(), post),
};
const unhandled = Object.keys(REQUESTS).filter((type) => !Object.hasOwn(handlers, type));
const undeclared = Object.keys(handlers).filter((type) => !Object.hasOwn(REQUESTS, type));
if (unhandled.length || undeclared.length) {
  throw new Error(`protocol.js and the worker disagree: unhandled ${unhandled}, undeclared ${undeclared}`);
}
const UNQUEUED = new Set(["load", "cancel", "memory"]);
let queue = Promise.resolve();

self.onmessage = ({ data: msg }) => {
  if (UNQUEUED.has(msg?.type)) handle(msg);
  else queue = queue.then(() => handle(msg));
};

async function handle(msg) {
  try {
    checkMessage(REQUESTS, msg);
    post({ id: msg.id, type: "result", value: await handlers[msg.type](msg) });
  } catch (err) {
    post({ id: msg?.id, type: "error", message: errorMessage(err), code: err?.code });
  }
}
