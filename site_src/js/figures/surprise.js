// A human-written continuation against the greedy one: each token on a bar as tall as the
// probability the model gave it; surprises (below data.low_p) get a dotted underline too.
import { announce, bindControls, el, num, pct, setBar } from "./common.js";

export function mount(root, data) {
  const text = root.querySelector("[data-role=text]");
  const prompt = text.firstElementChild;
  const readout = root.querySelector("[data-role=readout]");
  const names = { human: "The text written by a person", greedy: "The greedy text" };
  const controls = bindControls(root, data.controls, render);

  function render(values) {
    const name = values.text;
    const steps = data.texts[name];
    const summary = data.summary[name];
    text.replaceChildren(prompt, ...steps.map((s) => {
      const bar = el("span", { class: "p-bar", "aria-hidden": "true" });
      setBar(bar, s.p);
      return el("span", {
        class: `gen-tok p-tok${s.p < data.low_p ? " is-surprise" : ""}`,
        title: `${s.label}: probability ${pct(s.p)}, rank ${num(s.rank)}`,
      }, bar, el("span", { class: "p-label", text: s.text }));
    }));
    readout.textContent = `${names[name]}: ${summary.low} of ${summary.count} tokens got less than `
      + `${pct(data.low_p)} from the model; ${summary.top1} were its favourite; median probability ${pct(summary.median_p)}.`;
    announce(root, readout.textContent);
  }

  render(controls.values);
  return { set: controls.set };
}
