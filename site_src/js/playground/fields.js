// The sampling parameters the playground shows, as the build wrote them into the page: Python's
// SamplingParams declares every one (name, default, range, label, help, slider, group, the
// orders it runs in) and the presets; manifest.json's "sampling" carries them, inline in each
// page (templates/partials/sampling.html). This module names no parameter: it reads them, and
// parses and formats typed or URL values (docs/parameters.md).

const SCHEMA = readSchema();

/** Each setting, as in manifest.json; an unbounded end (null in JSON) is -Infinity/Infinity. */
export const FIELDS = SCHEMA.fields.map((f) => ({ ...f, min: f.min ?? -Infinity, max: f.max ?? Infinity }));
export const DEFAULTS = Object.fromEntries(FIELDS.map((f) => [f.name, f.default]));
export const PARAM_NAMES = FIELDS.map((f) => f.name);
/** The setting that picks the pipeline order (its choices are the orders). */
export const ORDER_FIELD = FIELDS.find((f) => f.name === SCHEMA.order_field);
/** The largest seed (seeds are integers in [0, 2^64), as Python's WorkerApi takes them). */
export const MAX_SEED = 2n ** 64n - 1n;
// Each preset sets every parameter: the ones it does not name go back to their defaults.
export const PRESETS = SCHEMA.presets;

function readSchema() {
  const script = document.getElementById("nexttoken-sampling");
  if (!script) throw new Error('This page has no sampling settings (<script id="nexttoken-sampling">): rebuild the site.');
  return JSON.parse(script.textContent);
}

export function presetParams(key) {
  const preset = PRESETS.find((p) => p.key === key);
  return preset ? { ...DEFAULTS, ...preset.params } : null;
}

/** The preset whose settings equal `params`, or null. */
export function matchingPreset(params) {
  return PRESETS.find((p) => PARAM_NAMES.every((name) => same(presetParams(p.key)[name], params[name])))?.key ?? null;
}

function same(a, b) {
  return a === b || (a && b && typeof a === "object" && JSON.stringify(a) === JSON.stringify(b));
}

/**
 * Parse the text of one parameter (from an input or a URL). Returns {value} or {error}, the
 * error naming the field and its valid range. `vocab` bounds token ids (logit bias, DRY's breakers).
 */
export function parseField(field, text, vocab) {
  const raw = String(text ?? "").trim();
  if (field.kind === "bias") return parseBias(raw, vocab);
  if (field.kind === "stages") return parseStages(field, raw);
  if (field.kind === "tokens") return parseTokens(field, raw, vocab);
  if (field.kind === "choice") {
    const choice = field.choices.find((c) => String(c.value) === raw);
    return choice ? { value: choice.value } : { error: `${field.label} must be ${field.choices.map((c) => c.value).join(" or ")}` };
  }
  if (!/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(raw)) return { error: `${field.label}: "${clip(raw)}" is not a number` };
  const value = Number(raw);
  if (field.kind === "integer" && !Number.isSafeInteger(value)) return { error: `${field.label} must be a whole number` };
  if (!Number.isFinite(value) || !inRange(field, value)) return { error: `${field.label} must be in ${rangeText(field)}` };
  return { value };
}

function inRange(field, value) {
  const low = field.min_open ? value > field.min : value >= field.min;
  const high = field.max_open ? value < field.max : value <= field.max;
  return low && high;
}

/** "[0, 1)", "(0, ∞)": the valid range of a numeric field. */
export function rangeText(field) {
  const lo = field.min === -Infinity ? "(−∞" : `${field.min_open ? "(" : "["}${field.min}`;
  const hi = field.max === Infinity ? "∞)" : `${field.max}${field.max_open ? ")" : "]"}`;
  return `${lo}, ${hi}`;
}

/** "50256:-100, 13:2.5" -> {50256: -100, 13: 2.5}; empty -> null. */
export function parseBias(raw, vocab) {
  if (!raw) return { value: null };
  const bias = {};
  const pairs = raw.split(",");
  if (pairs.length > 1000) return { error: "Logit bias: at most 1000 pairs" };
  for (const pair of pairs) {
    const match = /^\s*(\d{1,9})\s*:\s*([-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?)\s*$/i.exec(pair);
    const id = match && Number(match[1]);
    const value = match && Number(match[2]);
    if (!match || !(id < vocab) || !Number.isFinite(value)) {
      return { error: `Logit bias: "${clip(pair.trim())}" is not token_id:bias with an id below ${vocab}` };
    }
    bias[id] = value;
  }
  return { value: bias };
}

export function formatBias(bias) {
  return bias ? Object.entries(bias).map(([id, value]) => `${id}:${value}`).join(", ") : "";
}

/** A value as text that parses back to exactly the same number (or bias, or choice). */
export function formatField(field, value) {
  if (field.kind === "bias") return formatBias(value);
  if (field.kind === "stages") return value ? value.join(",") : "";
  if (field.kind === "tokens") return value.join(", ");
  return String(value);
}

/** A custom order: comma-separated stage names, each once ("" is the default order). */
function parseStages(field, raw) {
  if (raw === "") return { value: null };
  const names = raw.split(",").map((name) => name.trim());
  const known = field.choices.map((c) => c.value);
  const bad = names.find((name) => !known.includes(name));
  if (bad !== undefined) return { error: `${field.label}: "${clip(bad)}" is not a stage (stages: ${known.join(", ")})` };
  if (new Set(names).size !== names.length) return { error: `${field.label} lists a stage twice` };
  return { value: names };
}

/** Token ids: "198, 25" -> [198, 25]; "" -> [] (none). */
function parseTokens(field, raw, vocab) {
  if (raw === "") return { value: [] };
  const ids = raw.split(",").map((part) => part.trim());
  if (ids.length > 1000) return { error: `${field.label}: at most 1000 token ids` };
  const bad = ids.find((id) => !/^\d{1,9}$/.test(id) || !(Number(id) < vocab));
  if (bad !== undefined) return { error: `${field.label}: "${clip(bad)}" is not a token id below ${vocab}` };
  return { value: ids.map(Number) };
}

/**
 * A seed from text: {value} as a number when it is a safe integer, else as its decimal string
 * (a JS number above 2^53 drops digits; the worker takes either, runtime/protocol.js).
 */
export function parseSeed(text) {
  const raw = String(text ?? "").trim();
  if (!/^\d{1,20}$/.test(raw) || BigInt(raw) > MAX_SEED) return { error: `Seed must be a whole number from 0 to ${MAX_SEED}` };
  const value = BigInt(raw);
  return { value: value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value.toString() };
}

function clip(text) {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}
