// The playground: a prompt, GPT-2's next-token distribution as bars, every sampler, and the
// actions (sample, pick, greedy step, generate N, undo, reset). The markup comes from
// templates/figures/playground.html; this module fills and wires it, as a state machine
// (machine.js: idle, loading, stepping, generating, replaying, stopping) whose views only
// render. Model output and user text only ever go into the page as text, never as HTML.
import { createBars } from "./bars.js";
import { createChips } from "./chips.js";
import { buildControls } from "./controls.js";
import { el, percent } from "./dom.js";
import { runsOn } from "../format.js";
import { SessionClient } from "./client.js";
import { parseSeed } from "./fields.js";
import { createMachine } from "./machine.js";
import { DEFAULT_TOP, MAX_PROMPT_CHARS, MAX_TOKENS, MAX_TOP, fitLink } from "./state.js";
import { createShare } from "./share.js";
import { createStages } from "./stages.js";
import { createView } from "./view.js";

const MAX_GENERATE = 500;
const REPLAY_CHUNK = 32;          // tokens per replay message: progress and Stop in between
const AUTO_REPLAY_MAX = 64;       // an embed's autoload replays at most this many by itself
const DRAFT_KEY = "nexttoken-draft:";  // sessionStorage: a prompt kept across the isolation reload

/**
 * Wire one [data-playground] element. options: {state (from readState), ignored (notes),
 * visible (Set of control names or null), mode ("figure", "page" or "embed"),
 * onState(state, {now}) (the URL state after every change; now: a run just ended)}.
 * Returns {share, autoload()} (autoload: load and run as if Run was pressed, replaying a
 * link's tokens only up to AUTO_REPLAY_MAX).
 */
