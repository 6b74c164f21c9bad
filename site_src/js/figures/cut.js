// One truncation rule on the whole sorted distribution: each prompt's cumulative probability
// by rank (log scale), where the rule cuts it, and a line to drag (mouse, pen or touch) that
// moves the cut. The slider is the same control for the keyboard. Only baked states are shown.
import { announce, bindControls, num, pct } from "./common.js";

const SVG = "http://www.w3.org/2000/svg";
const LEFT = 44, RIGHT = 26, TOP = 10, BOTTOM = 38;
const NAMES = { top_k: "Top-k, k", top_p: "Top-p, p", min_p: "Min-p, p" };

function svg(tag, attrs, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = text;
  return node;
}

export function mount(root, data) {
  const chart = root.querySelector("[data-role=chart] svg");
  const readout = root.querySelector("[data-role=readout]");
  const rule = data.rule;
  const values = data.controls[0].values;
  let geometry = null; // the chart drawn at the current size; null until laid out
  const controls = bindControls(root, data.controls, render);

  function render(vals) {
    const states = data.states[vals[rule]];
    if (!states) return;
    geometry?.draw(vals[rule], states);
    const parts = states.map((s, i) => `${data.cases[i].label.toLowerCase()} keeps ${num(s.kept)} `
      + `token${s.kept === 1 ? "" : "s"} (holding ${pct(s.held)})`);
    readout.textContent = `${NAMES[rule]} = ${vals[rule]}: ${parts.join("; ")}.`;
    announce(root, readout.textContent);
  }

  // The value nearest to where the pointer is, on the rule's own axis.
  function valueAt(px, py) {
    const g = geometry;
    const logDistance = (a, b) => Math.abs(Math.log(a) - Math.log(b));
    let score;
    if (rule === "top_p") {
      const mass = g.massAt(py);
      score = (v) => Math.abs(Number(v) - mass);
    } else {
      const rank = g.rankAt(px);
      const last = data.cases.length - 1;
      score = rule === "top_k" ? (v) => logDistance(Number(v), rank)
        : (v) => logDistance(data.states[v][last].kept, rank);
    }
    return values.reduce((best, v) => (score(v) < score(best) ? v : best), values[0]);
  }

  const hit = chart.querySelector("[data-role=hit]");
  let dragging = null;
  const point = (event) => {
    const box = chart.getBoundingClientRect();
    return [event.clientX - box.left, event.clientY - box.top];
  };
  hit.addEventListener("pointerdown", (event) => {
    if (!geometry) return;
    dragging = event.pointerId;
    hit.setPointerCapture?.(event.pointerId);
    root.classList.add("is-dragging");
    event.preventDefault();
  });
  hit.addEventListener("pointermove", (event) => {
    if (dragging !== event.pointerId) return;
    const value = valueAt(...point(event));
    if (value !== controls.values[rule]) controls.set({ [rule]: value });
  });
  const stop = (event) => {
    if (dragging !== event.pointerId) return;
    dragging = null;
    root.classList.remove("is-dragging");
  };
  hit.addEventListener("pointerup", stop);
  hit.addEventListener("pointercancel", stop);

  // Draw in the chart's own pixels (its size is fixed by CSS), as longtail.js does.
  new ResizeObserver(([entry]) => {
    const { width, height } = entry.contentRect;
    if (!width || !height) return;
    geometry = drawChart(chart, data, Math.round(width), Math.round(height));
    render(controls.values);
  }).observe(chart);
  render(controls.values);
  return { set: controls.set };
}

function drawChart(chart, data, W, H) {
  const n = data.vocab_size;
  chart.setAttribute("viewBox", `0 0 ${W} ${H}`);
  const span = W - LEFT - RIGHT, rise = H - TOP - BOTTOM;
  const x = (rank) => LEFT + (Math.log10(rank) / Math.log10(n)) * span;
  const y = (mass) => TOP + (1 - mass) * rise;
  const axes = chart.querySelector("[data-role=axes]");
  axes.replaceChildren();
  const ticks = [1, 10, 100, 1000, 10000].filter((t) => x(n) - x(t) > 48);
  for (const t of [...ticks, n]) {
    axes.append(svg("line", { class: "grid", x1: x(t), x2: x(t), y1: TOP, y2: H - BOTTOM }));
    axes.append(svg("text", { class: "tick", x: x(t), y: H - BOTTOM + 16, "text-anchor": "middle" }, num(t)));
  }
  for (const m of [0, 0.25, 0.5, 0.75, 1]) {
    axes.append(svg("line", { class: "grid", x1: LEFT, x2: W - RIGHT, y1: y(m), y2: y(m) }));
    axes.append(svg("text", { class: "tick", x: LEFT - 6, y: y(m) + 4, "text-anchor": "end" }, `${m * 100}%`));
  }
  axes.append(svg("text", { class: "axis-label", x: (LEFT + W - RIGHT) / 2, y: H - 6, "text-anchor": "middle" }, "rank of the token (most likely = 1), log scale"));
  const curves = [...chart.querySelectorAll("[data-role=curve]")];
  const marks = [...chart.querySelectorAll("[data-role=mark]")];
  const dots = [...chart.querySelectorAll("[data-role=dot]")];
  data.cases.forEach((c, i) => {
    curves[i].setAttribute("d", "M" + c.points.map(([r, m]) => `${x(r).toFixed(1)},${y(m).toFixed(1)}`).join("L"));
  });
  const lines = [chart.querySelector("[data-role=line]"), chart.querySelector("[data-role=hit]")];
  const place = (x1, y1, x2, y2) => lines.forEach((l) => {
    l.setAttribute("x1", x1); l.setAttribute("y1", y1); l.setAttribute("x2", x2); l.setAttribute("y2", y2);
  });
  return {
    rankAt: (px) => Math.min(n, Math.max(1, 10 ** (((px - LEFT) / span) * Math.log10(n)))),
    massAt: (py) => Math.min(1, Math.max(0, 1 - (py - TOP) / rise)),
    draw(value, states) {
      states.forEach((s, i) => {
        const xr = x(s.kept), yr = y(s.held);
        marks[i].setAttribute("x1", xr); marks[i].setAttribute("x2", xr);
        marks[i].setAttribute("y1", y(0)); marks[i].setAttribute("y2", yr);
        dots[i].setAttribute("cx", xr); dots[i].setAttribute("cy", yr);
      });
      if (data.rule === "top_p") place(LEFT, y(Number(value)), W - RIGHT, y(Number(value)));
      else {
        const xr = x(data.rule === "top_k" ? Number(value) : states[states.length - 1].kept);
        place(xr, TOP, xr, H - BOTTOM);
      }
    },
  };
}
