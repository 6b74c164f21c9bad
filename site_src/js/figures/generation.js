// Continuations (sampled or penalised), token by token, with the unlikely or repeated
// tokens marked by a symbol and an underline as well as by colour.
import { announce, bindControls, el, num, pct } from "./common.js";

export function mount(root, data) {
  const text = root.querySelector("[data-role=text]");
  const prompt = text.firstElementChild;
  const readout = root.querySelector("[data-role=readout]");
  const control = data.controls[0];
  const markWorst = root.classList.contains("mark-worst");
  const controls = bindControls(root, data.controls, render);

  function render(values) {
    const s = data.states[controls.key()];
    if (!s) return;
    const chips = s.steps.map((step, i) => {
      const worst = markWorst && i === s.worst;
      const chip = el("span", {
        class: `gen-tok${step.repeat ? " is-repeat" : ""}${worst ? " is-worst" : ""}`,
        text: step.text,
        title: `${step.label}: probability ${pct(step.p_raw)}, rank ${num(step.rank)}`,
      });
      return worst ? [el("span", { class: "worst-mark", text: "⚠", "aria-hidden": "true" }), chip] : [chip];
    });
    text.replaceChildren(prompt, ...chips.flat());
    const w = s.steps[s.worst];
    const value = control.labels ? control.labels[control.values.indexOf(values[control.name])] : values[control.name];
    readout.textContent = markWorst
      ? `${control.label} ${value}: the least likely pick, new token number ${num(s.worst + 1)}, is “${w.label}” `
        + `(probability ${pct(w.p_raw)}, rank ${num(w.rank)} of the vocabulary).`
      : `${control.label} ${value}: ${s.repeats} of ${s.steps.length} new tokens complete a four-token phrase already in the text.`;
    announce(root, `${readout.textContent} Text: ${s.text}`);
  }

  render(controls.values);
  return { set: controls.set };
}
