// The sampler controls: a slider and a number box per parameter (the main four shown, the
// rest under "More samplers"), the pipeline order, and the presets.
import { DEFAULTS, FIELDS, ORDERS, PRESETS, formatField, matchingPreset, parseField, presetParams, rangeText } from "./fields.js";
import { el } from "./dom.js";

/**
 * Build the controls into `root`. `visible`: a Set of names to show (parameter names,
 * "presets", "order"), or null for all. `onChange(params)` runs after every valid edit.
 * Returns {params(), set(params)}.
 */
export function buildControls(root, { idPrefix, vocab, visible, onChange }) {
  const shows = (name) => !visible || visible.has(name);
  const values = { ...DEFAULTS };
  const rows = new Map();

  const preset = el("select", { id: `${idPrefix}-preset` },
    el("option", { value: "" }, "Custom"),
    ...PRESETS.map((p) => el("option", { value: p.key }, p.label)));
  const order = el("select", { id: `${idPrefix}-order` },
    ...ORDERS.map(([key, label]) => el("option", { value: key }, label)));
  const top = el("div", { class: "pg-control-row" },
    shows("presets") ? field(`${idPrefix}-preset`, "Preset", preset) : null,
    shows("order") ? field(`${idPrefix}-order`, "Pipeline order", order,
      "Which library's order the samplers run in; it matters when temperature and truncation are both on.") : null);

  const main = el("div", { class: "pg-control-grid" });
  const more = el("div", { class: "pg-control-grid" });
  for (const spec of FIELDS) {
    const row = spec.kind === "bias" ? biasRow(spec) : numberRow(spec);
    rows.set(spec.name, row);
    if (!shows(spec.name)) row.element.hidden = true;
    (spec.group === "main" ? main : more).append(row.element);
  }
  const moreBox = el("details", { class: "pg-more" }, el("summary", {}, "More samplers"), more);
  if (![...rows.keys()].some((name) => fieldByGroup(name) === "more" && shows(name))) moreBox.hidden = true;
  if (!FIELDS.some((f) => f.group === "main" && shows(f.name))) main.hidden = true;
  root.append(top, main, moreBox);

  function field(id, label, control, help) {
    const helpId = `${id}-help`;
    if (help) control.setAttribute("aria-describedby", helpId);
    return el("div", { class: "pg-field" }, el("label", { for: id }, label), control,
      help ? el("small", { id: helpId, class: "pg-help" }, help) : null);
  }

  function numberRow(spec) {
    const id = `${idPrefix}-${spec.name}`;
    const number = el("input", { id, type: "number", step: String(spec.step), min: String(spec.min), inputmode: "decimal",
      "aria-describedby": `${id}-help ${id}-error` });
    if (spec.max !== Infinity) number.max = String(spec.max);
    const slider = el("input", { type: "range", min: String(spec.range[0]), max: String(spec.range[1]),
      step: String(spec.step), "aria-label": `${spec.label} slider`, "aria-describedby": `${id}-help` });
    const error = el("span", { id: `${id}-error`, class: "pg-error", "aria-live": "polite" });
    const element = el("div", { class: "pg-field", "data-field": spec.name },
      el("label", { for: id }, spec.label), el("div", { class: "pg-slider" }, slider, number),
      el("small", { id: `${id}-help`, class: "pg-help" }, `${spec.help} Range ${rangeText(spec)}.`), error);
    // While typing, only valid values apply; the error shows once the edit is done.
    const commit = (text, from, quiet = false) => {
      const parsed = parseField(spec, text);
      if (parsed.error && quiet) return;
      error.textContent = parsed.error ?? "";
      number.setAttribute("aria-invalid", parsed.error ? "true" : "false");
      if (parsed.error) return;
      values[spec.name] = parsed.value;
      if (from !== number) number.value = formatField(spec, parsed.value);
      if (from !== slider) slider.value = String(parsed.value);
      changed();
    };
    slider.addEventListener("input", () => commit(slider.value, slider));
    number.addEventListener("input", () => commit(number.value, number, true));
    number.addEventListener("change", () => commit(number.value, number));
    const show = (value) => {
      number.value = formatField(spec, value);
      slider.value = String(value);
      error.textContent = "";
      number.setAttribute("aria-invalid", "false");
    };
    return { element, show, inputs: [number, slider] };
  }

  function biasRow(spec) {
    const id = `${idPrefix}-${spec.name}`;
    const input = el("input", { id, type: "text", spellcheck: "false", autocomplete: "off", placeholder: "id:bias, id:bias",
      "aria-describedby": `${id}-help ${id}-error` });
    const error = el("span", { id: `${id}-error`, class: "pg-error", "aria-live": "polite" });
    const element = el("div", { class: "pg-field pg-wide", "data-field": spec.name },
      el("label", { for: id }, spec.label), input, el("small", { id: `${id}-help`, class: "pg-help" }, spec.help), error);
    input.addEventListener("change", () => {
      const parsed = parseField(spec, input.value, vocab);
      error.textContent = parsed.error ?? "";
      input.setAttribute("aria-invalid", parsed.error ? "true" : "false");
      if (parsed.error) return;
      values[spec.name] = parsed.value;
      changed();
    });
    const show = (value) => { input.value = formatField(spec, value); error.textContent = ""; };
    return { element, show, inputs: [input] };
  }

  function changed() {
    preset.value = matchingPreset(values) ?? "";
    onChange({ ...values });
  }

  function set(params) {
    Object.assign(values, DEFAULTS, params);
    for (const [name, row] of rows) row.show(values[name]);
    order.value = values.order;
    preset.value = matchingPreset(values) ?? "";
  }

  preset.addEventListener("change", () => {
    const params = presetParams(preset.value);
    if (!params) return;
    set(params);
    onChange({ ...values });
  });
  order.addEventListener("change", () => { values.order = order.value; changed(); });
  set({});

  return {
    params: () => ({ ...values }),
    set,
  };
}

function fieldByGroup(name) {
  return FIELDS.find((f) => f.name === name)?.group;
}
