// The playground: a prompt, GPT-2's next-token distribution as bars, every sampler, and the
// actions (sample, pick, greedy step, generate N, undo, reset). The markup comes from
// templates/figures/playground.html; this module fills and wires it. Model output and user
// text only ever go into the page as text (textContent), never as HTML.
import { createBars } from "./bars.js";
import { createChips } from "./chips.js";
import { buildControls } from "./controls.js";
import { el, percent } from "./dom.js";
import { SessionClient } from "./engine.js";
import { parseSeed } from "./fields.js";
import { DEFAULT_TOP, MAX_PROMPT_CHARS, MAX_TOP } from "./state.js";
import { createShare } from "./share.js";
import { createStages } from "./stages.js";

const MAX_GENERATE = 500;

/**
 * Wire one [data-playground] element. options: {state (from readState), ignored (notes),
 * visible (Set of control names or null), mode ("figure", "page" or "embed"),
 * onState(state) (called with the URL state after every change), autoload}.
 */
export function mountPlayground(root, options = {}) {
  const api = window.nexttoken;
  const $ = (role) => root.querySelector(`[data-role="${role}"]`);
  const button = (action) => root.querySelector(`[data-action="${action}"]`);
  const idPrefix = root.id || "playground";
  const vocab = Number(root.dataset.vocabSize);
  const mode = options.mode ?? "figure";
  const initial = options.state ?? { params: {} };

  const prompt = $("prompt");
  const status = $("status");
  const notices = $("notices");
  api.onNotice?.(({ message }) => notice(message));  // the engine's: a fallback, storage full
  const seedInput = $("seed");
  const countInput = $("count");
  const topSelect = $("top");
  const colour = $("colour");
  const actions = ["run", "sample", "greedy", "generate", "undo", "reset"].map(button);
  const stopButton = button("stop");

  const chips = createChips($("chips"), { idPrefix });
  const bars = createBars($("bars"), { onPick: (id) => act(() => step("pick", id)) });
  const stages = createStages($("stages"), { onToggle: (open) => open && redraw() });
  const controls = buildControls($("controls"), { idPrefix, vocab, visible: options.visible ?? null, onChange: () => { redraw(); changed(); } });
  // Grabbing a control (pointer or keyboard focus): the engine readies this step for redraws.
  for (const type of ["pointerdown", "focusin"]) $("controls").addEventListener(type, () => client.warm());
  const share = createShare(root, { state: urlState, mode, status: say });
  const client = new SessionClient(api, (reply) => apply(reply), fail);

  // What the session holds (mirrors the engine's replies).
  const session = { prompt: null, chosen: [], length: 0, promptLen: 0, seed: null };
  let pendingTokens = initial.tokens ?? null;
  let busy = false;
  let generating = false;
  let stopping = false;

  prompt.maxLength = MAX_PROMPT_CHARS;
  if (initial.prompt !== undefined) prompt.value = initial.prompt;
  controls.set(initial.params);
  if (initial.seed !== undefined) seedInput.value = String(initial.seed);
  const top = initial.top ?? DEFAULT_TOP;  // a link may ask for any count from 1 to MAX_TOP
  const counts = [...new Set([5, 10, 15, 20, 30, MAX_TOP, top])].sort((a, b) => a - b);
  topSelect.replaceChildren(...counts.map((n) => el("option", { value: n }, String(n))));
  topSelect.value = String(top);
  (options.ignored ?? []).forEach((note) => notice(`Ignored from the link: ${note}.`));
  if (pendingTokens?.length) notice(`This link holds ${pendingTokens.length} chosen tokens: press Run to load GPT-2 and replay them.`);

  // --- reading the controls ---------------------------------------------------------------

  function params() {
    const seed = parseSeed(seedInput.value);
    return { ...controls.params(), seed: seed.error ? null : seed.value };
  }

  const view = () => ({ top: Number(topSelect.value) || DEFAULT_TOP, trace: stages.isOpen() });

  function urlState() {
    const { seed, ...rest } = params();
    const text = session.prompt ?? prompt.value;
    return { prompt: text, tokens: session.prompt === null ? pendingTokens ?? [] : session.chosen, params: rest,
      seed: seed ?? undefined, top: view().top };
  }

  function changed() {
    options.onState?.(urlState());
    const full = root.querySelector(".pg-open");
    if (full) full.href = share.linkUrl();
  }

  function redraw() {
    client.redraw(params(), view());
  }

  // --- talking to the engine ---------------------------------------------------------------

  function apply(reply, { append = false } = {}) {
    if (reply.chips) {
      if (append) chips.append(reply.chips, reply.start);
      else chips.renderAll(reply.chips, reply.start);
      if (!append) session.chosen = reply.chips.filter((c) => c.kind !== "prompt").map((c) => c.id);
      else session.chosen.push(...reply.chips.map((c) => c.id));
    }
    Object.assign(session, { length: reply.length, promptLen: reply.prompt_len, seed: reply.seed });
    if (seedInput.value.trim() === "" || parseSeed(seedInput.value).error) seedInput.value = String(reply.seed);
    if (reply.summary) bars.render(reply.summary);
    if (reply.stages) stages.render(reply.stages);
    reply.notices?.forEach(notice);
    refresh();
    changed();
  }

  async function ensureOpen() {
    if (client.opened) return;
    await open(prompt.value);
  }

  async function open(text) {
    notices.replaceChildren();
    say(api.state === "ready" ? "Running GPT-2 on the prompt…" : "Loading GPT-2 (the first time downloads the model)…");
    const reply = await client.open(text, params(), view());
    session.prompt = text;
    apply(reply);
    const replay = pendingTokens;
    pendingTokens = null;
    if (replay?.length) {
      say(`Replaying ${replay.length} tokens from the link…`);
      apply(await client.action((s) => s.replay(replay, params(), view())));
    }
    say(readyText());
  }

  async function step(kind, token) {
    await ensureOpen();
    // While generating, the chip goes on screen as soon as the token is chosen; the bars follow
    // when the model has run on it. A single step first lands the bars on the chosen one.
    let shown = false;
    const early = (reply) => { if (generating) { apply(reply, { append: true }); shown = true; } };
    const reply = await client.action((s) => s.step(kind, params(), view(), token, early));
    const chosen = reply.chips[0];
    if (!generating) await bars.land(chosen.id, kind === "sample");
    apply(shown ? { ...reply, chips: undefined } : reply, { append: true });
    if (!generating) say(`${chosen.display} (${describe(kind)}; it had ${percent(chosen.prob)}).`);
    return chosen;
  }

  async function generate() {
    const total = Math.min(MAX_GENERATE, Math.max(1, parseInt(countInput.value, 10) || 20));
    countInput.value = String(total);
    await ensureOpen();
    generating = true;
    stopping = false;
    refresh();
    const started = performance.now();
    let made = 0;
    try {
      while (made < total && !stopping) {
        await step("sample");
        made++;
        say(`Generating… ${made} of ${total}`);
      }
    } finally {
      generating = false;
    }
    const each = made ? ` (${((performance.now() - started) / made).toFixed(0)} ms per token)` : "";
    say(stopping ? `Stopped after ${made} of ${total} tokens${each}.` : `Generated ${made} tokens${each}.`);
  }

  // One action at a time: the buttons are disabled while it runs, and a click that still
  // arrives (a double click, a script) is ignored.
  async function act(action) {
    if (busy) return;
    busy = true;
    refresh();
    try {
      await action();
    } catch (err) {
      fail(err);
    } finally {
      busy = false;
      refresh();
    }
  }

  function fail(err) {
    say(`Error: ${err?.message ?? err}`);
  }

  function refresh() {
    const chosen = session.chosen.length;
    for (const b of actions) b.disabled = busy;
    button("undo").disabled = busy || !chosen;
    button("reset").disabled = busy || !chosen;
    stopButton.disabled = !generating || stopping;
    stopButton.hidden = !generating;
    const run = button("run");
    if (!(api.state === "ready" || client.opened)) run.textContent = `Load GPT-2 (${root.dataset.downloadMb} MB) and run`;
    else run.textContent = session.prompt !== null && prompt.value !== session.prompt ? "Run the new prompt" : "Run";
    bars.setDisabled(busy);
    root.toggleAttribute("data-busy", busy);
  }

  function say(text) {
    status.textContent = text;
  }

  function notice(text) {
    notices.append(el("li", {}, text));
  }

  function readyText() {
    return "Ready. Sample, take a greedy step, or pick a bar.";
  }

  // --- the buttons -------------------------------------------------------------------------

  button("run").addEventListener("click", () => act(() => open(prompt.value)));
  button("sample").addEventListener("click", () => act(() => step("sample")));
  button("greedy").addEventListener("click", () => act(() => step("greedy")));
  button("generate").addEventListener("click", () => act(generate));
  stopButton.addEventListener("click", () => { stopping = true; refresh(); say("Stopping after this token…"); });
  button("undo").addEventListener("click", () => act(async () => {
    apply(await client.action((s) => s.undo(params(), view())));
    say("Undid the last token.");
  }));
  button("reset").addEventListener("click", () => act(async () => {
    apply(await client.action((s) => s.reset(params(), view())));
    prompt.value = session.prompt;
    say("Back to the prompt alone.");
  }));
  seedInput.addEventListener("change", () => {
    const seed = parseSeed(seedInput.value);
    seedInput.setAttribute("aria-invalid", seed.error ? "true" : "false");
    $("seed-error").textContent = seed.error ?? "";
    changed();
  });
  topSelect.addEventListener("change", () => { redraw(); changed(); });
  colour.addEventListener("change", () => chips.colour(colour.checked));
  prompt.addEventListener("input", refresh);
  prompt.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) act(() => open(prompt.value));
  });
  api.onProgress?.(({ loaded, total }) => {
    if (api.state === "loading" && total) say(`Loading GPT-2: ${(loaded / 1e6).toFixed(1)} of ${(total / 1e6).toFixed(1)} MB`);
  });

  refresh();
  if (options.autoload) act(() => open(prompt.value));
  return { share };
}

function describe(kind) {
  return { sample: "sampled", greedy: "greedy step", pick: "picked by you" }[kind];
}
