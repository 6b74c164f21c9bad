// The site's service worker, copied to the site root so that its scope is the whole site,
// wherever the site is hosted (a domain's root or a GitHub Pages project path). The build puts
// runtime/store.js (cache names, content keys, stale files: shared with the worker that loads the model) above this.
//
// Offline: install stores the whole shell of its build (every page, its CSS, JS and images, and
// manifest.json, as assets/shell.json lists them) in one cache, all or nothing: if any file
// fails, the install fails and the previous complete shell stays in place. Pages and their
// files are fetched network-first, with that cache as the fallback; the runtimes, Python files
// and model are downloaded and stored by the worker (runtime/fetch.js) under their sha256, and
// run from the bytes it verified; a listed file asked for by plain URL is served from there by hash.
//
// Isolation: every response it serves gets COOP and COEP headers (the coi-serviceworker
// technique), so on a static host that sends no such headers, such as GitHub Pages, the page is
// crossOriginIsolated: SharedArrayBuffer, hence multithreaded WASM, needs that.
//
// Builds: sw-register.js registers "sw.js?build=<manifest build_id>", so a new build installs a
// new worker. On activation it deletes its scope's other shells and the stored files no open
// tab's build lists (store.js), and takes control: sw-register.js reloads the open tabs of the
// old build that have not started the model, so no page mixes the old build's modules with
// the new one's.
/* global cacheNames, contentKey, listedFiles, pruneFiles, within */

const BUILD = new URL(self.location.href).searchParams.get("build") || "dev";
const SCOPE = self.registration.scope;  // ends with "/"
const NAMES = cacheNames(SCOPE);
const SHELL_CACHE = NAMES.shell(BUILD);
const SHELL_LIST = "assets/shell.json";
const ISOLATION = {
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Embedder-Policy": "require-corp",
};
// The site's workers get the page's script policy as a header (a <meta> CSP does not reach
// workers): only this site's scripts, and WebAssembly compilation, which both runtimes need.
// blob: is the one relaxation: the worker runs the runtimes' module scripts from the bytes it
// verified against the manifest, as blob: URLs (runtime/fetch.js, verifiedScriptUrl), and
// onnxruntime-web starts its threads (workers, which inherit this policy) from one. Only script
// already running in this origin's workers can make such a URL; another origin's still cannot run.
const WORKER_CSP = "default-src 'self'; script-src 'self' blob: 'wasm-unsafe-eval'; object-src 'none'";
// A page slower than this is answered from the cache when there is a copy.
const SLOW_NETWORK_MS = 4000;
// A Cache API read that has not answered in this time is given up for the network: the store
// can hang (Firefox, while the site's worker writes to it), and until this worker has read its build's
// manifest from the store, every request it answers waits on that read (respond, readManifest).
const STORAGE_MS = 3000;

let manifest = null;  // this build's manifest.json, parsed
// Pages answered from the shell cache (offline, or a slow network): their own requests are
// answered from the same cache too, so that a page never runs files of two builds.
const fromShell = new Set();

self.addEventListener("install", (event) => {
  event.waitUntil(precache().then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    const names = await caches.keys();
    await Promise.all(names.filter((n) => n.startsWith(NAMES.shellPrefix) && n !== SHELL_CACHE)
      .map((n) => caches.delete(n)));
    const current = await readManifest();
    if (current?.build_id === BUILD) await pruneFiles(SCOPE, current);
    await self.clients.claim();  // control open pages now: sw-register.js reloads idle ones
  })());
});

self.addEventListener("fetch", (event) => {
  const { request } = event;
  if (request.method !== "GET" || !request.url.startsWith(SCOPE)) return;
  // The site's worker's own downloads (…?sha256=) go straight to the network: it reads and writes the
  // store itself, and a long download held by this worker would keep a new build's worker
  // from activating until it ends.
  if (new URL(request.url).searchParams.has("sha256")) return;
  // A DevTools quirk that makes fetch() throw (as coi-serviceworker notes).
  if (request.cache === "only-if-cached" && request.mode !== "same-origin") return;
  event.respondWith(respond(event).then((response) => isolate(response, request.destination)));
});

