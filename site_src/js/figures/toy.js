// A toy distribution: a few made-up tokens whose scores (logits) the reader drags with the
// mouse, a pen, a finger or the arrow keys. No model and no sampler here: the page computes
// softmax from the scores exactly as it is defined, marks greedy's pick, and draws with the
// baked uniform numbers of nexttoken's Rng(seed), in order, as sample() maps them.
import { announce, bindControls, dec, pct, setBar } from "./common.js";

const STEP = 0.1; // arrow keys move a score by a tenth; drags snap to tenths
const PAGE = 1;   // Page Up / Page Down

/** p_i = exp(z_i / T - m) / sum_j exp(z_j / T - m), with m the largest z / T. */
export function softmax(scores, temperature) {
  const scaled = scores.map((z) => z / temperature);
  const top = Math.max(...scaled);
  const weights = scaled.map((s) => Math.exp(s - top));
  const total = weights.reduce((a, b) => a + b, 0);
  return weights.map((w) => w / total);
}

/** The token a uniform u in [0, 1) picks (sample()'s inverse CDF: the first running total
 *  above u times the total, in list order). */
export function pick(probs, u) {
  const total = probs.reduce((a, b) => a + b, 0);
  let running = 0;
  for (let i = 0; i < probs.length; i++) {
    running += probs[i];
    if (running > u * total) return i;
  }
  return probs.findLastIndex((p) => p > 0);
}

/** The first index of the largest score: greedy decoding's pick. */
const argmax = (scores) => scores.indexOf(Math.max(...scores));

export function mount(root, data) {
  const tracks = [...root.querySelectorAll("[data-score]")];
  const values = [...root.querySelectorAll("[data-role=score]")];
  const rows = [...root.querySelectorAll("[data-row]")];
  const readout = root.querySelector("[data-role=readout]");
  const sampler = root.querySelector("[data-action=sample]");
  const { low, high, labels } = data;
  const at = (z) => (z - low) / (high - low); // a score's height on its track, 0..1
  const snap = (z) => Math.min(high, Math.max(low, Math.round(z * 10) / 10)); // 0.3, not 0.30000000000000004
  let scores = [...data.scores];
  let used = 0;      // random numbers used so far
  let last = null;   // the last draw: {index, u}
  const controls = bindControls(root, data.controls, render);

  function render() {
    const t = Number(controls.values.temperature);
    const probs = softmax(scores, t);
    const top = argmax(scores);
    tracks.forEach((track, i) => {
      const z = scores[i];
      const [from, to] = [Math.min(at(z), at(0)), Math.max(at(z), at(0))];
      for (const [name, v] of [["--zero", at(0)], ["--at", at(z)], ["--from", from], ["--size", to - from]]) {
        track.style.setProperty(name, String(v));
      }
      track.setAttribute("aria-valuenow", String(z));
      track.setAttribute("aria-valuetext", `${dec(z, 1)}, probability ${pct(probs[i])}`);
      values[i].textContent = dec(z, 1);
    });
    rows.forEach((row, i) => {
      const marks = (i === top ? " ✓" : "") + (last?.index === i ? " ●" : "");
      row.querySelector(".val").textContent = pct(probs[i]) + marks;
      row.classList.toggle("is-pick", i === top);
      row.classList.toggle("is-drawn", last?.index === i);
      setBar(row.querySelector(".fill"), probs[i]);
    });
    sampler.disabled = used >= data.randoms.length;
    const greedy = `At T = ${t}, greedy takes ${labels[top]} (${pct(probs[top])}), the highest score.`;
    const draw = last ? ` Draw ${used}: the random number ${last.u} picked ${labels[last.index]}.` : "";
    const spent = used >= data.randoms.length ? " Every random number is used: Reset replays them." : "";
    readout.textContent = greedy + draw + spent;
    announce(root, readout.textContent);
  }

  function setScore(i, z) {
    const next = snap(z);
    if (next === scores[i]) return;
    scores[i] = next;
    render();
  }

  tracks.forEach((track, i) => {
    const scoreAt = (event) => {
      const box = track.getBoundingClientRect();
      return low + (1 - (event.clientY - box.top) / box.height) * (high - low);
    };
    let dragging = null;
    track.addEventListener("pointerdown", (event) => {
      dragging = event.pointerId;
      track.setPointerCapture?.(event.pointerId);
      track.focus();
      event.preventDefault();
      setScore(i, scoreAt(event));
    });
    track.addEventListener("pointermove", (event) => {
      if (dragging === event.pointerId) setScore(i, scoreAt(event));
    });
    const stop = (event) => { if (dragging === event.pointerId) dragging = null; };
    track.addEventListener("pointerup", stop);
    track.addEventListener("pointercancel", stop);
    track.addEventListener("keydown", (event) => {
      const moves = { ArrowUp: STEP, ArrowRight: STEP, ArrowDown: -STEP, ArrowLeft: -STEP,
        PageUp: PAGE, PageDown: -PAGE, Home: low - scores[i], End: high - scores[i] };
      if (!(event.key in moves)) return;
      event.preventDefault();
      setScore(i, scores[i] + moves[event.key]);
    });
  });

  sampler.addEventListener("click", () => {
    if (used >= data.randoms.length) return;
    const u = data.randoms[used];
    used += 1;
    last = { index: pick(softmax(scores, Number(controls.values.temperature)), u), u };
    render();
  });
  root.querySelector("[data-action=reset]").addEventListener("click", () => {
    scores = [...data.scores];
    used = 0;
    last = null;
    controls.set({ temperature: data.controls[0].default });
  });

  render();
  return { set: controls.set };
}
