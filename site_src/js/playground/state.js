// The playground's state as URL parameters (in the hash on the playground page, in the query
// of embed.html): prompt, chosen token ids, sampling parameters, seed, bars. Reading is
// forgiving: every field is checked on its own, and a bad one is dropped (with a note) while
// the others still apply. Writing then reading gives back exactly the same state.
import { DEFAULTS, FIELDS, formatField, parseField, parseSeed } from "./fields.js";

export const MAX_PROMPT_CHARS = 50_000;
export const MAX_TOKENS = 2048;
export const MAX_TOP = 50;
export const DEFAULT_TOP = 10;

/**
 * Read state fields from URLSearchParams-style text ("a=1&b=2", with or without a leading
 * "#" or "?"). Returns {state, ignored}: state holds only the fields that were present and
 * valid; ignored lists one readable note per field that was present but invalid.
 */
export function readState(text, { vocab }) {
  const query = new URLSearchParams(String(text ?? "").replace(/^[#?]/, ""));
  const state = { params: {} };
  const ignored = [];
  const take = (name, parse) => {
    if (!query.has(name)) return;
    const result = parse(query.get(name));
    if (result.error) ignored.push(result.error);
    else return result.value;
  };
  const prompt = take("prompt", readPrompt);
  if (prompt !== undefined) state.prompt = prompt;
  const tokens = take("tokens", (raw) => readTokens(raw, vocab));
  if (tokens !== undefined) state.tokens = tokens;
  for (const field of FIELDS) {
    const value = take(field.name, (raw) => parseField(field, raw, vocab));
    if (value !== undefined) state.params[field.name] = value;
  }
  const seed = take("seed", parseSeed);
  if (seed !== undefined) state.seed = seed;
  const top = take("top", readTop);
  if (top !== undefined) state.top = top;
  return { state, ignored };
}

/** The URL text of a state (without "#"); parameters at their defaults are left out. */
export function writeState({ prompt, tokens, params, seed, top }) {
  const query = new URLSearchParams();
  if (prompt !== undefined) query.set("prompt", prompt);
  if (tokens?.length) query.set("tokens", tokens.join(","));
  for (const field of FIELDS) {
    const value = params?.[field.name];
    if (value !== undefined && formatField(field, value) !== formatField(field, DEFAULTS[field.name])) {
      query.set(field.name, formatField(field, value));
    }
  }
  if (seed !== undefined && seed !== null) query.set("seed", String(seed));
  if (top !== undefined && top !== DEFAULT_TOP) query.set("top", String(top));
  return query.toString();
}

function readPrompt(raw) {
  // A lone surrogate cannot reach the URL (it is encoded as U+FFFD), but one may be typed.
  const text = raw.toWellFormed ? raw.toWellFormed() : raw;
  if (text.length > MAX_PROMPT_CHARS) return { error: `prompt longer than ${MAX_PROMPT_CHARS.toLocaleString("en")} characters` };
  return { value: text };
}

function readTokens(raw, vocab) {
  if (raw === "") return { value: [] };
  const parts = raw.split(",");
  if (parts.length > MAX_TOKENS) return { error: `tokens: more than ${MAX_TOKENS} token ids` };
  const ids = parts.map((part) => (/^\d{1,9}$/.test(part) ? Number(part) : NaN));
  if (ids.some((id) => !(id < vocab))) return { error: `tokens must be comma-separated token ids below ${vocab}` };
  return { value: ids };
}

function readTop(raw) {
  const value = /^\d{1,3}$/.test(raw) ? Number(raw) : NaN;
  if (!(value >= 1 && value <= MAX_TOP)) return { error: `top must be a whole number from 1 to ${MAX_TOP}` };
  return { value };
}