export function mountPlayground(root, options = {}) {
  const api = window.nexttoken;
  const $ = (role) => root.querySelector(`[data-role="${role}"]`);
  const button = (action) => root.querySelector(`[data-action="${action}"]`);
  const idPrefix = root.id || "playground";
  const initial = options.state ?? { params: {} };
  const prompt = $("prompt");
  const seedInput = $("seed");
  const countInput = $("count");
  const topSelect = $("top");

  const chips = createChips($("chips"), { idPrefix });
  const bars = createBars($("bars"), { onPick: (id) => act("stepping", () => step("pick", id)) });
  const stages = createStages($("stages"), { onToggle: (open) => open && redraw() });
  const controls = buildControls($("controls"), { idPrefix, vocab: Number(root.dataset.vocabSize),
    visible: options.visible ?? null, onChange: () => { redraw(); changed(); } });
  // Grabbing a control (pointer or keyboard focus): the worker readies this step for redraws.
  for (const type of ["pointerdown", "focusin"]) $("controls").addEventListener(type, () => client.warm());
  const share = createShare(root, { state: urlState, mode: options.mode ?? "figure", status: (text) => view.say(text) });
  const client = new SessionClient(api, (reply) => apply(reply), fail);
  const view = createView(root, { bars });
  api.onNotice?.(({ message }) => view.notice(message));  // the worker's: a fallback, storage full
  const machine = createMachine(render);

  // What the worker's session holds: its prompt (null until opened), the chosen ids and texts.
  const session = { prompt: null, chosen: [], texts: [] };
  // A link's tokens not yet replayed: the address keeps them until a replay completes.
  let pending = initial.tokens?.length ? initial.tokens : null;
  let folded = false;  // the reader was told that the link folds early tokens into the prompt

  prompt.maxLength = MAX_PROMPT_CHARS;
  if (initial.prompt !== undefined) prompt.value = initial.prompt;
  takeDraft();
  controls.set(initial.params);
  if (initial.seed !== undefined) seedInput.value = String(initial.seed);
  const top = initial.top ?? DEFAULT_TOP;  // a link may ask for any count from 1 to MAX_TOP
  const counts = [...new Set([5, 10, 15, 20, 30, MAX_TOP, top])].sort((a, b) => a - b);
  topSelect.replaceChildren(...counts.map((n) => el("option", { value: n }, String(n))));
  topSelect.value = String(top);
  (options.ignored ?? []).forEach((note) => view.notice(`Ignored from the link: ${note}.`));
  if (pending) view.notice(`This link holds ${pending.length} chosen tokens: press Run to load GPT-2 and replay them.`);

  // --- reading the controls ---------------------------------------------------------------

  function params() {
    const seed = parseSeed(seedInput.value);
    return { ...controls.params(), seed: seed.error ? null : seed.value };
  }

  const viewParams = () => ({ top: Number(topSelect.value) || DEFAULT_TOP, trace: stages.isOpen() });

  function urlState() {
    const { seed, ...rest } = params();
    const link = pending ? { prompt: session.prompt ?? prompt.value, tokens: pending }
      : fitLink(session.prompt ?? prompt.value, session.chosen, session.texts);
    return { prompt: link.prompt, tokens: link.tokens, params: rest, seed: seed ?? undefined, top: viewParams().top };
  }

  function changed({ now = false } = {}) {
    options.onState?.(urlState(), { now });
    const full = root.querySelector(".pg-open");
    if (full) full.href = share.linkUrl();
  }

  function redraw() {
    client.redraw(params(), viewParams());
  }

  // --- talking to the worker ---------------------------------------------------------------

  function apply(reply, { append = false } = {}) {
    if (reply.chips) {
      const chosen = reply.chips.filter((c) => c.kind !== "prompt");
      if (append) chips.append(reply.chips, reply.start);
      else chips.renderAll(reply.chips, reply.start);
      if (!append) session.chosen = [], session.texts = [];
      session.chosen.push(...chosen.map((c) => c.id));
      session.texts.push(...chosen.map((c) => c.text));
    }
    if (seedInput.value.trim() === "" || parseSeed(seedInput.value).error) seedInput.value = String(reply.seed);
    if (reply.summary) bars.render(reply.summary);
    if (reply.stages) stages.render(reply.stages);
    reply.notices?.forEach(view.notice);
    render();
    changed();
  }

  async function open(text, { replay = true } = {}) {
    machine.to("loading");
    view.clearNotices();
    view.say(api.state === "ready" ? "Running GPT-2 on the prompt…" : "Loading GPT-2 (the first time downloads the model)…");
    const reply = await client.open(text, params(), viewParams());
    session.prompt = text;
    folded = false;
    apply(reply);
    if (pending && !replay) view.notice(`This link holds ${pending.length} chosen tokens: press Run to replay them.`);
    if (pending && replay) await replayLink(pending);
    else view.say(readyText());
  }

  // The link's tokens, a chunk at a time; the address changes only once all are in.
  async function replayLink(ids) {
    machine.to("replaying");
    let done = 0;
    while (done < ids.length && machine.state === "replaying") {
      view.say(`Replaying the link's tokens: ${done} of ${ids.length}…`);
      const chunk = ids.slice(done, done + REPLAY_CHUNK);
      apply(await client.action((s) => s.replay(chunk, params(), viewParams())));
      done += chunk.length;
    }
    if (done < ids.length) {
      view.say(`Replay stopped after ${done} of ${ids.length} tokens; the link's tokens are kept. ` +
        "Run replays them again; any other action goes on from here.");
      return;
    }
    pending = null;
    view.say(`Replayed ${ids.length} tokens from the link. ${readyText()}`);
  }

  // While generating, the bars follow at most every BARS_MS and on the last token: a step
  // without them costs the worker no sort of the vocabulary (docs/playground.md).
  const BARS_MS = 250;
  let barsAt = 0;

  /** One token; returns whether the reply brought the bars of the step after it. */
  async function step(kind, token, { last = true } = {}) {
    pending = null;  // the reader goes on from the text on screen
    const generating = machine.state === "generating";
    const withBars = !generating || last || performance.now() - barsAt >= BARS_MS;
    const viewNow = withBars ? viewParams() : { ...viewParams(), summary: false };
    // While generating, the chip goes on screen as soon as the token is chosen; the bars follow
    // when the model has run on it. A single step first lands the bars on the chosen one.
    let shown = false;
    const early = (reply) => { if (generating) { shown = true; apply(reply, { append: true }); } };
    const reply = await client.action((s) => s.choose(kind, params(), viewNow, token, early));
    const chosen = reply.chips[0];
    if (!generating) await bars.land(chosen.id, kind === "sample");
    apply(shown ? { ...reply, chips: undefined } : reply, { append: true });
    if (reply.summary) barsAt = performance.now();
    if (!generating) view.say(`${chosen.display} (${describe(kind)}; it had ${percent(chosen.prob)}).`);
    return Boolean(reply.summary);
  }

  async function generate() {
    const total = Math.min(MAX_GENERATE, Math.max(1, parseInt(countInput.value, 10) || 20));
    countInput.value = String(total);
    const started = performance.now();
    let made = 0;
    let drawn = true;
    while (made < total && machine.state === "generating") {
      drawn = await step("sample", undefined, { last: made === total - 1 });
      made++;
      view.say(`Generating… ${made} of ${total}`);
    }
    // Stopped on a step without its bars: draw them now.
    if (!drawn) apply(await client.action((s) => s.distribution(params(), viewParams())));
    const each = made ? ` (${((performance.now() - started) / made).toFixed(0)} ms per token)` : "";
    view.say(made < total ? `Stopped after ${made} of ${total} tokens${each}.` : `Generated ${made} tokens${each}.`);
  }

  async function undoOrReset(kind) {
    pending = null;
    apply(await client.action((s) => s[kind](params(), viewParams())));
    if (kind === "reset") prompt.value = session.prompt;
    view.say(kind === "undo" ? "Undid the last token." : "Back to the prompt alone.");
  }

  // One action at a time: a click while another runs (a double click, a script) is ignored.
  // An action on a session not yet open first opens it (and replays a link's tokens).
  async function act(state, action, { replay = true } = {}) {
    if (machine.busy) return;
    try {
      if (state === "loading" || !client.opened) await open(prompt.value, { replay });
      if (state !== "loading" && machine.state !== "stopping") {
        machine.to(state);
        await action();
      }
    } catch (err) {
      fail(err);
    } finally {
      machine.to("idle");
      if (session.chosen.length > MAX_TOKENS && !folded) {
        folded = true;
        view.notice(`More than ${MAX_TOKENS} chosen tokens, the most a link holds: the link keeps the last ${MAX_TOKENS} ` +
          "as tokens and the text of the earlier ones as part of its prompt.");
      }
      changed({ now: true });
    }
  }

  function fail(err) {
    view.say(`Error: ${err?.message ?? err}`);
  }

  function render() {
    view.render({ state: machine.state, chosen: session.chosen.length, loaded: api.state === "ready" || client.opened,
      edited: session.prompt !== null && prompt.value !== session.prompt });
  }

  function readyText() {
    const where = api.info ? ` GPT-2 runs here on ${runsOn(api.info)}.` : "";
    return `Ready. Sample, take a greedy step, or pick a bar.${where}`;
  }

  // A prompt typed before the service worker's one-time reload (sw-register.js) survives it.
  function draftKey() {
    return `${DRAFT_KEY}${location.pathname}#${prompt.id}`;
  }

  function takeDraft() {
    try {
      const text = sessionStorage.getItem(draftKey());
      sessionStorage.removeItem(draftKey());
      if (text !== null) prompt.value = text;
    } catch { /* no session storage: nothing was kept */ }
  }

  addEventListener("nexttoken:isolation-reload", () => {
    try { sessionStorage.setItem(draftKey(), prompt.value); } catch { /* blocked: the default stays */ }
  });

  // --- the buttons -------------------------------------------------------------------------

  button("run").addEventListener("click", () => act("loading"));
  button("sample").addEventListener("click", () => act("stepping", () => step("sample")));
  button("greedy").addEventListener("click", () => act("stepping", () => step("greedy")));
  button("generate").addEventListener("click", () => act("generating", generate));
  button("stop").addEventListener("click", () => {
    if (!machine.can("stopping")) return;
    machine.to("stopping");
    view.say("Stopping after this token…");
  });
  button("undo").addEventListener("click", () => act("stepping", () => undoOrReset("undo")));
  button("reset").addEventListener("click", () => act("stepping", () => undoOrReset("reset")));
  seedInput.addEventListener("change", () => {
    const seed = parseSeed(seedInput.value);
    seedInput.setAttribute("aria-invalid", seed.error ? "true" : "false");
    $("seed-error").textContent = seed.error ?? "";
    changed();
  });
  topSelect.addEventListener("change", () => { redraw(); changed(); });
  // A reload may bring the box back ticked (Firefox restores form values): the text follows it.
  chips.colour($("colour").checked);
  $("colour").addEventListener("change", (event) => chips.colour(event.target.checked));
  prompt.addEventListener("input", render);
  prompt.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) act("loading");
  });
  api.onProgress?.(({ loaded, total }) => {
    if (api.state === "loading" && total) view.say(`Loading GPT-2: ${(loaded / 1e6).toFixed(1)} of ${(total / 1e6).toFixed(1)} MB`);
  });

  render();
  return { share, autoload: () => act("loading", null, { replay: (pending?.length ?? 0) <= AUTO_REPLAY_MAX }) };
}

function describe(kind) {
  return { sample: "sampled", greedy: "greedy step", pick: "picked by you" }[kind];
}