/** This build's whole shell into a cache of its own, or nothing (the install then fails). */
async function precache() {
  const staging = `${SHELL_CACHE} (installing)`;
  await caches.delete(staging);
  const cache = await caches.open(staging);
  try {
    const get = async (path) => {
      const response = await fetch(new URL(path, SCOPE), { cache: "no-cache" });
      if (!response.ok || response.redirected) throw new Error(`${path}: HTTP ${response.status}`);
      return response;
    };
    const [list, built] = await Promise.all([SHELL_LIST, "manifest.json"].map(async (path) => {
      const response = await get(path);
      await cache.put(shellKey(path), response.clone());
      return response.json();
    }));
    // The server already holds another build: this worker's shell would mix the two.
    if (built.build_id !== BUILD) throw new Error(`the server holds build ${built.build_id}, not ${BUILD}`);
    await Promise.all(list.map(async (path) => cache.put(shellKey(path), await get(path))));
    // Complete: copy it under its real name (a worker of this build may already serve from it).
    const shell = await caches.open(SHELL_CACHE);
    for (const request of await cache.keys()) await shell.put(request, await cache.match(request));
  } finally {
    await caches.delete(staging);
  }
}

async function respond(event) {
  const { request } = event;
  const url = new URL(request.url);
  const path = url.href.slice(SCOPE.length).split(/[?#]/)[0];
  // A file the manifest lists, asked for by plain URL, is answered by this build's hash from the
  // store, which holds only verified bytes. The worker itself asks for none of them so (it runs
  // the bytes it verified, runtime/fetch.js): this keeps any other request to the same bytes.
  const sha = listedFiles((await readManifest()) ?? {})[path]?.sha256;
  if (sha) {
    const files = caches.open(NAMES.files).then((cache) => cache.match(contentKey(SCOPE, path, sha)));
    return (await stored(files)) || fetch(request);
  }
  const key = shellKey(path);
  if (request.mode === "navigate") return navigate(event, key);
  if (fromShell.has(event.clientId)) return (await shellCopy(key)) || fetch(request);
  return fetch(request).catch(async (err) => (await shellCopy(key)) ?? Promise.reject(err));
}

/** A stored response, or undefined if the store fails or does not answer in STORAGE_MS. */
function stored(match) {
  return within(match.catch(() => undefined), STORAGE_MS, undefined);
}

function shellCopy(key) {
  return stored(caches.match(key, { cacheName: SHELL_CACHE }));
}

/** Pages: network-first; offline, or slower than SLOW_NETWORK_MS, this build's copy. Never
 *  the browser's HTTP cache unchecked ("no-cache" revalidates): offline it may hold a newer
 *  build's page, which this worker's files do not match. */
async function navigate(event, key) {
  const network = fetch(event.request, { cache: "no-cache" });
  const fromCache = async () => {
    const copy = await shellCopy(key);
    if (!copy) return network;
    if (event.resultingClientId) fromShell.add(event.resultingClientId);
    return copy;
  };
  const slow = new Promise((resolve) => setTimeout(resolve, SLOW_NETWORK_MS)).then(fromCache);
  return Promise.race([network.catch(fromCache), slow]);
}

// "" and "dir/" are the same page as "index.html" and "dir/index.html".
function shellKey(path) {
  return SCOPE + path.replace(/(^|\/)index\.html$/, "$1");
}

async function readManifest() {
  if (!manifest) {
    const cached = await shellCopy(SCOPE + "manifest.json");  // not answered: asked again next time
    manifest = cached ? await cached.json().catch(() => null) : null;
  }
  return manifest;
}

function isolate(response, destination) {
  if (response.status === 0) return response;  // opaque (e.g. a redirect): headers are fixed
  const headers = new Headers(response.headers);
  for (const [name, value] of Object.entries(ISOLATION)) headers.set(name, value);
  if (destination === "worker") headers.set("Content-Security-Policy", WORKER_CSP);
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}
