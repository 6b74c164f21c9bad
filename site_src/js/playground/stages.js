// The stage-by-stage view (from Python's Prepared.trace): for each active sampler, in the
// pipeline's order, which tokens it removed and how the survivors were renormalised (each
// stage's label comes from Python: params.STAGE_LABELS).
import { count, el, percent } from "./dom.js";

export function createStages(root, { onToggle }) {
  const list = el("ol", { class: "pg-stage-list" });
  const empty = el("p", { class: "pg-help" });
  const box = el("details", { class: "pg-stages" },
    el("summary", {}, "Stage by stage: what each sampler did"), empty, list);
  box.addEventListener("toggle", () => {
    if (!box.open) list.replaceChildren();  // stale once closed: the next open redraws
    onToggle(box.open);
  });
  root.append(box);

  function render(stages) {
    if (!stages) return;
    empty.textContent = stages.length ? "The samplers run in this order on the model's distribution:"
      : "No sampler is active: the next token is drawn from the model's own distribution.";
    list.replaceChildren(...stages.map(stage));
  }

  function stage(s) {
    const what = s.removed
      ? `removed ${count(s.removed)} token${s.removed === 1 ? "" : "s"} holding ${percent(s.removed_mass)} of the probability` +
        (s.examples.length ? `, the likeliest being ${s.examples.map((t) => `${t.display} (${percent(t.prob)})`).join(", ")}` : "")
      : "removed no token but reshaped the probabilities";
    const renormalised = s.removed && s.removed_mass < 1
      ? ` The ${count(s.kept)} left share the removed mass: each is scaled by ×${(1 / (1 - s.removed_mass)).toFixed(3)}.`
      : ` ${count(s.kept)} tokens left.`;
    return el("li", { "data-stage": s.name },
      el("strong", {}, s.label), `: ${what}.${renormalised}`,
      el("span", { class: "pg-stage-top" }, ` Now: ${s.top.map((t) => `${t.display} ${percent(t.prob)}`).join(", ")}.`));
  }

  return { render, isOpen: () => box.open };
}
