// window.nexttoken: the page's programmatic API, for tests and for bloggers who script it.
// A classic (non-module) script loaded in <head>, so the object exists before any other
// script runs; the engine worker itself starts only on the first call.
(function () {
  "use strict";
  const workerUrl = new URL("engine/worker.js", document.currentScript.src);
  let worker = null;
  let nextId = 1;
  const pending = new Map();
  const listeners = new Set();

  function request(type, fields) {
    worker ??= startWorker();
    const id = nextId++;
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject, onToken: fields?.onToken });
      const { onToken, ...message } = fields ?? {};
      worker.postMessage({ id, type, ...message });
    });
  }

  function startWorker() {
    const w = new Worker(workerUrl, { type: "module" });
    w.onmessage = ({ data: msg }) => {
      if (msg.type === "progress") return listeners.forEach((fn) => fn(msg));
      const entry = pending.get(msg.id);
      if (!entry) return;
      if (msg.type === "token") return entry.onToken?.(msg.token);
      pending.delete(msg.id);
      if (msg.type === "result") entry.resolve(msg.value);
      else entry.reject(new Error(msg.message));
    };
    w.onerror = (event) => {
      const err = new Error(`engine worker failed: ${event.message || "could not start"}`);
      pending.forEach((entry) => entry.reject(err));
      pending.clear();
      worker = null;
    };
    return w;
  }

  let loaded = null;
  let markReady;
  const api = {
    info: null,
    /** Resolves once the model and Python are loaded; never starts loading by itself. */
    ready: new Promise((resolve) => { markReady = resolve; }),
    /** Start loading the model and Python (idempotent); resolves when both are ready. */
    load() {
      loaded ??= request("load").then((info) => { api.info = info; markReady(info); return info; },
        (err) => { loaded = null; throw err; });
      return loaded;
    },
    /**
     * Generate `max_new_tokens` tokens after `prompt`. Options: temperature (0 = greedy), top_k,
     * top_p, seed, and any other sampling parameter; `onToken(token)` sees each token as it lands.
     * Resolves to {ids, text} for the new tokens.
     */
    async generate(prompt, options = {}) {
      await api.load();
      const { max_new_tokens = 20, onToken, ...params } = options;
      return request("generate", { prompt: String(prompt ?? ""), params, max_new_tokens, onToken });
    },
    /** Listen to loading progress events: fn({stage, loaded, total}). */
    onProgress(fn) { listeners.add(fn); return () => listeners.delete(fn); },
  };
  window.nexttoken = api;
})();
