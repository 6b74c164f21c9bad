// Runs Python source (read from stdin) inside Pyodide under Node, with the
// project's `site_src/python` on sys.path. The script's value of `result`
// (any JSON-serialisable Python value) is printed to stdout as JSON.
// Usage: node tests/pyodide_run.mjs < script.py
import { loadPyodide } from "pyodide";
import { readFileSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import path from "node:path";

const here = path.dirname(fileURLToPath(import.meta.url));
const source = readFileSync(0, "utf8");
// Python's own prints go to stderr so stdout carries only the JSON result.
const pyodide = await loadPyodide({ stdout: (line) => process.stderr.write(line + "\n") });
pyodide.FS.mkdirTree("/project");
pyodide.FS.mount(pyodide.FS.filesystems.NODEFS, { root: path.resolve(here, "..") }, "/project");
pyodide.runPython("import sys; sys.path.insert(0, '/project/site_src/python')");
// What the worker hands Python with each model step (sessions.js): scripts make it with js.Logits.new.
globalThis.Logits = (await import(pathToFileURL(path.resolve(here, "../site_src/js/runtime/logits.js")).href)).Logits;
const globals = pyodide.toPy({});
pyodide.runPython(source, { globals });
pyodide.runPython("import json; _out = json.dumps(result)", { globals });
process.stdout.write(globals.get("_out"));
