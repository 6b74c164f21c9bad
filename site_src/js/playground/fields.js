// The sampling parameters the playground shows, their valid ranges (the same as Python's
// SamplingParams, which checks them again), the presets, and parsing of typed or URL values.

const INF = Infinity;

// group "main" is always visible; "more" sits under a disclosure. `range` is the slider's span
// (the number box beside it accepts anything valid); `open` marks an excluded bound.
export const FIELDS = [
  { name: "temperature", label: "Temperature", group: "main", min: 0, max: INF, step: 0.05, range: [0, 2], def: 1,
    help: "Divides the logits: below 1 sharpens the distribution, above 1 flattens it, 0 is greedy." },
  { name: "top_k", label: "Top-k", group: "main", int: true, min: 0, max: INF, step: 1, range: [0, 100], def: 0,
    help: "Keeps only the k most likely tokens. 0 turns it off." },
  { name: "top_p", label: "Top-p", group: "main", min: 0, max: 1, step: 0.01, range: [0, 1], def: 1,
    help: "Keeps the most likely tokens until their probabilities add up to p. 1 turns it off." },
  { name: "min_p", label: "Min-p", group: "main", min: 0, max: 1, step: 0.01, range: [0, 1], def: 0,
    help: "Drops tokens less likely than min-p times the most likely one. 0 turns it off." },
  { name: "typical_p", label: "Typical-p", group: "more", min: 0, minOpen: true, max: 1, step: 0.01, range: [0.01, 1], def: 1,
    help: "Keeps the tokens whose surprise is closest to the average surprise, up to mass p. 1 turns it off." },
  { name: "epsilon", label: "Epsilon", group: "more", min: 0, max: 1, maxOpen: true, step: 0.0001, range: [0, 0.01], def: 0,
    help: "Drops tokens with probability below epsilon. 0 turns it off." },
  { name: "eta", label: "Eta", group: "more", min: 0, max: 1, maxOpen: true, step: 0.0001, range: [0, 0.01], def: 0,
    help: "Like epsilon, with a cutoff that grows when the model is unsure (entropy). 0 turns it off." },
  { name: "top_n_sigma", label: "Top-nσ", group: "more", min: 0, max: INF, step: 0.1, range: [0, 5], def: 0,
    help: "Keeps tokens whose logit is within n standard deviations of the top logit. 0 turns it off." },
  { name: "repetition_penalty", label: "Repetition penalty", group: "more", min: 0, minOpen: true, max: INF, step: 0.05,
    range: [0.5, 2], def: 1, help: "Makes tokens already in the text less likely (above 1) or more likely (below 1). 1 turns it off." },
  { name: "presence_penalty", label: "Presence penalty", group: "more", min: -2, max: 2, step: 0.05, range: [-2, 2], def: 0,
    help: "Subtracts this from the logit of every token already in the text. 0 turns it off." },
  { name: "frequency_penalty", label: "Frequency penalty", group: "more", min: -2, max: 2, step: 0.05, range: [-2, 2], def: 0,
    help: "Subtracts this times the token's count so far from its logit. 0 turns it off." },
  { name: "no_repeat_ngram_size", label: "No-repeat n-gram", group: "more", int: true, min: 0, max: INF, step: 1, range: [0, 10],
    def: 0, help: "Bans any token that would repeat an n-gram of this size. 0 turns it off." },
  { name: "logit_bias", label: "Logit bias", group: "more", kind: "bias", def: null,
    help: "Token id:bias pairs added to the logits, e.g. 50256:-100, 13:2.5. Empty turns it off." },
];

export const ORDERS = [["hf", "Hugging Face transformers"], ["llama.cpp", "llama.cpp"]];
export const DEFAULTS = Object.fromEntries([...FIELDS.map((f) => [f.name, f.def]), ["order", "hf"]]);
export const PARAM_NAMES = [...FIELDS.map((f) => f.name), "order"];
export const MAX_SEED = Number.MAX_SAFE_INTEGER;

// Each preset sets every parameter: the ones it does not name go back to their defaults.
// Sources are cited in docs/playground.md.
export const PRESETS = [
  { key: "greedy", label: "Greedy", params: { temperature: 0 } },
  { key: "balanced", label: "Balanced", params: { temperature: 0.7, top_p: 0.9 } },
  { key: "creative", label: "Creative", params: { temperature: 1.2, min_p: 0.05 } },
  { key: "hf", label: "Hugging Face defaults", params: { temperature: 1, top_k: 50, top_p: 1 } },
  { key: "llama.cpp", label: "llama.cpp defaults",
    params: { temperature: 0.8, top_k: 40, top_p: 0.95, min_p: 0.05, typical_p: 1, repetition_penalty: 1, order: "llama.cpp" } },
  { key: "openai", label: "OpenAI API defaults", params: { temperature: 1, top_p: 1, presence_penalty: 0, frequency_penalty: 0 } },
];

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
 * error naming the field and its valid range. `vocab` bounds logit_bias token ids.
 */
export function parseField(field, text, vocab) {
  const raw = String(text ?? "").trim();
  if (field.kind === "bias") return parseBias(raw, vocab);
  if (!/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(raw)) return { error: `${field.label}: "${clip(raw)}" is not a number` };
  const value = Number(raw);
  if (field.int && !Number.isSafeInteger(value)) return { error: `${field.label} must be a whole number` };
  const low = field.minOpen ? value <= field.min : value < field.min;
  const high = field.maxOpen ? value >= field.max : value > field.max;
  if (!Number.isFinite(value) || low || high) return { error: `${field.label} must be in ${rangeText(field)}` };
  return { value };
}

export function rangeText(field) {
  const hi = field.max === INF ? "∞)" : `${field.max}${field.maxOpen ? ")" : "]"}`;
  return `${field.minOpen ? "(" : "["}${field.min}, ${hi}`;
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

/** A value as text that parses back to exactly the same number (or bias). */
export function formatField(field, value) {
  if (field.kind === "bias") return formatBias(value);
  return String(value);
}

export function parseSeed(text) {
  const raw = String(text ?? "").trim();
  if (!/^\d{1,16}$/.test(raw) || Number(raw) > MAX_SEED) return { error: `Seed must be a whole number from 0 to ${MAX_SEED}` };
  return { value: Number(raw) };
}

function clip(text) {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}
