// The text so far as token chips. A chosen token's chip is focusable; hovering or focusing it
// shows the probability it had when chosen and the alternatives at that step. Optional
// colouring by surprisal (-log2 of the model's probability) also changes the underline, so
// colour is never the only signal.
import { count, el, percent } from "./dom.js";

const COLLAPSE_OUTSIDE = 40;  // more tokens than this outside the context window fold into one
const SURPRISAL_STEPS = [1, 3, 6, 10];  // bits: below 1 is "expected", 10 or more "very surprising"
const KIND = { sample: "sampled", greedy: "greedy step", pick: "picked by you" };

export function createChips(root, { idPrefix }) {
  const text = el("div", { class: "pg-text output", "data-role": "output", role: "group", "aria-label": "Text so far, one chip per token" });
  const tip = el("div", { class: "pg-tip", role: "tooltip", id: `${idPrefix}-tip`, hidden: true });
  root.append(text, tip);
  let chips = [];          // chip records, in history order
  let start = 0;           // first token the model sees

  function renderAll(records, windowStart) {
    chips = records.slice();
    start = windowStart;
    text.replaceChildren(...nodesFor(chips, 0));
  }

  function append(records, windowStart) {
    if (windowStart !== start) return renderAll([...chips, ...records], windowStart);
    chips.push(...records);
    text.append(...nodesFor(records, chips.length - records.length));
  }

  function nodesFor(records, offset) {
    const nodes = [];
    const outside = records.filter((_, i) => offset + i < start).length;
    let i = 0;
    if (outside > COLLAPSE_OUTSIDE) {
      nodes.push(el("span", { class: "pg-outside-fold" }, `… ${count(outside)} earlier tokens the model no longer sees …`));
      i = outside;
    }
    for (; i < records.length; i++) {
      if (offset + i === start && start > 0) nodes.push(el("span", { class: "pg-window-mark" }, "⟨ the model sees from here ⟩"));
      nodes.push(chip(records[i], offset + i < start));
      if (records[i].text.includes("\n")) nodes.push(el("br"));
    }
    return nodes;
  }

  function chip(record, outside) {
    const classes = ["chip", record.kind === "prompt" ? "pg-prompt-token" : "new-token"];
    if (outside) classes.push("pg-outside");
    const node = el("span", { class: classes.join(" "), "data-index": record.index, "data-id": record.id }, record.display);
    if (record.kind === "prompt") {
      node.title = `prompt token, id ${record.id}`;
      return node;
    }
    const bucket = SURPRISAL_STEPS.findIndex((limit) => record.surprisal !== null && record.surprisal < limit);
    node.dataset.surprisal = String(bucket === -1 ? SURPRISAL_STEPS.length : bucket);
    node.tabIndex = 0;
    node.setAttribute("aria-describedby", tip.id);
    node.setAttribute("aria-label", `${record.display}, ${KIND[record.kind]}, probability ${percent(record.prob)}`);
    const show = () => showTip(node, record);
    node.addEventListener("mouseenter", show);
    node.addEventListener("focus", show);
    node.addEventListener("mouseleave", hideTip);
    node.addEventListener("blur", hideTip);
    node.addEventListener("keydown", (event) => { if (event.key === "Escape") hideTip(); });
    return node;
  }

  function showTip(node, record) {
    const surprisal = record.surprisal === null ? "infinite" : `${record.surprisal.toFixed(2)} bits`;
    tip.replaceChildren(
      el("strong", {}, record.display), ` (id ${record.id}), ${KIND[record.kind]}`,
      el("br"), `Probability when chosen: ${percent(record.prob)} (model alone ${percent(record.model_prob)}, surprisal ${surprisal})`,
      el("br"), "Alternatives at this step:",
      el("ol", {}, ...record.alternatives.map((alt) => el("li", {}, `${alt.display} ${percent(alt.prob)}`))));
    tip.hidden = false;
    const box = node.getBoundingClientRect();
    const host = root.getBoundingClientRect();
    tip.style.left = `${Math.max(0, box.left - host.left)}px`;
    tip.style.top = `${box.bottom - host.top + 4}px`;
  }

  function hideTip() {
    tip.hidden = true;
  }

  return {
    renderAll,
    append,
    colour(on) { text.classList.toggle("pg-surprisal", on); },
    element: text,
  };
}
