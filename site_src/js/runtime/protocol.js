// The messages between the page (api.js) and its worker (worker.js): every name, its
// fields and its reply, defined here once. Each message also carries `id` (a request's number;
// events about a request carry the same id). One message type per payload:
//
// | request (page -> worker) | fields | reply value (a "result" message) |
// |---|---|---|
// | load | options | info: {backend, ortBuild, lazyWeights, threads, isolated} |
// | cancel | | true (a load in progress rejects with code "cancelled") |
// | generate | prompt, options | {ids, text, seed, notices}; first a "token" event per token |
// | open | session, prompt, params, view | a session reply, every chip |
// | distribution | session, params, view, prompt | a session reply, no chips (prompt: optional) |
// | choose | session, kind, token, params, view | a session reply, the new chip; first a "chosen" event |
// | replay | session, ids, params, view | a session reply, every chip |
// | undo | session, params, view | a session reply, every chip |
// | reset | session, params, view | a session reply, every chip |
// | warm | session | null |
// | close | session | null |
// | memory | | {python_heap_bytes}: Pyodide's WASM heap (null before Python loads) |
//
// | event (worker -> page) | fields | meaning |
// |---|---|---|
// | result | id, value | the request `id` succeeded |
// | error | id, message, code | the request `id` failed: one line, no traceback |
// | token | id, token | generate chose a token: its chip record |
// | chosen | id, reply | choose chose its token: a session reply with the chip, no summary yet |
// | progress | stage, loaded, total, seconds_left, ms | loading: bytes; a runtime's files in and verified ("python-files", "model-files"), or a runtime up ("python", "model") |
// | notice | code, message | loading goes on despite it (e.g. storage full) |
//
// A session reply: {length, prompt_len, start, seed, n_ctx, notices, summary?, stages?, chips?}
// (nexttoken.worker_api.WorkerApi.reply). Parameters and view options cross as plain objects; a
// seed above 2^53 crosses as a decimal string (`wireParams`). Python values come back through
// `toPlain` (python.js), which frees their Pyodide proxies.

export const REQUESTS = {
  load: ["options"],
  cancel: [],
  generate: ["prompt", "options"],
  open: ["session", "prompt", "params", "view"],
  distribution: ["session", "params", "view", "prompt"],
  choose: ["session", "kind", "token", "params", "view"],
  replay: ["session", "ids", "params", "view"],
  undo: ["session", "params", "view"],
  reset: ["session", "params", "view"],
  warm: ["session"],
  close: ["session"],
  memory: [],
};

export const EVENTS = {
  result: ["id", "value"],
  error: ["id", "message", "code"],
  token: ["id", "token"],
  chosen: ["id", "reply"],
  progress: ["stage", "loaded", "total", "seconds_left", "ms"],
  notice: ["code", "message"],
};

/** Check `msg` against `table` (REQUESTS or EVENTS): a known type, only its fields. Returns msg. */
export function checkMessage(table, msg) {
  const type = msg?.type;
  if (typeof type !== "string" || !Object.hasOwn(table, type)) {
    throw new Error(`unknown message type ${JSON.stringify(type)}; known: ${Object.keys(table).join(", ")}`);
  }
  const allowed = new Set(["id", "type", ...table[type]]);
  const extra = Object.keys(msg).filter((key) => !allowed.has(key));
  if (extra.length) throw new Error(`message ${type} has no field ${extra[0]}; its fields: ${table[type].join(", ") || "none"}`);
  return msg;
}

/** Build a message of `type` from `fields` (undefined fields left out), checked against `table`. */
export function makeMessage(table, type, id, fields = {}) {
  const msg = { id, type };
  for (const [key, value] of Object.entries(fields)) if (value !== undefined) msg[key] = value;
  return checkMessage(table, msg);
}

const SAFE = 2 ** 53;

/**
 * Sampling parameters or options as they cross to the worker: null/undefined is {}; a seed
 * may be a BigInt or a decimal string (needed above 2^53, where a JS number drops digits) and
 * crosses as a decimal string; a number seed must be a safe integer.
 */
export function wireParams(params, what = "parameters") {
  if (params === undefined || params === null) return {};
  if (typeof params !== "object" || Array.isArray(params)) {
    throw new Error(`${what} must be an object like {temperature: 0.7}, got ${Array.isArray(params) ? "an array" : typeof params}`);
  }
  const { seed } = params;
  if (typeof seed === "bigint") return { ...params, seed: seed.toString() };
  if (typeof seed === "number" && Number.isInteger(seed) && Math.abs(seed) >= SAFE) {
    throw new Error(`seed ${seed} is above 2^53, where JavaScript numbers lose digits: pass it as a BigInt (12345678901234567890n) or a decimal string ("12345678901234567890")`);
  }
  return params;
}
