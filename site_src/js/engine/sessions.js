// Playground sessions in the engine worker: the model runs here, everything else (history,
// cached steps, sampling, what the page draws) is Python's nexttoken.session.
//
// Messages (each also carries `id`; replies are {id, type: "result", value}):
//   {type: "open", session, prompt, params, view}         -> reply with every chip
//   {type: "distribution", session, params, view, prompt?} -> reply without chips; with
//        `prompt`, (re)opens the session first unless it already holds exactly that prompt
//   {type: "step", session, kind: "sample"|"greedy"|"pick", token?, params, view}
//        -> first {id, type: "token", token: reply with the new chip, no summary}, as soon as
//           the token is chosen; then the reply with the new chip and the next summary
//   {type: "replay", session, ids, params, view}           -> picks each id; every chip
//   {type: "undo" | "reset", session, params, view}        -> reply with every chip
//   {type: "warm", session}   sliders are about to move: build the step's band index -> null
//   {type: "close", session}
// A reply: {length, prompt_len, start, seed, n_ctx, notices, summary, stages?, chips?}
// (see nexttoken.worker_api.Engine.reply).

const caches = new Map();      // session name -> KV cache
const prompts = new Map();     // session name -> prompt it was opened with, until a step

/** A Python result as plain JS (dicts become objects), freeing the Python proxy. */
function plain(value) {
  if (!value?.toJs) return value;
  try {
    return value.toJs({ dict_converter: Object.fromEntries });
  } finally {
    value.destroy();
  }
}

function sessionName(msg) {
  const name = msg.session ?? "default";
  if (typeof name !== "string" || !name || name.length > 100) throw new Error("session must be a short non-empty string");
  return name;
}

export function sessionHandlers(state, load) {
  // Run the model on whatever the session's plan asks, so its next step is there.
  async function ensureLogits(name) {
    const { engine, model } = state;
    if (!caches.has(name)) engine.forget_cache(name);  // then the plan re-reads the window
    const plan = plain(engine.plan(name));
    if (!plan) return;
    if (plan.reset) caches.set(name, model.newCache());
    try {
      const logits = await model.forward(caches.get(name), plan.feed);
      engine.observe(name, logits);
    } catch (err) {
      caches.delete(name);
      engine.forget_cache(name);
      throw err;
    }
  }

  // Parameters and view options travel as JSON text: null stays None in Python.
  const json = (value) => JSON.stringify(value ?? {});
  const reply = (name, msg, chips) => plain(state.engine.reply(name, json(msg.params), json(msg.view), chips));

  async function open(name, msg) {
    await load();
    const prompt = String(msg.prompt ?? "");
    state.engine.open(name, prompt, state.manifest.model.n_ctx, json(msg.params));
    caches.delete(name);
    prompts.set(name, prompt);
    await ensureLogits(name);
  }

  async function choose(name, msg, kind, token) {
    plain(state.engine.choose_next(name, kind, json(msg.params), token ?? null));
    prompts.delete(name);
    await ensureLogits(name);
  }

  return {
    open: async (msg) => {
      const name = sessionName(msg);
      await open(name, msg);
      return reply(name, msg, "all");
    },
    distribution: async (msg) => {
      const name = sessionName(msg);
      if (msg.prompt !== undefined && prompts.get(name) !== String(msg.prompt)) await open(name, msg);
      await load();
      await ensureLogits(name);
      return reply(name, msg, "none");
    },
    step: async (msg) => {
      const name = sessionName(msg);
      await load();
      await ensureLogits(name);
      plain(state.engine.choose_next(name, msg.kind, json(msg.params), msg.token ?? null));
      prompts.delete(name);
      // The chosen token before the model runs on it: the page may show it a model step sooner.
      postMessage({ type: "token", id: msg.id, token: reply(name, msg, "last") });
      await ensureLogits(name);
      return reply(name, msg, "last");
    },
    replay: async (msg) => {
      const name = sessionName(msg);
      await load();
      for (const token of msg.ids ?? []) {
        await ensureLogits(name);
        await choose(name, msg, "pick", token);
      }
      return reply(name, msg, "all");
    },
    undo: async (msg) => {
      const name = sessionName(msg);
      await load();
      plain(state.engine.undo(name));
      return reply(name, msg, "all");
    },
    reset: async (msg) => {
      const name = sessionName(msg);
      await load();
      state.engine.reset(name);
      return reply(name, msg, "all");
    },
    warm: async (msg) => {
      state.engine?.warm(sessionName(msg));  // never loads nor runs the model
      return null;
    },
    close: async (msg) => {
      const name = sessionName(msg);
      caches.delete(name);
      prompts.delete(name);
      state.engine?.close(name);
      return null;
    },
  };
}
