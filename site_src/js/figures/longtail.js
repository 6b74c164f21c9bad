// The long tail: cumulative probability of the top tokens against rank, on a log axis.
import { announce, bindControls, num, pct } from "./common.js";

const SVG = "http://www.w3.org/2000/svg";
const LEFT = 44, RIGHT = 26, TOP = 10, BOTTOM = 38;

function svg(tag, attrs, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = text;
  return node;
}

export function mount(root, data) {
  const chart = root.querySelector("[data-role=chart] svg");
  const readout = root.querySelector("[data-role=readout]");
  let draw = null; // the chart drawn at the current size; null until laid out
  const controls = bindControls(root, data.controls, (values) => render(values));

  function render(values) {
    const s = data.states[values.rank];
    if (!s) return;
    draw?.(s);
    readout.textContent = s.tail_count
      ? `The top ${num(s.rank)} tokens hold ${pct(s.head)}; the other ${num(s.tail_count)} together hold ${pct(s.tail)}.`
      : `All ${num(s.rank)} tokens together hold 100%.`;
    announce(root, readout.textContent);
  }

  // Draw in the chart's own pixels (its size is fixed by CSS) so labels stay readable; the
  // observer reports the size after layout, so mounting forces no layout of its own.
  new ResizeObserver(([entry]) => {
    const { width, height } = entry.contentRect;
    if (!width || !height) return;
    draw = drawChart(chart, data, Math.round(width), Math.round(height));
    render(controls.values);
  }).observe(chart);
  render(controls.values);
  return { set: controls.set };
}

function drawChart(chart, data, W, H) {
  const n = data.vocab_size;
  chart.setAttribute("viewBox", `0 0 ${W} ${H}`);
  const x = (rank) => LEFT + (Math.log10(rank) / Math.log10(n)) * (W - LEFT - RIGHT);
  const y = (mass) => TOP + (1 - mass) * (H - TOP - BOTTOM);
  const axes = chart.querySelector("[data-role=axes]");
  axes.replaceChildren();
  const ticks = [1, 10, 100, 1000, 10000].filter((t) => x(n) - x(t) > 48); // room for the last label
  for (const t of [...ticks, n]) {
    axes.append(svg("line", { class: "grid", x1: x(t), x2: x(t), y1: TOP, y2: H - BOTTOM }));
    axes.append(svg("text", { class: "tick", x: x(t), y: H - BOTTOM + 16, "text-anchor": "middle" }, num(t)));
  }
  for (const m of [0, 0.25, 0.5, 0.75, 1]) {
    axes.append(svg("line", { class: "grid", x1: LEFT, x2: W - RIGHT, y1: y(m), y2: y(m) }));
    axes.append(svg("text", { class: "tick", x: LEFT - 6, y: y(m) + 4, "text-anchor": "end" }, `${m * 100}%`));
  }
  axes.append(svg("text", { class: "axis-label", x: (LEFT + W - RIGHT) / 2, y: H - 6, "text-anchor": "middle" }, "rank of the token (most likely = 1), log scale"));
  const points = data.points.map(([r, c]) => `${x(r).toFixed(1)},${y(c).toFixed(1)}`);
  chart.querySelector("[data-role=curve]").setAttribute("d", `M${points.join("L")}`);
  const tail = chart.querySelector("[data-role=tail]");
  const marker = chart.querySelector("[data-role=marker]");
  return (s) => {
    const xr = x(s.rank);
    marker.setAttribute("x1", xr); marker.setAttribute("x2", xr);
    marker.setAttribute("y1", TOP); marker.setAttribute("y2", H - BOTTOM);
    const after = data.points.filter(([r]) => r >= s.rank).map(([r, c]) => `L${x(r).toFixed(1)},${y(c).toFixed(1)}`);
    tail.setAttribute("d", `M${xr},${y(0)}L${xr},${y(s.head)}${after.join("")}L${x(n)},${y(0)}Z`);
  };
}
