// Where the site keeps files in the browser (the Cache API), shared by the worker (fetch.js and
// loader.js import it) and the service worker (the build inlines this file at the top of sw.js,
// its `export`s dropped: a service worker that imports modules needs Firefox 147 or later).
//
// Every name is namespaced by the site's root URL, which is also the service worker's scope, so
// two sites on one origin (user.github.io/a/ and user.github.io/b/) never touch each other's
// caches. Files are stored content-addressed: `<file URL>?sha256=<hash>`.
//
// Stale files: a build's files may be deleted only when no open tab still runs that build. Each
// worker that loads holds a shared Web Lock named after its build for as long as it lives, and
// records its build's file keys; pruning keeps the files of every build whose lock is held.

/** The Cache API names of the site rooted at `root` (a URL ending in "/"). */
export function cacheNames(root) {
  const scope = new URL(root).pathname;  // percent-encoded: it never holds a space
  return {
    files: `nexttoken-files ${scope}`,    // verified runtimes, Python, tokenizer and model
    shellPrefix: `nexttoken-shell ${scope} `,
    shell: (build) => `nexttoken-shell ${scope} ${build}`,  // one build's pages, CSS, JS
    builds: `nexttoken-builds ${scope}`,  // file keys of each build a worker loaded
  };
}

/** `promise`'s value, or `fallback` if it has not settled in `ms`. Storage is optional: a Cache
 * API call that never answers (seen in Firefox under concurrent use) must hold up neither a
 * download (fetch.js) nor a file the service worker serves (sw.js). */
export function within(promise, ms, fallback) {
  let timer;
  const late = new Promise((resolve) => { timer = setTimeout(resolve, ms, fallback); });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/** The Cache API key of a file with this hash: its URL plus ?sha256=, which servers ignore. */
export function contentKey(root, path, sha256) {
  const url = new URL(path, root);
  url.searchParams.set("sha256", sha256);
  return url.href;
}

/** Every file the manifest lists (model, tokenizer, Python and runtimes): {path: entry}. */
export function listedFiles(manifest) {
  return { ...manifest.files, ...manifest.runtimes?.files };
}

/** The content keys of every file the manifest lists. */
export function manifestKeys(root, manifest) {
  return Object.entries(listedFiles(manifest)).map(([path, entry]) => contentKey(root, path, entry.sha256));
}

/** The Web Lock a worker holds while it runs this build. */
function lockName(root, build) {
  return `nexttoken-build ${new URL(root).pathname} ${build}`;
}

function buildRecord(root, build) {
  return new URL(`nexttoken-build/${encodeURIComponent(build)}.json`, root).href;
}

/**
 * Mark the manifest's build as in use until this worker or page goes away: another tab, or a new
 * service worker, then keeps its files. Resolves once the lock is held.
 */
const holding = new Set();  // builds this global holds already

export async function holdBuild(root, manifest) {
  const locks = self.navigator?.locks;
  const name = lockName(root, manifest.build_id);
  if (!locks || !self.caches || holding.has(name)) return;
  const record = JSON.stringify(manifestKeys(root, manifest));
  await (await caches.open(cacheNames(root).builds)).put(buildRecord(root, manifest.build_id),
    new Response(record, { headers: { "Content-Type": "application/json" } }));
  await new Promise((resolve) => {
    locks.request(name, { mode: "shared" }, () => {
      holding.add(name);
      resolve();
      return new Promise(() => {});  // held until this global goes away
    });
  });
}

/**
 * Delete stored files that neither `manifest` nor any build still open lists; returns how many.
 * Without Web Locks nobody can tell which builds are open, so nothing is deleted.
 */
export async function pruneFiles(root, manifest) {
  const locks = self.navigator?.locks;
  if (!locks || !self.caches) return 0;
  const names = cacheNames(root);
  const prefix = lockName(root, "");
  const { held = [] } = await locks.query();
  const open = new Set(held.map((lock) => lock.name).filter((name) => name.startsWith(prefix))
    .map((name) => name.slice(prefix.length)));
  open.add(manifest.build_id);
  const keep = new Set(manifestKeys(root, manifest));
  const records = await caches.open(names.builds);
  for (const request of await records.keys()) {
    const build = decodeURIComponent(new URL(request.url).pathname.split("/").pop().replace(/\.json$/, ""));
    if (!open.has(build)) { await records.delete(request); continue; }
    const response = await records.match(request);
    for (const key of await response.json()) keep.add(key);
    open.delete(build);
  }
  open.delete(manifest.build_id);
  if (open.size) return 0;  // an open build whose files are not recorded (yet): keep everything
  const files = await caches.open(names.files);
  const stale = (await files.keys()).filter((request) => !keep.has(request.url));
  await Promise.all(stale.map((request) => files.delete(request)));
  return stale.length;
}

/**
 * The stored copy of `path` under `root` (entry: its manifest entry) as a Blob, or null when
 * storage does not hold it whole or does not answer within `ms`. The Blob is backed by the
 * stored file, so reading it holds one slice at a time in memory. Only the size is checked
 * here: ask only for a file whose stored copy this load verified (fetch.js storedAndChecked).
 */
export async function storedBlob(root, path, entry, ms = 20000) {
  const read = async () => {
    const cache = await caches.open(cacheNames(root).files);
    const blob = await (await cache.match(contentKey(root, path, entry.sha256)))?.blob();
    return blob?.size === entry.bytes ? blob : null;
  };
  return within(read().catch(() => null), ms, null);  // no storage here: the caller has bytes
}
