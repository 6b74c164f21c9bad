// Greedy decoding, one step at a time: the candidates, the pick, and the loop it falls into.
import { announce, bindControls, el, pct, setBar } from "./common.js";

export function mount(root, data) {
  const text = root.querySelector("[data-role=text]");
  const heading = root.querySelector("[data-role=heading]");
  const rows = [...root.querySelectorAll("[data-role=candidates] [data-row]")];
  const values = data.controls[0].values;
  const loop = data.loop;
  const controls = bindControls(root, data.controls, render);
  const chips = data.steps.map((s, i) => {
    const inLoop = loop && i >= loop.start;
    const chip = el("span", { class: `gen-tok${inLoop ? " is-loop" : ""}${s.repeat ? " is-repeat" : ""}`, text: s.text });
    if (loop && i === loop.start) return [el("span", { class: "loop-mark", text: "↻", title: "the loop starts here" }), chip];
    return [chip];
  });

  function render(vals) {
    const n = Number(vals.step);
    const shown = [text.firstElementChild];
    for (let i = 0; i < n; i++) shown.push(...chips[i]);
    text.replaceChildren(...shown);
    // The decision that produced the last token shown (before any: the first decision).
    const index = Math.max(n - 1, 0);
    const step = data.steps[index];
    heading.textContent = n === 0 ? "Step 1: the candidates; greedy will take the first"
      : `Step ${n}: the candidates; greedy took the first, ${step.label}`;
    rows.forEach((row, i) => {
      const [label, p] = step.top[i];
      row.querySelector(".tok").textContent = label;
      row.querySelector(".val").textContent = pct(p) + (i === 0 ? " ✓" : "");
      row.classList.toggle("is-pick", i === 0);
      setBar(row.querySelector(".fill"), p / step.top[0][1]);
    });
    if (n > 0) text.scrollTop = text.scrollHeight; // keep the newest token in view
    const looping = loop && n > loop.start;
    root.classList.toggle("is-looping", Boolean(looping));
    announce(root, `${n} tokens generated${looping ? ", now repeating a loop" : ""}. ${heading.textContent}`);
  }

  root.querySelector("[data-action=next]").addEventListener("click", () => {
    const i = values.indexOf(controls.values.step);
    controls.set({ step: values[Math.min(i + 1, values.length - 1)] });
  });
  root.querySelector("[data-action=reset]").addEventListener("click", () => controls.set({ step: values[0] }));
  render(controls.values);
  return { set: controls.set };
}
