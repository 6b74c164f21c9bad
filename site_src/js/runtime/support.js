// What the model needs from the browser, checked before anything downloads. Imported by the
// worker (loader.js) and by the page (loading.js), which says so before the reader waits.

// The smallest module that uses a SIMD instruction (v128.const, then i8x16.popcnt): both
// onnxruntime-web's and Pyodide's WASM builds need SIMD.
const SIMD_PROBE = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10,
  10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11]);

/** A message for the reader if this browser cannot run the model, else null. */
export function unsupported() {
  if (typeof WebAssembly !== "object") {
    return "This browser cannot run WebAssembly, which the model needs. Use a recent Chrome, " +
      "Edge, Firefox or Safari with WebAssembly enabled.";
  }
  if (!WebAssembly.validate(SIMD_PROBE)) {
    return "This browser lacks WebAssembly SIMD, which the model needs. Use a recent Chrome, " +
      "Edge or Firefox, or Safari 16.4 or later.";
  }
  return null;
}

/**
 * Sentences for the reader about what this browser lacks and what the page does instead,
 * given the loaded worker's info ({threads}); [] when nothing is missing. `oneThreadAsked`:
 * one thread was chosen (api.js says why), not imposed by the browser. `scope` is the global
 * object (the worker), a parameter so that tests can pass another.
 */
export function fallbacks({ threads, oneThreadAsked = false }, scope = globalThis) {
  const out = [];
  if (threads === 1 && !oneThreadAsked && (scope.navigator?.hardwareConcurrency ?? 1) > 1) {
    out.push(scope.crossOriginIsolated
      ? "Running on 1 thread: this browser does not give web pages shared memory (SharedArrayBuffer), " +
        "so each token takes longer than it would with several threads."
      : "Running on 1 thread: this page is not cross-origin isolated here (inside another site's frame, " +
        "or without its service worker), so each token takes longer than it would with several threads.");
  }
  if (!scope.navigator?.storage?.estimate) {
    out.push("This browser has no storage manager (navigator.storage), so it may clear the stored model " +
      "to free space; the model would then download again on a later visit.");
  }
  return out;
}
