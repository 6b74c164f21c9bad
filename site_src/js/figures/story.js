// The story's figures: find every [data-figure] block, mount its module on its baked JSON,
// then hand scrolly blocks to the step controller. No model, no Pyodide here.
// Loaded with <script type="module" async>: it runs as soon as it has loaded (not after the
// playground's modules), once the document has been parsed.
import "./common.js"; // imported here too, so it loads alongside the figure modules
import * as cdf from "./cdf.js";
import * as cut from "./cut.js";
import * as distribution from "./distribution.js";
import * as draws from "./draws.js";
import * as generation from "./generation.js";
import * as greedy from "./greedy.js";
import * as longtail from "./longtail.js";
import * as pipeline from "./pipeline.js";
import * as softmax from "./softmax.js";
import * as surprise from "./surprise.js";
import * as tokens from "./tokens.js";
import * as toy from "./toy.js";
import { setupScrolly } from "./scrolly.js";

const MODULES = { cdf, cut, distribution, draws, generation, greedy, longtail, pipeline, softmax, surprise, tokens, toy };

/** Mounted figures by root element: {set(state)} each. */
export const figures = new Map();

function mount(root) {
  const module = MODULES[root.dataset.figure];
  const script = root.querySelector("script[type='application/json']");
  if (!module || !script) return;
  try {
    const t = performance.now();
    figures.set(root, module.mount(root, JSON.parse(script.textContent)));
    performance.measure(`figure ${root.id}`, { start: t });
    root.dataset.ready = "true";
  } catch (err) {
    root.dataset.ready = "error";
    console.error(`figure ${root.id} (${root.dataset.figure}) failed:`, err);
  }
}

function main() {
  performance.mark("nexttoken:figures-start");
  document.querySelectorAll("[data-figure]").forEach(mount);
  setupScrolly(document, figures);
  document.documentElement.dataset.figuresReady = "true";
  performance.mark("nexttoken:figures-ready"); // read by benchmarks/bench_story.py
}

if (document.readyState === "loading") {
  document.addEventListener("readystatechange", main, { once: true }); // -> "interactive"
} else {
  main();
}
