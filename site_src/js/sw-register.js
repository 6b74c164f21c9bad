// Registers the site's service worker (sw.js at the site root; see it for what it does) and,
// the first time it takes control, reloads the page once so that the page is served with the
// worker's COOP/COEP headers, becomes crossOriginIsolated, and the model can use several threads.
// A classic script in <head>: its data-build attribute carries manifest.json's build_id.
(function () {
  "use strict";
  const script = document.currentScript;
  if (!("serviceWorker" in navigator) || !window.isSecureContext) return;
  const url = new URL("../../sw.js", script.src);
  url.searchParams.set("build", script.dataset.build || "dev");
  const RELOADED = "nexttoken-isolation-reload";

  // Inside a frame the parent decides isolation; reloading cannot help, so the page simply
  // runs on one thread there.
  function framed() {
    try { return window.self !== window.top; } catch { return true; }
  }

  function reloadForIsolation() {
    if (window.crossOriginIsolated || framed()) return;
    // Never interrupt a reader who already started the model; it runs on one thread instead.
    if (window.nexttoken && window.nexttoken.state !== "idle") return;
    try {
      if (sessionStorage.getItem(RELOADED)) return;  // once per tab: no reload loops
      sessionStorage.setItem(RELOADED, "1");
    } catch {
      return;  // no session storage (blocked in some embeds): stay as we are
    }
    // What the reader typed meanwhile (a playground's prompt) is kept across the reload.
    window.dispatchEvent(new Event("nexttoken:isolation-reload"));
    window.location.reload();
  }

  if (window.crossOriginIsolated) {
    try { sessionStorage.removeItem(RELOADED); } catch { /* blocked: nothing to clear */ }
  }
  // A new build's worker took control (sw.js, "activate"). A page of the old build that has not
  // started the model reloads onto the new build, so that it never loads the new build's modules
  // into the old one's page; a page whose model is loading or loaded has every module it needs
  // and keeps running, with the old build's stored files kept while it is open (store.js).
  function reloadForNewBuild() {
    const worker = navigator.serviceWorker.controller;
    const build = worker && new URL(worker.scriptURL).searchParams.get("build");
    if (!build || build === url.searchParams.get("build")) return false;
    const state = window.nexttoken ? window.nexttoken.state : "idle";
    if (state === "idle" || state === "failed") window.location.reload();
    return true;
  }

  navigator.serviceWorker.addEventListener("controllerchange", () => {
    if (!reloadForNewBuild()) reloadForIsolation();
  });
  navigator.serviceWorker.register(url.href).then(() => {
    if (navigator.serviceWorker.controller) reloadForIsolation();
  }, (err) => console.warn(`nexttoken: no service worker (${err.message}); the site needs the network`));
})();
