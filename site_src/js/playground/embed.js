// embed.html: the playground alone, configured by its URL, for an <iframe> on any site.
//   ?prompt=...&temperature=0.8&top_p=0.95&seed=1&tokens=...   the state (as in a link)
//   &controls=temperature,top_p,presets   which sampler controls show ("all", "none")
//   &theme=light|dark|auto   &compact=1   &autoload=1 (load the model without a click, once the
//   frame is in view; a link's tokens replay by themselves only up to a small number)
// It posts {type: "nexttoken:height", height} to the parent whenever its height changes.
import { FIELDS } from "./fields.js";
import { mountPlayground } from "./index.js";
import { readState } from "./state.js";

const CONTROL_NAMES = new Set([...FIELDS.map((f) => f.name), "presets", "order", "stages"]);
const THEMES = ["light", "dark", "auto"];

/** Read the embed's configuration; every bad field is noted and ignored on its own. */
export function readEmbedConfig(search, vocab) {
  const query = new URLSearchParams(search);
  const { state, ignored } = readState(search, { vocab });
  const config = { state, ignored, theme: "auto", compact: false, visible: null, autoload: false };
  const flag = (name) => {
    if (!query.has(name)) return false;
    const value = query.get(name);
    if (["1", "true", "yes", ""].includes(value)) return true;
    if (!["0", "false", "no"].includes(value)) ignored.push(`${name} must be 1 or 0`);
    return false;
  };
  if (query.has("theme")) {
    if (THEMES.includes(query.get("theme"))) config.theme = query.get("theme");
    else ignored.push(`theme must be ${THEMES.join(", ")}`);
  }
  config.compact = flag("compact");
  config.autoload = flag("autoload");
  if (query.has("controls")) {
    const value = query.get("controls");
    const names = value.split(",").map((name) => name.trim()).filter(Boolean);
    if (value === "all") config.visible = null;
    else if (value === "none") config.visible = new Set();
    else if (names.length && names.every((name) => CONTROL_NAMES.has(name))) config.visible = new Set(names);
    else ignored.push(`controls must be "all", "none" or names among ${[...CONTROL_NAMES].join(", ")}`);
  }
  return config;
}

export function setupEmbed(root) {
  const config = readEmbedConfig(location.search, Number(root.dataset.vocabSize));
  if (config.theme !== "auto") document.documentElement.dataset.theme = config.theme;
  root.classList.toggle("pg-compact", config.compact);
  if (config.visible && !config.visible.has("stages")) root.querySelector('[data-role="stages"]').hidden = true;
  const playground = mountPlayground(root, { ...config, mode: "embed" });
  if (config.autoload) {
    root.querySelector('[data-role="status"]').textContent = "GPT-2 loads when this playground comes into view.";
    whenSeen(root).then(playground.autoload);
  }
  reportHeight();
}

// autoload=1 waits until the frame is on screen in a visible tab: a hidden or scrolled-away
// frame never starts a large download and minutes of work nobody asked for.
function whenSeen(element) {
  return new Promise((resolve) => {
    let inView = false;
    const check = () => {
      if (!inView || document.visibilityState !== "visible") return;
      observer.disconnect();
      document.removeEventListener("visibilitychange", check);
      resolve();
    };
    const observer = new IntersectionObserver((entries) => {
      inView = entries.some((entry) => entry.isIntersecting);
      check();
    });
    observer.observe(element);
    document.addEventListener("visibilitychange", check);
  });
}

// The parent cannot read a cross-origin frame's size, so the frame tells it.
function reportHeight() {
  if (window.parent === window) return;
  let last = 0;
  const post = () => {
    const height = Math.ceil(document.documentElement.getBoundingClientRect().height);
    if (height === last) return;
    last = height;
    window.parent.postMessage({ type: "nexttoken:height", height }, "*");
  };
  new ResizeObserver(post).observe(document.documentElement);
  post();
}
