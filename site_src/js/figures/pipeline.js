// The sampler chain, stage by stage (baked with nexttoken's Prepared.trace).
import { announce, bindControls, el, num, pct, setBar } from "./common.js";

export function mount(root, data) {
  const rows = [...root.querySelectorAll("[data-stage]")];
  const final = root.querySelector("[data-final]");
  const readout = root.querySelector("[data-role=readout]");
  const scale = (kept) => Math.log10(kept) / Math.log10(data.vocab_size);
  const controls = bindControls(root, data.controls, render);

  function fill(row, name, kept, top) {
    if (name !== null) row.querySelector(".stage-name").textContent = name;
    row.querySelector(".val").textContent = `${num(kept)} left`;
    setBar(row.querySelector(".fill"), Math.max(scale(kept), 0.02));
    row.querySelector(".stage-top").replaceChildren(...top.map(([label, p]) =>
      el("span", { class: "chip" }, el("span", { class: "chip-tok", text: label }), ` ${pct(p)}`)));
  }

  function render(values) {
    const s = data.states[controls.key()];
    if (!s) return;
    rows.forEach((row, i) => {
      const stage = s.stages[i];
      row.hidden = !stage;
      if (stage) fill(row, `${i + 1}. ${stage.label}`, stage.kept, stage.top);
    });
    fill(final, null, s.final.kept, s.final.top.slice(0, 3));
    readout.textContent = `${values.order === "hf" ? "Hugging Face order" : "llama.cpp order"}: `
      + `${num(s.final.kept)} tokens left to pick from; the top one gets ${pct(s.final.top[0][1])}.`;
    announce(root, readout.textContent);
  }

  render(controls.values);
  return { set: controls.set };
}
