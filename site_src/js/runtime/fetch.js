// Downloads of the site's own files as manifest.json lists them: several at once, each retried
// when it fails or stalls, checked against the manifest's sha256 (SubtleCrypto), and kept in the
// Cache API under that hash (store.js names it), so a later visit, or an offline one, reads them
// from storage.

import { Progress } from "./progress.js";
import { cacheNames, contentKey, listedFiles, within } from "./store.js";

export { Progress };

// The site's root: also the service worker's scope, which store.js namespaces caches by.
export const siteRoot = new URL("../../../", import.meta.url);

/** An error whose message is written for the reader; `code` says which failure it is. */
export class LoadError extends Error {
  constructor(code, message) {
    super(message);
    this.name = "LoadError";
    this.code = code;
  }
}

export async function fetchOk(path, init) {
  const response = await fetch(new URL(path, siteRoot), init);
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
  return response;
}

export async function fetchText(path) {
  return (await fetchOk(path)).text();
}

/** The manifest of the build on the server; revalidated, since it names everything else. */
export async function fetchManifest() {
  return (await fetchOk("manifest.json", { cache: "no-cache" })).json();
}

// Files the loader already downloaded and verified, handed over once to whoever asks.
const held = new Map();
// Files whose stored copy this worker checked itself: read back and hashed, or stored after
// hashing (the put answered). Only these may be read from storage in place of held bytes.
const checkedInStorage = new Set();

/** Whether the Cache API holds the copy of `path` that this worker verified (storedBlob). */
export function storedAndChecked(path) {
  return checkedInStorage.has(path);
}

/** Bytes of `path`: those the loader holds if it downloaded them, else a plain download. */
export async function fetchBytes(path, onProgress) {
  if (held.has(path)) {
    const bytes = held.get(path);
    held.delete(path);  // the caller owns them now; do not keep a second reference alive
    onProgress?.(bytes.length, bytes.length);
    return bytes;
  }
  const bytes = new Uint8Array(await (await fetchOk(path)).arrayBuffer());
  onProgress?.(bytes.length, bytes.length);
  return bytes;
}

/**
 * A blob: URL of a module script's verified bytes (held, as fetchBytes hands them over), for
 * import() or a Worker: the runtimes' module scripts run from the bytes that were checked, not
 * from a second, unverified request by URL. The worker's policy allows blob: scripts for this
 * (sw.js, WORKER_CSP). Revoke it once imported, unless workers start from it later.
 */
export async function verifiedScriptUrl(path) {
  return URL.createObjectURL(new Blob([await fetchBytes(path)], { type: "text/javascript" }));
}

/** import() a module script from its verified bytes (verifiedScriptUrl). */
export async function importVerified(path) {
  const url = await verifiedScriptUrl(path);
  try {
    return await import(url);
  } finally {
    URL.revokeObjectURL(url);  // a module is fetched once: its namespace outlives the URL
  }
}

/** Forget held bytes nobody took (after a failed load). */
export function release(paths) {
  for (const path of paths) held.delete(path);
}

// What the runtimes' own requests for held files are answered with (instantiateStreaming
// refuses WASM without its type).
const HELD_TYPES = { wasm: "application/wasm", json: "application/json", zip: "application/zip" };
let networkFetch = null;

/**
 * From now on, answer this worker's plain GET requests for files the loader holds (Pyodide's
 * WASM, Python's standard library and Pyodide's lock file, which Pyodide fetches itself by URL)
 * with the held, verified bytes, once each: the bytes that run are the bytes that were checked,
 * downloaded once, with or without a service worker and whether or not storage kept them.
 */
export function serveHeldFiles() {
  if (networkFetch) return;
  networkFetch = self.fetch.bind(self);
  self.fetch = (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input), siteRoot);
    const path = url.href.startsWith(siteRoot.href) && !url.search ? url.href.slice(siteRoot.href.length) : null;
    const method = (init?.method ?? (input instanceof Request ? input.method : "GET")).toUpperCase();
    if (path === null || method !== "GET" || !held.has(path)) return networkFetch(input, init);
    const bytes = held.get(path);
    held.delete(path);
    const type = HELD_TYPES[path.split(".").pop()] ?? "application/octet-stream";
    return Promise.resolve(new Response(bytes, { headers: { "Content-Type": type } }));
  };
}

