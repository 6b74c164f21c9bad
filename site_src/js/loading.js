// The model's loading control, for any element with [data-loader] (templates/partials/loader.html):
// a button that states the download size, a progress bar with bytes done, bytes in total and
// time left, a Cancel button, and every outcome as a plain sentence: ready (backend, threads),
// cancelled, failed (what to do next), or a notice such as storage being full.
// Every control on the page shows the same state: they all follow window.nexttoken.
import { runsOn } from "./format.js";
import { unsupported } from "./runtime/support.js";

const api = window.nexttoken;
const MB = 1e6;

function describeReady(info) {
  const { backend, threads, isolated } = info;
  const why = backend !== "webgpu" && threads === 1 && !isolated ? " (one thread: this page is not cross-origin isolated here)" : "";
  return `GPT-2 is ready: it runs in your browser on ${runsOn(info)}${why}.`;
}

function describeProgress({ loaded, total, seconds_left: left }) {
  if (total && loaded >= total) return "Downloaded; starting the model…";
  const done = `Downloading: ${(loaded / MB).toFixed(1)} of ${(total / MB).toFixed(1)} MB`;
  if (left == null) return `${done}…`;
  return left < 60 ? `${done}, about ${Math.max(1, Math.round(left))} s left`
    : `${done}, about ${Math.round(left / 60)} min left`;
}

/** Wire one [data-loader] element; returns it. Safe to call twice on the same element. */
export function mountLoader(root) {
  if (root.dataset.loaderMounted) return root;
  root.dataset.loaderMounted = "1";
  const $ = (name) => root.querySelector(`[data-loader-${name}]`);
  const start = $("start"), cancel = $("cancel"), bar = $("bar"), status = $("status"), notice = $("notice");
  const label = start.textContent;

  const show = (text, { loading = false, again = false } = {}) => {
    status.textContent = text;
    start.hidden = loading || api.state === "ready";
    start.textContent = again ? "Try again" : label;
    cancel.hidden = !loading;
    bar.hidden = !loading;
  };

  const problem = unsupported();
  if (problem) {
    start.disabled = true;
    show(problem);
    return root;
  }
  api.onProgress((p) => {
    if (api.state !== "loading" || p.stage !== "download") return;
    show(describeProgress(p), { loading: true });
    if (p.total) {
      bar.max = p.total;
      bar.value = p.loaded;
    }
  });
  api.onNotice(({ message }) => { notice.textContent = message; notice.hidden = false; });

  start.addEventListener("click", () => {
    notice.hidden = true;
    show("Preparing the download…", { loading: true });
    // data-loader-options (JSON) passes tuning to load(), e.g. {"retries": 1} in tests.
    api.load(JSON.parse(root.dataset.loaderOptions || "{}")).then(
      (info) => show(describeReady(info)),
      (err) => show(err.code === "cancelled" ? "Loading cancelled." : err.message, { again: err.code !== "cancelled" }),
    );
  });
  cancel.addEventListener("click", () => api.cancel());
  // Loaded through another control (the playground's Generate, or a script): say so here too.
  api.ready.then((info) => show(describeReady(info)));
  return root;
}

document.querySelectorAll("[data-loader]").forEach(mountLoader);
