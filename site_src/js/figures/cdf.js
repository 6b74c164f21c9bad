// Inverse-CDF sampling: u in [0, 1) lands in one token's stretch. Which token each u picks was
// computed at build time by nexttoken's sample(); the page only draws and looks up.
import { announce, bindControls, pct, setBar } from "./common.js";

const SVG = "http://www.w3.org/2000/svg";

export function mount(root, data) {
  const group = root.querySelector("[data-role=segments]");
  const marker = root.querySelector("[data-role=marker]");
  const readout = root.querySelector("[data-role=readout]");
  const rows = [...root.querySelectorAll("[data-row]")];
  let random = -1;
  let override = null; // a random roll between the slider's stops

  data.segments.forEach(([id, start, p], i) => {
    const rect = document.createElementNS(SVG, "rect");
    rect.setAttribute("x", String(start * 1000));
    rect.setAttribute("width", String(Math.max(p * 1000, 1.5)));
    rect.setAttribute("y", "20");
    rect.setAttribute("height", "50");
    rect.setAttribute("class", `seg seg-${i % 3}`);
    rect.dataset.token = String(id);
    group.append(rect);
  });
  rows.forEach((row, i) => {
    const [, start, p] = data.segments[i];
    row.querySelector(".val").textContent = `${pct(p)} · from ${start.toFixed(4)}`;
    setBar(row.querySelector(".fill"), p / Math.max(...data.segments.map((s) => s[2])));
  });

  const controls = bindControls(root, data.controls, () => { override = null; render(); });

  function render() {
    const [u, id, start, p] = override ?? [Number(controls.values.u), ...data.states[controls.values.u]];
    marker.setAttribute("x1", String(u * 1000));
    marker.setAttribute("x2", String(u * 1000));
    const label = data.tokens[String(id)];
    const seg = group.querySelector(`[data-token="${id}"]`);
    group.querySelectorAll(".is-hit").forEach((s) => s.classList.remove("is-hit"));
    seg?.classList.add("is-hit");
    rows.forEach((row, i) => row.classList.toggle("is-pick", data.segments[i][0] === id));
    readout.replaceChildren(
      `u = ${u.toFixed(4)} picks `,
      Object.assign(document.createElement("code"), { className: "tok", textContent: label }),
      ` (id ${id}): its stretch starts at ${start.toFixed(4)} and is ${pct(p)} wide`
      + `${seg ? "." : ", one of the tail's slivers."}`);
    announce(root, readout.textContent);
  }

  root.querySelector("[data-action=random]").addEventListener("click", () => {
    random = (random + 1) % data.randoms.length;
    override = data.randoms[random];
    render();
  });
  render();
  return { set(state) { override = null; controls.set(state); } };
}