export async function sha256Hex(bytes) {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

const sleep = (ms, signal) => new Promise((resolve, reject) => {
  const timer = setTimeout(resolve, ms);
  signal?.addEventListener("abort", () => { clearTimeout(timer); reject(signal.reason); }, { once: true });
});

const WATCH_MS = 500;  // how often a download checks that data still arrives

const NO_ANSWER = Symbol("no answer");

/** Why one try failed; every kind is retried, and the last one is reported. */
class AttemptError extends Error {
  constructor(reason, code = "download") {
    super(reason);
    this.code = code;
  }
}

/**
 * Downloads manifest files, at most `concurrency` at a time, in the order they were asked for.
 * Options: signal (cancel), progress (a Progress), onNotice({code, message}), retries, stallMs,
 * retryDelayMs, concurrency.
 */
export class Downloader {
  constructor(manifest, options = {}) {
    this.files = listedFiles(manifest);
    this.options = { retries: 3, stallMs: 20000, retryDelayMs: 1000, concurrency: 4, ...options };
    this.progress = options.progress ?? new Progress(null);
    this.queue = [];
    this.active = 0;
    this.noticed = new Set();
    this.cache = self.caches ? within(caches.open(cacheNames(siteRoot).files).catch(() => null), this.options.stallMs, null)
      : Promise.resolve(null);
  }

  entry(path) {
    const entry = this.files[path];
    if (!entry) throw new LoadError("manifest", `${path} is not listed in manifest.json; rebuild the site`);
    return entry;
  }

  /** Add these files' sizes to the progress total before any of them starts. */
  expect(paths) {
    for (const path of paths) this.progress.expect(this.entry(path).bytes);
  }

  /** Verified bytes of each path (a Map); with hold, fetchBytes(path) can take them later. */
  async fetchAll(paths, { keep = true, hold = false } = {}) {
    const results = await Promise.all(paths.map((path) => this.schedule(() => this.file(path))));
    const map = new Map();
    paths.forEach((path, i) => {
      if (hold) held.set(path, results[i]);
      if (keep || hold) map.set(path, results[i]);
    });
    return map;
  }

  schedule(task) {
    return new Promise((resolve, reject) => {
      this.queue.push({ task, resolve, reject });
      this.next();
    });
  }

  next() {
    while (this.active < this.options.concurrency && this.queue.length) {
      const { task, resolve, reject } = this.queue.shift();
      this.active++;
      task().then(resolve, reject).finally(() => { this.active--; this.next(); });
    }
  }

  async file(path) {
    const entry = this.entry(path);
    this.throwIfCancelled();  // files still queued when a load is cancelled or fails
    const stored = await this.readStored(path, entry);
    if (stored) return stored;
    const { bytes, type } = await this.download(path, entry);
    await this.store(path, entry, bytes, type);
    return bytes;
  }

  /** The stored copy if it is whole and matches its hash; a damaged copy is deleted. */
  async readStored(path, entry) {
    const cache = await this.cache;
    const key = contentKey(siteRoot, path, entry.sha256);
    const wait = this.options.stallMs;
    const response = cache && await within(cache.match(key).catch(() => null), wait, null);
    if (!response) return null;
    try {
      const bytes = new Uint8Array(await within(response.arrayBuffer(), wait, new ArrayBuffer(0)));
      if (bytes.length === entry.bytes && await sha256Hex(bytes) === entry.sha256) {
        this.progress.add(bytes.length, false);
        checkedInStorage.add(path);
        return bytes;
      }
    } catch { /* unreadable: treated like a damaged copy */ }
    await within(cache.delete(key).catch(() => false), wait, false);
    console.warn(`nexttoken: the stored copy of ${path} was damaged; downloading it again`);
    return null;
  }

  async download(path, entry) {
    const { retries, retryDelayMs, signal } = this.options;
    for (let attempt = 0; ; attempt++) {
      this.throwIfCancelled();
      try {
        return await this.attempt(path, entry, attempt);
      } catch (err) {
        this.throwIfCancelled();
        const failure = err instanceof AttemptError ? err : new AttemptError("the network failed");
        if (attempt >= retries) throw this.finalError(path, failure, attempt + 1);
        console.warn(`nexttoken: ${path}: ${failure.message}; retrying`);
        await sleep(retryDelayMs * 2 ** attempt, signal).catch(() => this.throwIfCancelled());
      }
    }
  }

  /** One try: stream the body into a buffer of the manifest's size, then check its hash. */
  async attempt(path, entry, attempt) {
    const controller = new AbortController();
    const cancel = () => controller.abort();
    this.options.signal?.addEventListener("abort", cancel, { once: true });
    let stalled = false, received = 0;
    let lastData = performance.now(), lastTick = lastData;
    const arm = () => { lastData = performance.now(); };
    const watchdog = setInterval(() => {
      const now = performance.now();
      // A late tick means this thread was busy (Python starting up), not that data stopped:
      // that time does not count. Only the lateness is forgiven, so timers slowed down for a
      // background tab (a tick a second) still see a stall.
      lastData += Math.max(0, now - lastTick - 2 * WATCH_MS);
      lastTick = now;
      if (now - lastData > this.options.stallMs) { stalled = true; controller.abort(); }
    }, WATCH_MS);
    try {
      // A retry bypasses the HTTP cache, in case it holds a truncated or stale copy.
      const response = await fetch(contentKey(siteRoot, path, entry.sha256),
        { signal: controller.signal, cache: attempt ? "reload" : "default" });
      if (!response.ok) throw new AttemptError(`the server answered HTTP ${response.status}`);
      const bytes = new Uint8Array(entry.bytes);
      const reader = response.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        arm();
        if (received + value.length > bytes.length) {
          throw new AttemptError("it is larger than the manifest says", "mismatch");
        }
        bytes.set(value, received);
        received += value.length;
        this.progress.add(value.length, true);
      }
      if (received !== bytes.length) throw new AttemptError(`it ended after ${received} of ${bytes.length} bytes`);
      if (await sha256Hex(bytes) !== entry.sha256) {
        throw new AttemptError("its sha256 differs from the manifest's", "mismatch");
      }
      return { bytes, type: response.headers.get("content-type") };
    } catch (err) {
      this.progress.add(-received, true);  // the retry counts these bytes again
      if (stalled) throw new AttemptError(`no data arrived for ${Math.round(this.options.stallMs / 1000)} s`);
      throw err;
    } finally {
      clearInterval(watchdog);
      this.options.signal?.removeEventListener("abort", cancel);
    }
  }

  throwIfCancelled() {
    if (this.options.signal?.aborted) throw new LoadError("cancelled", "Loading cancelled.");
  }

  finalError(path, failure, attempts) {
    if (failure.code === "mismatch") {
      return new LoadError("mismatch", `${path} on the server does not match this page's manifest.json ` +
        `(${failure.message}): the site is probably being updated. Reload the page in a minute.`);
    }
    return new LoadError("download", `Could not download ${path} (${attempts} attempt${attempts > 1 ? "s" : ""}; ` +
      `last time ${failure.message}). Check your connection, then press Load again.`);
  }

  /** Keep a verified file for later visits; a full quota is reported once, not fatal. */
  async store(path, entry, bytes, type) {
    const cache = await this.cache;
    if (!cache) return this.notice("no-storage", "This page cannot store files (it needs HTTPS and " +
      "site storage), so the model will download again on your next visit.");
    // Stored with its type: sw.js serves these to Pyodide and onnxruntime-web, and module
    // scripts and streaming WASM compilation refuse the wrong Content-Type.
    const headers = { "Content-Type": type || "application/octet-stream",
      "Content-Length": String(bytes.length) };
    try {
      const put = cache.put(contentKey(siteRoot, path, entry.sha256), new Response(bytes, { headers }));
      if (await within(put, this.options.stallMs, NO_ANSWER) === NO_ANSWER) {
        console.warn(`nexttoken: storage did not answer for ${path}; it will download again next visit`);
      } else {
        checkedInStorage.add(path);
      }
    } catch (err) {
      if (err?.name === "QuotaExceededError") {
        this.notice("storage-full", "Your browser's storage for this site is full, so the model was not " +
          "saved: it will download again on your next visit. Free some disk space to keep it.");
      } else {
        console.warn(`nexttoken: could not store ${path}: ${err}`);
      }
    }
  }

  notice(code, message) {
    if (this.noticed.has(code)) return;
    this.noticed.add(code);
    this.options.onNotice?.({ code, message });
  }
}
