// The next-token distribution as bars: the top N tokens after the sampler pipeline (each a
// button: click, Enter or Space picks it), the most likely removed tokens when fewer than N
// survive, and one "everything else" bar whose mass comes from the full distribution.
import { count, el, percent } from "./dom.js";

const LN2 = Math.log(2);
const reducedMotion = () => window.matchMedia?.("(prefers-reduced-motion: reduce)").matches;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export function createBars(root, { onPick }) {
  const stats = el("p", { class: "pg-stats", "data-role": "stats" });
  const list = el("ol", { class: "pg-bars", "data-role": "top", "aria-label": "Most likely next tokens" });
  const restFill = el("span", { class: "pg-fill" });
  const restLabel = el("span", { class: "pg-token" });
  const restProb = el("span", { class: "pg-prob" });
  const rest = el("div", { class: "pg-rest", "data-role": "rest" },
    restLabel, el("span", { class: "pg-track" }, restFill), restProb);
  const removed = el("p", { class: "pg-removed" });
  root.append(stats, list, rest, removed);
  let rows = [];
  let disabled = false;

  function render(summary) {
    const bits = (nats) => (nats / LN2).toFixed(2);
    stats.textContent = `Entropy ${bits(summary.entropy)} bits, like choosing among ${effective(summary.effective)} ` +
      `equally likely tokens (the model alone: ${bits(summary.model_entropy)} bits, ${effective(summary.model_effective)}). ` +
      `${count(summary.kept)} of ${count(summary.vocab)} tokens can be chosen.`;
    rest.classList.remove("pg-chosen");
    rest.removeAttribute("data-chosen");
    rest.querySelector(".pg-chosen-tag")?.remove();
    rows = summary.top.map((token) => bar(token, summary.greedy));
    list.replaceChildren(...rows.map((row) => row.li));
    const others = summary.rest;
    restLabel.textContent = others.count ? `Everything else (${count(others.count)} more tokens)` : "Everything else (none)";
    restFill.style.setProperty("--p", others.prob);
    restProb.textContent = percent(others.prob);
    removed.textContent = others.removed
      ? `${count(others.removed)} token${others.removed === 1 ? " was" : "s were"} removed by the samplers (probability 0).` : "";
    setDisabled(disabled);
  }

  function bar(token, greedyId) {
    const fill = el("span", { class: "pg-fill" });
    fill.style.setProperty("--p", token.prob);
    const ghost = el("span", { class: "pg-ghost" });
    ghost.style.setProperty("--p", token.model_prob);
    const tags = [];
    if (!token.kept) tags.push("removed");
    if (token.id === greedyId) tags.push("most likely");
    const button = el("button", {
      type: "button", class: "pg-bar", "data-id": token.id,
      "aria-label": `${token.display}: ${percent(token.prob)}${token.kept ? "" : " (removed by the samplers)"}, ` +
        `model ${percent(token.model_prob)}, logit ${token.logit.toFixed(2)}. Choose this token.`,
    },
    el("span", { class: "pg-token" }, token.display),
    el("span", { class: "pg-track", "aria-hidden": "true" }, ghost, fill),
    el("span", { class: "pg-prob" }, percent(token.prob)),
    el("span", { class: "pg-logit" }, token.logit.toFixed(2)),
    tags.length ? el("span", { class: "pg-tag" }, tags.join(", ")) : null);
    button.title = `id ${token.id}; model probability ${percent(token.model_prob)}; logit ${token.logit.toFixed(3)}`;
    button.addEventListener("click", () => { if (!disabled) onPick(token.id); });
    const li = el("li", { class: token.kept ? "pg-row" : "pg-row pg-removed-row" }, button);
    return { id: token.id, li, button, prob: token.prob };
  }

  function setDisabled(on) {
    disabled = on;
    for (const row of rows) row.button.disabled = on;
  }

  /** Mark the bar of `id` (or the "everything else" bar) as chosen, after a short draw. */
  async function land(id, animate) {
    const target = rows.find((row) => row.id === id)?.li ?? rest;
    const stops = [...rows.map((row) => row.li), rest];
    if (animate && !reducedMotion()) {
      // A slowing run over the bars that ends on the chosen one.
      let at = Math.floor(Math.random() * stops.length);
      const distance = (stops.indexOf(target) - at + stops.length) % stops.length;
      const hops = distance + 1 + stops.length * Math.ceil(8 / stops.length);  // ends on target
      for (let hop = 0; hop < hops; hop++) {
        stops[at].classList.add("pg-hit");
        await sleep(15 + 120 * (hop / hops) ** 3);
        stops[at].classList.remove("pg-hit");
        at = (at + 1) % stops.length;
      }
    }
    target.classList.add("pg-chosen");
    target.setAttribute("data-chosen", "");
    (target.querySelector(".pg-bar") ?? target).append(el("span", { class: "pg-chosen-tag" }, "✓ chosen"));
  }

  return { render, setDisabled, land, element: list };
}

function effective(value) {
  return value < 100 ? value.toFixed(1) : count(Math.round(value));
}
