// The site's service worker, copied to the site root so that its scope is the whole site,
// wherever the site is hosted (a domain's root or a GitHub Pages project path).
//
// Offline: the page shell (HTML, CSS, JS, manifest.json) is fetched network-first, with the
// last copy kept per build in "nexttoken-shell-<build>"; the runtimes, Python files and model
// are stored by the engine (engine/fetch.js) in "nexttoken-files" under their sha256 and served
// from there by hash, so a second visit needs no network at all.
//
// Isolation: every response it serves gets COOP and COEP headers (the coi-serviceworker
// technique), so on a static host that sends no such headers, such as GitHub Pages, the page is
// crossOriginIsolated: SharedArrayBuffer, hence multithreaded WASM, needs that.
//
// Builds: sw-register.js registers "sw.js?build=<manifest build_id>", so a new build installs a
// new worker, which deletes the old build's shell cache and the stored files it no longer lists.

const BUILD = new URL(self.location.href).searchParams.get("build") || "dev";
const SHELL_PREFIX = "nexttoken-shell-";
const SHELL_CACHE = SHELL_PREFIX + BUILD;
const FILE_CACHE = "nexttoken-files";  // engine/fetch.js writes it
const SCOPE = self.registration.scope;  // ends with "/"
const ISOLATION = {
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Embedder-Policy": "require-corp",
};
// The engine's workers get the page's script policy as a header (a <meta> CSP does not reach
// workers): only this site's scripts, and WebAssembly compilation, which both runtimes need.
const WORKER_CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; object-src 'none'";
// A shell request slower than this is answered from the cache when there is a copy.
const SLOW_NETWORK_MS = 4000;

let manifest = null;  // the build's manifest.json, parsed: maps a path to its sha256

self.addEventListener("install", (event) => {
  self.skipWaiting();
  event.waitUntil(precache());
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    const names = await caches.keys();
    await Promise.all(names.filter((n) => n.startsWith(SHELL_PREFIX) && n !== SHELL_CACHE)
      .map((n) => caches.delete(n)));
    await pruneFiles();
    await self.clients.claim();  // control the open page now: sw-register.js reloads it once
  })());
});

self.addEventListener("fetch", (event) => {
  const { request } = event;
  if (request.method !== "GET" || !request.url.startsWith(SCOPE)) return;
  // A DevTools quirk that makes fetch() throw (as coi-serviceworker notes).
  if (request.cache === "only-if-cached" && request.mode !== "same-origin") return;
  event.respondWith(respond(request).then((response) => isolate(response, request.destination)));
});

/** The page, manifest.json and everything in assets/shell.json; nothing large. */
async function precache() {
  const cache = await caches.open(SHELL_CACHE);
  const list = await fetch(SCOPE + "assets/shell.json", { cache: "no-cache" })
    .then((r) => (r.ok ? r.json() : []), () => []);
  await Promise.all(["./", "manifest.json", ...list].map(async (path) => {
    const url = new URL(path, SCOPE).href;
    try {
      const response = await fetch(url, { cache: "no-cache" });
      if (response.ok && !response.redirected) await cache.put(url, response);
    } catch { /* offline: the fetch handler caches it when it next passes */ }
  }));
}

/** Delete stored files that this build's manifest does not list. */
async function pruneFiles() {
  const current = await readManifest();
  if (current?.build_id !== BUILD) return;  // only prune for the build this worker belongs to
  const keep = new Set(Object.entries(allFiles(current)).map(([path, e]) => contentKey(path, e.sha256)));
  const cache = await caches.open(FILE_CACHE);
  const keys = await cache.keys();
  await Promise.all(keys.filter((r) => !keep.has(r.url)).map((r) => cache.delete(r)));
}

async function respond(request) {
  const url = new URL(request.url);
  const path = url.href.slice(SCOPE.length).split(/[?#]/)[0];
  const sha = url.searchParams.get("sha256") || (await shaOf(path));
  if (sha) {
    const stored = await (await caches.open(FILE_CACHE)).match(contentKey(path, sha));
    // A miss goes to the network; the engine verifies the bytes and stores them itself.
    return stored || fetch(request);
  }
  return networkFirst(request, path);
}

async function networkFirst(request, path) {
  const key = shellKey(path);
  const network = fetch(request).then((response) => {
    if (response.ok && response.type === "basic" && !response.redirected) {
      keep(key, response.clone()).catch(() => {});
      if (path === "manifest.json") response.clone().json().then((m) => { manifest = m; }, () => {});
    }
    return response;
  });
  const fromCache = async () => (await caches.match(key, { cacheName: SHELL_CACHE })) || network;
  const slow = new Promise((resolve) => setTimeout(resolve, SLOW_NETWORK_MS)).then(fromCache);
  return Promise.race([network.catch(fromCache), slow]);
}

async function keep(key, response) {
  // A newer build's worker deletes this build's cache while this one may still be answering
  // the page it replaces: never bring the cache back.
  if (await caches.has(SHELL_CACHE)) await (await caches.open(SHELL_CACHE)).put(key, response);
}

// "" and "dir/" are the same page as "index.html" and "dir/index.html".
function shellKey(path) {
  return SCOPE + path.replace(/(^|\/)index\.html$/, "$1");
}

function contentKey(path, sha256) {
  const url = new URL(path, SCOPE);
  url.searchParams.set("sha256", sha256);
  return url.href;
}

function allFiles(m) {
  return { ...m.files, ...m.runtimes?.files };
}

async function readManifest() {
  if (!manifest) {
    const cached = await caches.match(SCOPE + "manifest.json", { cacheName: SHELL_CACHE });
    manifest = cached ? await cached.json().catch(() => null) : null;
  }
  return manifest;
}

async function shaOf(path) {
  const m = await readManifest();
  return m ? allFiles(m)[path]?.sha256 : undefined;
}

function isolate(response, destination) {
  if (response.status === 0) return response;  // opaque (e.g. a redirect): headers are fixed
  const headers = new Headers(response.headers);
  for (const [name, value] of Object.entries(ISOLATION)) headers.set(name, value);
  if (destination === "worker") headers.set("Content-Security-Policy", WORKER_CSP);
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}
