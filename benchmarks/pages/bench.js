// Starts the worker named in ?worker= and forwards calls to it: window.bench(type, args)
// resolves with the worker's answer, so Playwright can drive measurements made off the main
// thread, where the site's own engine runs.
const name = new URLSearchParams(location.search).get("worker");
const worker = new Worker(new URL(name, location.href), { type: "module" });
const pending = new Map();
let nextId = 1;

worker.onmessage = ({ data }) => {
  const call = pending.get(data.id);
  pending.delete(data.id);
  if ("error" in data) call?.reject(new Error(data.error));
  else call?.resolve(data.value);
};
worker.onerror = (event) => {
  const error = new Error(`benchmark worker ${name} failed: ${event.message || "could not start"}`);
  pending.forEach((call) => call.reject(error));
  pending.clear();
  window.benchError = error.message;
};

window.bench = (type, args = {}) => new Promise((resolve, reject) => {
  const id = nextId++;
  pending.set(id, { resolve, reject });
  worker.postMessage({ id, type, args });
});
window.benchReady = true;
