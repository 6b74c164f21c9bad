// Sessions in the worker: generate, distribution and the playground all run here, on
// Python's nexttoken.session (history, the model window, cached steps, sampling, what the page
// draws). The model runs in one place, `ensureLogits`: whatever the session's plan asks.
// Messages and replies: protocol.js.
import { Logits } from "./logits.js";
import { toPlain } from "./python.js";

const caches = new Map();      // session name -> KV cache
const prompts = new Map();     // session name -> prompt it was opened with, until a token is chosen

function sessionName(msg) {
  const name = msg.session ?? "default";
  if (typeof name !== "string" || !name || name.length > 100) throw new Error("session must be a short non-empty string");
  return name;
}

// Parameters, options and view options travel to Python as JSON text: null stays None there.
const json = (value) => JSON.stringify(value ?? {});

export function sessionHandlers(state, load, post) {
  const python = () => state.workerApi;
  // A KV cache on WebGPU lives in GPU buffers, which only its tensors' dispose() frees.
  const dropCache = (name) => {
    if (caches.has(name)) state.model?.releaseCache(caches.get(name));
    caches.delete(name);
  };

  // The worker's one model loop: run what the session's plan asks, so its next step is there.
  async function ensureLogits(name) {
    const { model } = state;
    if (!caches.has(name)) python().forget_cache(name);  // then the plan re-reads the window
    const plan = toPlain(python().plan(name));
    if (!plan) return;
    if (plan.reset) {
      dropCache(name);
      caches.set(name, model.newCache());
    }
    try {
      const logits = await model.forward(caches.get(name), plan.feed);
      python().observe(name, new Logits(logits));  // Python reads what it needs of them
    } catch (err) {
      dropCache(name);
      python().forget_cache(name);
      throw err;
    }
  }

  const reply = (name, msg, chips) => toPlain(python().reply(name, json(msg.params), json(msg.view), chips));

  async function open(name, prompt, params) {
    await load();
    const text = String(prompt ?? "");
    python().open(name, text, state.manifest.model.n_ctx, json(params));
    dropCache(name);
    prompts.set(name, text);
    await ensureLogits(name);
  }

  /** Choose the next token (the model must have run on the position); returns its chip. */
  async function choose(name, kind, params, token) {
    await ensureLogits(name);
    const record = toPlain(python().choose_next(name, kind, json(params), token ?? null));
    prompts.delete(name);
    return record;
  }

  function close(name) {
    dropCache(name);
    prompts.delete(name);
    state.workerApi?.close(name);
  }

  /** Load, then run `action` on the session named in `msg`, then reply with its next step. */
  const withSession = (chips, action) => async (msg) => {
    const name = sessionName(msg);
    await load();
    await action(name, msg);
    await ensureLogits(name);
    return reply(name, msg, chips);
  };

  return {
    generate: async (msg) => {
      await load();
      const { max_new_tokens: count, params } = toPlain(python().generate_options(json(msg.options)));
      const options = JSON.parse(params);
      const name = `generate ${msg.id}`;
      try {
        await open(name, msg.prompt, options);
        for (let i = 0; i < count; i++) {
          post({ type: "token", id: msg.id, token: await choose(name, "sample", options) });
        }
        return toPlain(python().generated(name));
      } finally {
        close(name);
      }
    },
    open: withSession("all", (name, msg) => open(name, msg.prompt, msg.params)),
    distribution: withSession("none", async (name, msg) => {
      if (msg.prompt !== undefined && prompts.get(name) !== String(msg.prompt ?? "")) await open(name, msg.prompt, msg.params);
    }),
    choose: withSession("last", async (name, msg) => {
      await choose(name, msg.kind, msg.params, msg.token);
      // The chosen token before the model runs on it: the page may show it a model step sooner.
      post({ type: "chosen", id: msg.id, reply: reply(name, msg, "last") });
    }),
    replay: withSession("all", async (name, msg) => {
      if (!Array.isArray(msg.ids)) throw new Error("ids must be an array of token ids");
      for (const token of msg.ids) await choose(name, "pick", msg.params, token);
    }),
    // An undone step comes back from Python's cache, or (an older one) from the model again.
    undo: withSession("all", (name) => { toPlain(python().undo(name)); }),
    reset: withSession("all", (name) => { python().reset(name); }),
    warm: async (msg) => {
      state.workerApi?.warm(sessionName(msg));  // never loads nor runs the model
      return null;
    },
    close: async (msg) => {
      close(sessionName(msg));
      return null;
    },
  };
}
