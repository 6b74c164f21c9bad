// Pyodide with the nexttoken package: the tokenizer and the sampler chain.
import { fetchBytes, importVerified, siteRoot } from "./fetch.js";

const PYTHON_ROOT = "/lib";

export async function loadPython(manifest) {
  const runtime = manifest.runtimes.pyodide;
  // Both module scripts from the loader's verified bytes (blob: URLs), not imported by URL:
  // pyodide.asm.mjs is handed to loadPyodide (its createPyodideModule option), which would
  // otherwise import it from indexURL. Its WASM, standard library and lock file it fetches from
  // indexURL itself: serveHeldFiles (fetch.js) answers those with the verified bytes.
  const [{ loadPyodide }, { default: createPyodideModule }] = await Promise.all([
    importVerified(runtime + "pyodide.mjs"), importVerified(runtime + "pyodide.asm.mjs")]);
  const [py, vocab, merges] = await Promise.all([
    loadPyodide({ indexURL: new URL(runtime, siteRoot).href, createPyodideModule }),
    // The loader's verified bytes (fetch.js), not a second download.
    fetchBytes(manifest.tokenizer.vocab).then((bytes) => new TextDecoder().decode(bytes)),
    fetchBytes(manifest.tokenizer.merges).then((bytes) => new TextDecoder().decode(bytes)),
  ]);
  await Promise.all(manifest.python.map(async (path) => {
    // "assets/python/nexttoken/x.py" -> "/lib/nexttoken/x.py"
    const target = `${PYTHON_ROOT}/${path.split("/").slice(2).join("/")}`;
    py.FS.mkdirTree(target.slice(0, target.lastIndexOf("/")));
    py.FS.writeFile(target, await fetchBytes(path));
  }));
  py.runPython(`import sys; sys.path.insert(0, "${PYTHON_ROOT}")`);
  const { WorkerApi } = py.pyimport("nexttoken.worker_api");
  return { py, workerApi: WorkerApi(vocab, merges) };
}

/**
 * The one converter of Python results to JS: dicts become plain objects, lists arrays, ints
 * numbers (BigInts above 2^53), None undefined; the Python proxy is freed. Anything that is
 * not a proxy (a str, a number) passes through.
 */
export function toPlain(value) {
  if (!value?.toJs) return value;
  try {
    return value.toJs({ dict_converter: Object.fromEntries, create_pyproxies: false });
  } finally {
    value.destroy();
  }
}
