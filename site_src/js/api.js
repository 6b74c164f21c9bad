// window.nexttoken: the page's programmatic API, for tests and for bloggers who script it.
// A classic (non-module) script loaded in <head>, so the object exists before any other
// script runs; the worker itself starts only on the first call.
(function () {
  "use strict";
  const workerUrl = new URL("runtime/worker.js", document.currentScript.src);
  // The messages are defined in protocol.js (a module; this classic script imports it lazily).
  const protocolUrl = new URL("runtime/protocol.js", document.currentScript.src).href;
  let protocol = null;
  let worker = null;
  let nextId = 1;
  const pending = new Map();
  const listeners = new Set();
  const noticeListeners = new Set();
  let nextSession = 1;
  // Text for the worker: a lone UTF-16 surrogate (say, from a bad paste) becomes U+FFFD.
  const wellFormed = (text) => {
    const value = String(text ?? "");
    return value.toWellFormed ? value.toWellFormed() : value;
  };

  /** Send a request (fields as in protocol.js); `onEvent` sees its "token"/"chosen" events. */
  async function request(type, fields, onEvent) {
    worker ??= startWorker();  // at once: cancel() right after load() must find it
    protocol ??= import(protocolUrl);
    const { makeMessage, REQUESTS } = await protocol;
    const id = nextId++;
    const message = makeMessage(REQUESTS, type, id, fields);
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject, onEvent });
      (worker ??= startWorker()).postMessage(message);
    });
  }

  const wire = async (params, what) => (await (protocol ??= import(protocolUrl))).wireParams(params, what);

  let unanswered = null;  // when the watch's oldest unanswered question was asked (performance.now())

  function startWorker() {
    const w = new Worker(workerUrl, { type: "module" });
    unanswered = null;
    w.onmessage = ({ data: msg }) => {
      if (w !== worker) return;  // a worker already ended
      unanswered = null;
      if (msg.type === "progress") return listeners.forEach((fn) => fn(msg));
      if (msg.type === "notice") return noticeListeners.forEach((fn) => fn(msg));
      const entry = pending.get(msg.id);
      if (!entry) return;
      if (msg.type === "token") return entry.onEvent?.(msg.token);
      if (msg.type === "chosen") return entry.onEvent?.(msg.reply);
      pending.delete(msg.id);
      if (msg.type === "result") entry.resolve(msg.value);
      else entry.reject(Object.assign(new Error(msg.message), { code: msg.code }));
    };
    w.onerror = (event) => {
      if (w !== worker) return;
      // A worker dies without a message mostly when the browser runs out of memory.
      stopWorker(new Error(event.message ? `The engine failed: ${event.message}. Reload the page to try again.`
        : "The engine stopped (the browser may be out of memory). Close other tabs, then reload the page."));
    };
    return w;
  }

  /** End the worker: every request still waiting rejects with `err`; the next one starts a fresh worker. */
  function stopWorker(err) {
    worker?.terminate();
    worker = null;
    pending.forEach((entry) => entry.reject(err));
    pending.clear();
  }

  // A worker whose thread has stopped answers nothing, and its own time limits (runtime/loader.js)
  // never fire: Firefox's sometimes stops while onnxruntime starts its threads (4 of 76 probe
  // loads here, docs/runtime.md). So while a load is under way the page asks the worker a
  // question every few seconds (the unqueued "memory" request; any message answers it) and
  // ends one that leaves a question unanswered for `unresponsiveSeconds`; load() then starts a
  // fresh one. Its longest legitimate silence is one synchronous start-up step (Python's or
  // the model's), seconds even on a phone. A question, not silence, is what counts: in a
  // hidden tab the browser may run this check only once a minute.
  const UNRESPONSIVE_SECONDS = 45;

  // Its reply has no waiting request and is dropped.
  const ping = () => protocol?.then(({ makeMessage, REQUESTS }) => worker?.postMessage(makeMessage(REQUESTS, "memory", nextId++)));

  function watch(seconds) {
    unanswered = null;
    const timer = setInterval(() => {
      if (!worker) return;
      const now = performance.now();
      if (unanswered === null) {
        unanswered = now;
        ping();
      } else if (now - unanswered >= seconds * 1000) {
        stopWorker(Object.assign(new Error(`The engine did not answer for ${seconds} s while loading, so ` +
          "it was given up. Reload the page and press Run again."), { code: "unresponsive" }));
      }
    }, Math.min(5, seconds / 3) * 1000);
    return () => clearInterval(timer);
  }

  // A load that got stuck is tried again in a fresh worker, at most once for each cause; after
  // a stuck or stopped start on several threads, on one thread; after WebGPU (chosen by the
  // worker) failed to start, on WebAssembly. `message`: the notice, given the load's error.
  const RESTARTS = {
    startup: { message: () => "Starting the engine got stuck, so it was started again." },
    "startup-threads": { options: { threads: 1 }, message: () => "Starting the model on several threads " +
      "got stuck, so it was started again on one thread (each token takes longer)." },
    unresponsive: { options: { threads: 1 }, message: () => "The engine stopped answering while it " +
      "started, so it was started again on one thread (each token takes longer)." },
    webgpu: { options: { backend: "wasm" }, message: (err) => `${err.message}, so it runs on WebAssembly ` +
      "instead (each token takes longer)." },
  };
  // A WebGPU start that only took too long (a slow first shader compile) is not remembered.
  RESTARTS["webgpu-stuck"] = RESTARTS.webgpu;

  let cancelled = false;  // cancel() was called during this load: no restart

  // Once WebGPU has failed to start here (not merely taken too long: "webgpu-stuck"), later
  // loads of the same build (this page's data-build) go straight to WebAssembly rather than
  // failing and restarting again.
  const WEBGPU_FAILED = "nexttoken:webgpu-failed";
  const build = document.querySelector("script[data-build]")?.dataset.build;
  const remembered = {  // localStorage may be denied (a third-party frame): then nothing is remembered
    get: () => { try { return localStorage.getItem(WEBGPU_FAILED) === build; } catch { return false; } },
    set: () => { try { localStorage.setItem(WEBGPU_FAILED, build); } catch { /* not remembered */ } },
  };

  async function loadWithRestarts(options) {
    const object = typeof options === "object" && options !== null && !Array.isArray(options);
    // unresponsiveSeconds is the page's own option; the worker checks the others.
    const { unresponsiveSeconds, ...tuning } = object ? options : {};
    const seconds = unresponsiveSeconds > 0 ? unresponsiveSeconds : UNRESPONSIVE_SECONDS;
    let asked = object ? tuning : options ?? undefined;
    if (build && (object || asked === undefined) && (asked?.backend ?? "auto") === "auto" && remembered.get()) {
      asked = { ...asked, backend: "wasm" };
    }
    const tried = new Set();
    cancelled = false;
    for (;;) {
      const unwatch = watch(seconds);
      try {
        return await request("load", { options: asked });
      } catch (err) {
        const restart = RESTARTS[err.code];
        if (cancelled) throw Object.assign(new Error("Loading cancelled."), { code: "cancelled" });
        if (!restart || tried.has(err.code)) throw err;
        tried.add(err.code);
        if (err.code === "webgpu") remembered.set();
        stopWorker(err);
        const message = restart.message(err);
        noticeListeners.forEach((fn) => fn({ type: "notice", code: "restarted", message }));
        // Each restart keeps what earlier ones set (WebAssembly after WebGPU, one thread).
        if (restart.options) asked = { ...(asked !== null && typeof asked === "object" ? asked : {}), ...restart.options };
      } finally {
        unwatch();
      }
    }
  }

  let loaded = null;
  let markReady;
  const api = {
    /** {backend: "wasm" | "webgpu", ortBuild: "wasm" | "jspi" | "webgpu" (onnxruntime-web's
     *  build running it), variant (the weights it runs: manifest model.variant, or on WebGPU
     *  onnx.webgpu.variant), lazyWeights (the weights were read from storage as the model loaded,
     *  never held whole in memory: "jspi" with stored files), threads, isolated} once loaded. */
    info: null,
    /** "idle", "loading", "ready" or "failed". */
    state: "idle",
    /** Resolves once the model and Python are loaded; never starts loading by itself. */
    ready: new Promise((resolve) => { markReady = resolve; }),
    /**
     * Start loading the model and Python (idempotent); resolves with `info` when both are ready.
     * Options (tuning, mostly for tests; none, undefined, null or {} for the defaults):
     * retries, stallSeconds, retryDelaySeconds, concurrency, startUpSeconds, threads (1: one thread),
     * backend ("auto", the default: WebGPU on a real GPU adapter when the build has a WebGPU
     * graph, else "wasm"; "webgpu" asks for it on any adapter), unresponsiveSeconds (a worker that leaves a question unanswered this long while loading is
     * replaced; default 45).
     */
    load(options) {
      if (loaded) return loaded;
      // Ask the browser to keep the stored model under storage pressure (window-only API).
      navigator.storage?.persist?.().catch(() => {});
      api.state = "loading";
      loaded = loadWithRestarts(options).then((info) => {
        Object.assign(api, { info, state: "ready" });
        markReady(info);
        return info;
      }, (err) => { loaded = null; api.state = "failed"; throw err; });
      return loaded;
    },
    /** Stop a load in progress: its promise rejects with code "cancelled". */
    cancel() {
      if (api.state !== "loading") return;
      cancelled = true;  // a worker that never answers this is ended by the watch, not restarted
      if (worker) request("cancel").catch(() => {});
    },
    /**
     * Generate `max_new_tokens` (default 20) tokens after `prompt`, drawn as the playground's
     * Sample does. Options: any sampling parameter (temperature: 0 is greedy, top_k, top_p,
     * seed, logit_bias, ...; null is the default); `onToken(chip)` sees each token as it is
     * chosen: {index, id, display, text, prob, model_prob, surprisal, alternatives}.
     * Resolves to {ids, text, seed, notices} for the new tokens.
     */
    async generate(prompt, options) {
      const { onToken, ...rest } = (await wire(options, "generate's options"));
      await api.load();
      return request("generate", { prompt: wellFormed(prompt), options: rest }, onToken);
    },
    /**
     * The next-token distribution after `prompt` under sampling `params` (temperature, top_k,
     * top_p, min_p, ... as in generate). Resolves to the `top` most likely tokens after the
     * whole sampler pipeline, most likely first: [{id, display, text, prob, logit}]; fewer
     * when fewer survive. `prob` comes from the full distribution over the vocabulary. The
     * array's `notices` (e.g. the prompt was longer than the model reads) are the worker's notes.
     */
    async distribution(prompt, params, view) {
      if (view?.summary === false) throw new Error("distribution's view cannot be {summary: false}: the distribution is its answer; leave summary out");
      const fields = { session: "api", prompt: wellFormed(prompt), params: await wire(params), view: await wire(view, "view") };
      await api.load();
      const reply = await request("distribution", fields);
      const top = reply.summary.top.filter((t) => t.kept)
        .map(({ id, display, text, prob, logit }) => ({ id, display, text, prob, logit }));
      return Object.assign(top, { notices: reply.notices });
    },
    /**
     * A playground session: the worker keeps its tokens and recent steps' distributions, so
     * moving a slider or undoing rarely runs the model again. Each method resolves to a reply
     * {summary, stages?, chips?, start, length, prompt_len, seed, n_ctx, notices}; `view` is
     * {top: bars to return, trace: true for the stage-by-stage view}. See docs/playground.md.
     */
    session(name = `session-${nextSession++}`) {
      const send = async (type, fields, onEvent) => {
        const wired = { ...fields, params: await wire(fields.params), view: await wire(fields.view, "view") };
        await api.load();
        return request(type, { session: name, ...wired }, onEvent);
      };
      return {
        name,
        open: (prompt, params, view) => send("open", { prompt: wellFormed(prompt), params, view }),
        distribution: (params, view) => send("distribution", { params, view }),
        /** `onChosen(reply)`: called with the chip as soon as the token is chosen, before the
         *  model has run on it (that reply has no summary yet). */
        choose: (kind, params, view, token, onChosen) => send("choose", { kind, token, params, view }, onChosen),
        replay: (ids, params, view) => send("replay", { ids: [...ids], params, view }),
        undo: (params, view) => send("undo", { params, view }),
        reset: (params, view) => send("reset", { params, view }),
        /** A hint that sliders are about to move: the worker precomputes what redraws of the
         *  current step need. Resolves to null; never loads the model by itself. */
        warm: () => (api.state === "ready" ? request("warm", { session: name }) : Promise.resolve(null)),
        close: () => (worker ? request("close", { session: name }) : Promise.resolve(null)),
      };
    },
    /** Diagnostics: {python_heap_bytes}, the size of Pyodide's WASM heap (it only grows, so
     *  this is its peak); null before Python has loaded. Never loads anything. */
    memory: () => (worker ? request("memory") : Promise.resolve({ python_heap_bytes: null })),
    /** Listen to loading progress: fn({stage: "download", loaded, total, seconds_left}) in bytes
     *  (seconds_left is null until there is a rate), and fn({stage, ms}) when each runtime's
     *  files are in and verified ("python-files", "model-files") and when it is up ("python", "model"). */
    onProgress(fn) { listeners.add(fn); return () => listeners.delete(fn); },
    /** Listen to notices that do not stop loading, e.g. storage full: fn({code, message}). */
    onNotice(fn) { noticeListeners.add(fn); return () => noticeListeners.delete(fn); },
  };
  window.nexttoken = api;
})();
