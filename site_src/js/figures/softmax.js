// Scores (logits) -> weights e^(z - top) -> probabilities, for the same top tokens.
import { announce, bindControls, dec, num, pct, setBar } from "./common.js";

const NOTES = {
  scores: (d) => `Raw scores. The highest is ${dec(d.top_logit, 2)}; the lowest of all ${num(d.vocab_size)} is ${dec(d.low_logit, 2)}.`,
  weights: () => "e to the power (score − highest score): the top token gets 1, every other token less.",
  probabilities: () => "Each weight divided by the sum of all the weights: they now add up to 100%.",
};

export function mount(root, data) {
  const rows = [...root.querySelectorAll("[data-row]")];
  const rest = root.querySelector("[data-rest]");
  const note = root.querySelector("[data-role=note]");
  const span = Math.max(data.top_logit - data.low_logit, 1e-9);
  const controls = bindControls(root, data.controls, render);

  function render({ view }) {
    root.dataset.view = view;
    rows.forEach((row, i) => {
      let text;
      let bar;
      if (view === "scores") {
        text = dec(data.logits[i], 2);
        bar = (data.logits[i] - data.low_logit) / span;
      } else if (view === "weights") {
        text = data.weights[i].toPrecision(3);
        bar = data.weights[i];
      } else {
        text = pct(data.p[i]);
        bar = data.p[i];
      }
      row.querySelector(".val").textContent = text;
      setBar(row.querySelector(".fill"), bar);
    });
    rest.classList.toggle("is-blank", view !== "probabilities"); // hidden, its room kept
    rest.querySelector(".val").textContent = pct(data.rest);
    setBar(rest.querySelector(".fill"), data.rest);
    note.textContent = NOTES[view](data);
    announce(root, `${view}: ${data.labels[0]} ${rows[0].querySelector(".val").textContent}`);
  }

  render(controls.values);
  return { set: controls.set };
}
