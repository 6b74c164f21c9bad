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
  const noticeListeners = new Set();
  let nextSession = 1;
  // Text for the engine: a lone UTF-16 surrogate (say, from a bad paste) becomes U+FFFD.
  const wellFormed = (text) => {
    const value = String(text ?? "");
    return value.toWellFormed ? value.toWellFormed() : value;
  };

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
      if (msg.type === "notice") return noticeListeners.forEach((fn) => fn(msg));
      const entry = pending.get(msg.id);
      if (!entry) return;
      if (msg.type === "token") return entry.onToken?.(msg.token);
      pending.delete(msg.id);
      if (msg.type === "result") entry.resolve(msg.value);
      else entry.reject(Object.assign(new Error(msg.message), { code: msg.code }));
    };
    w.onerror = (event) => {
      // A worker dies without a message mostly when the browser runs out of memory.
      const err = new Error(event.message ? `The engine failed: ${event.message}. Reload the page to try again.`
        : "The engine stopped (the browser may be out of memory). Close other tabs, then reload the page.");
      pending.forEach((entry) => entry.reject(err));
      pending.clear();
      worker = null;
    };
    return w;
  }

  let loaded = null;
  let markReady;
  const api = {
    /** {backend: "wasm" | "webgpu", threads, isolated} once loaded. */
    info: null,
    /** "idle", "loading", "ready" or "failed". */
    state: "idle",
    /** Resolves once the model and Python are loaded; never starts loading by itself. */
    ready: new Promise((resolve) => { markReady = resolve; }),
    /**
     * Start loading the model and Python (idempotent); resolves with `info` when both are ready.
     * Options (tuning, mostly for tests): retries, stallSeconds, retryDelaySeconds, concurrency.
     */
    load(options) {
      if (loaded) return loaded;
      // Ask the browser to keep the stored model under storage pressure (window-only API).
      navigator.storage?.persist?.().catch(() => {});
      api.state = "loading";
      loaded = request("load", { options }).then((info) => {
        Object.assign(api, { info, state: "ready" });
        markReady(info);
        return info;
      }, (err) => { loaded = null; api.state = "failed"; throw err; });
      return loaded;
    },
    /** Stop a load in progress: its promise rejects with code "cancelled". */
    cancel() {
      if (worker && api.state === "loading") worker.postMessage({ id: nextId++, type: "cancel" });
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
    /**
     * The next-token distribution after `prompt` under sampling `params` (temperature, top_k,
     * top_p, min_p, ... as in generate). Resolves to the `top` most likely tokens after the
     * whole sampler pipeline, most likely first: [{id, display, text, prob, logit}]; fewer
     * when fewer survive. `prob` comes from the full distribution over the vocabulary.
     */
    async distribution(prompt, params = {}, { top = 10 } = {}) {
      await api.load();
      const reply = await request("distribution", { session: "api", prompt: wellFormed(prompt), params, view: { top } });
      return reply.summary.top.filter((t) => t.kept)
        .map(({ id, display, text, prob, logit }) => ({ id, display, text, prob, logit }));
    },
    /**
     * A playground session: the engine keeps its tokens and every step's distribution, so
     * moving a slider or undoing never runs the model again. Each method resolves to a reply
     * {summary, stages?, chips?, start, length, prompt_len, seed, n_ctx, notices}; `view` is
     * {top: bars to return, trace: true for the stage-by-stage view}. See docs/playground.md.
     */
    session(name = `session-${nextSession++}`) {
      const send = (type, fields) => api.load().then(() => request(type, { session: name, ...fields }));
      return {
        name,
        open: (prompt, params = {}, view = {}) => send("open", { prompt: wellFormed(prompt), params, view }),
        distribution: (params = {}, view = {}) => send("distribution", { params, view }),
        /** `onChosen(reply)`: called with the chip as soon as the token is chosen, before the
         *  model has run on it (that reply has no summary yet). */
        step: (kind, params = {}, view = {}, token, onChosen) => send("step", { kind, token, params, view, onToken: onChosen }),
        replay: (ids, params = {}, view = {}) => send("replay", { ids: [...ids], params, view }),
        undo: (params = {}, view = {}) => send("undo", { params, view }),
        reset: (params = {}, view = {}) => send("reset", { params, view }),
        /** A hint that sliders are about to move: the engine precomputes what redraws of the
         *  current step need. Resolves to null; never loads the model by itself. */
        warm: () => (api.state === "ready" ? request("warm", { session: name }) : Promise.resolve(null)),
        close: () => (worker ? request("close", { session: name }) : Promise.resolve(null)),
      };
    },
    /** Listen to loading progress: fn({stage: "download", loaded, total, seconds_left}) in bytes
     *  (seconds_left is null until there is a rate), and fn({stage: "python" | "model", ms})
     *  when each runtime is up. */
    onProgress(fn) { listeners.add(fn); return () => listeners.delete(fn); },
    /** Listen to notices that do not stop loading, e.g. storage full: fn({code, message}). */
    onNotice(fn) { noticeListeners.add(fn); return () => noticeListeners.delete(fn); },
  };
  window.nexttoken = api;
})();
