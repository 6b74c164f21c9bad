// Top tokens of one or more prompts under the figure's controls (temperature, top-k, ...).
// Every number comes from the baked states; rows are fixed per prompt (its top tokens at T = 1).
import { announce, bindControls, num, pct, setBar } from "./common.js";

export function mount(root, data) {
  const panels = [...root.querySelectorAll("[data-case]")];
  const controls = bindControls(root, data.controls, render);

  function render(values) {
    const state = data.states[controls.key()];
    if (!state) return;
    const visible = data.show === "pick" && values.case !== undefined
      ? data.cases.findIndex((c) => c.label === values.case) : -1;
    const summary = [];
    panels.forEach((panel, i) => {
      panel.hidden = visible >= 0 && i !== visible;
      const s = state[i];
      const rows = panel.querySelectorAll("[data-row]");
      rows.forEach((row, r) => {
        const p = s.p[r];
        row.classList.toggle("is-cut", p === 0);
        row.querySelector(".val").textContent = p === 0 ? "cut" : pct(p);
        setBar(row.querySelector(".fill"), p);
      });
      const rest = panel.querySelector("[data-rest]");
      rest.querySelector(".val").textContent = pct(s.rest);
      setBar(rest.querySelector(".fill"), s.rest);
      const note = panel.querySelector("[data-role=note]");
      note.textContent = s.kept === data.vocab_size
        ? `All ${num(s.kept)} tokens can still be picked.`
        : `${num(s.kept)} of ${num(data.vocab_size)} tokens kept; before the cut they held ${pct(s.held)}.`;
      if (!panel.hidden) {
        const c = data.cases[i];
        summary.push(`“${c.prompt}”: ${c.labels[0]} ${s.p[0] === 0 ? "cut" : pct(s.p[0])}, ${num(s.kept)} tokens kept`);
      }
    });
    announce(root, summary.join("; "));
  }

  render(controls.values);
  return { set: controls.set };
}
