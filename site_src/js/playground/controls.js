// The sampler controls, built from the settings Python's SamplingParams declares (fields.js):
// a slider and a number box per numeric setting, a select per choice, a text box for token
// ids (the logit bias, DRY's breakers), a reorderable list for a custom order; group "top" beside the presets, "main" always shown, "more" under "More samplers".
import { DEFAULTS, FIELDS, ORDER_FIELD, PRESETS, formatField, matchingPreset, parseField, presetParams, rangeText } from "./fields.js";
import { el } from "./dom.js";

/**
 * Build the controls into `root`. `visible`: a Set of names to show (parameter names,
 * "presets"), or null for all. `onChange(params)` runs after every valid edit.
 * Returns {params(), set(params)}.
 */
export function buildControls(root, { idPrefix, vocab, visible, onChange }) {
  const shows = (name) => !visible || visible.has(name);
  const values = { ...DEFAULTS };
  const rows = new Map();

  const preset = el("select", { id: `${idPrefix}-preset` },
    el("option", { value: "" }, "Custom"),
    ...PRESETS.map((p) => el("option", { value: p.key }, p.label)));
  const grids = { top: el("div", { class: "pg-control-row" }), main: el("div", { class: "pg-control-grid" }),
    more: el("div", { class: "pg-control-grid" }) };
  if (shows("presets")) grids.top.append(el("div", { class: "pg-field" }, el("label", { for: preset.id }, "Preset"), preset));
  for (const spec of FIELDS) {
    const row = spec.kind === "bias" || spec.kind === "tokens" ? textRow(spec) : spec.kind === "choice" ? choiceRow(spec)
      : spec.kind === "stages" ? stagesRow(spec) : numberRow(spec);
    rows.set(spec.name, row);
    row.element.hidden = !shows(spec.name);
    grids[spec.group].append(row.element);
  }
  const shown = (group) => FIELDS.some((f) => f.group === group && shows(f.name));
  const moreBox = el("details", { class: "pg-more" }, el("summary", {}, "More samplers"), grids.more);
  moreBox.hidden = !shown("more");
  grids.main.hidden = !shown("main");
  root.append(grids.top, grids.main, moreBox);

  function ids(spec) {
    const id = `${idPrefix}-${spec.name}`;
    return { id, help: `${id}-help`, error: `${id}-error` };
  }

  // The help line, with the orders a sampler runs in when it does not run in all of them.
  function help(spec, extra = "") {
    const orders = ORDER_FIELD.choices.filter((c) => spec.orders?.includes(c.value));
    const only = spec.orders && orders.length < ORDER_FIELD.choices.length
      ? ` Runs in the ${orders.map((c) => c.label).join(" and ")} order only.` : "";
    return el("small", { id: ids(spec).help, class: "pg-help" }, `${spec.help}${extra}${only}`);
  }

  function row(spec, control, extraHelp, wide = false) {
    const error = el("span", { id: ids(spec).error, class: "pg-error", "aria-live": "polite" });
    const element = el("div", { class: wide ? "pg-field pg-wide" : "pg-field", "data-field": spec.name },
      el("label", { for: ids(spec).id }, spec.label), control, help(spec, extraHelp), error);
    // Shows a parse result: its error, or nothing. True when the value is valid.
    const report = (parsed, input) => {
      error.textContent = parsed.error ?? "";
      input.setAttribute("aria-invalid", parsed.error ? "true" : "false");
      return !parsed.error;
    };
    return { element, report };
  }

  function numberRow(spec) {
    const { id, help: helpId, error: errorId } = ids(spec);
    const number = el("input", { id, type: "number", step: String(spec.step), inputmode: "decimal",
      "aria-describedby": `${helpId} ${errorId}` });
    if (spec.min !== -Infinity) number.min = String(spec.min);
    if (spec.max !== Infinity) number.max = String(spec.max);
    const slider = el("input", { type: "range", min: String(spec.slider[0]), max: String(spec.slider[1]),
      step: String(spec.step), "aria-label": `${spec.label} slider`, "aria-describedby": helpId });
    const { element, report } = row(spec, el("div", { class: "pg-slider" }, slider, number), ` Range ${rangeText(spec)}.`);
    // While typing, only valid values apply; the error shows once the edit is done.
    const commit = (text, from, quiet = false) => {
      const parsed = parseField(spec, text);
      if (parsed.error && quiet) return;
      if (!report(parsed, number)) return;
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
      report({}, number);
    };
    return { element, show };
  }

  function choiceRow(spec) {
    const select = el("select", { id: ids(spec).id, "aria-describedby": ids(spec).help },
      ...spec.choices.map((c) => el("option", { value: String(c.value) }, c.label)));
    const { element } = row(spec, select, "");
    select.addEventListener("change", () => {
      values[spec.name] = parseField(spec, select.value).value;
      changed();
    });
    return { element, show: (value) => { select.value = formatField(spec, value); } };
  }

  function textRow(spec) {
    const input = el("input", { id: ids(spec).id, type: "text", spellcheck: "false", autocomplete: "off",
      placeholder: spec.kind === "bias" ? "id:bias, id:bias" : "id, id", "aria-describedby": `${ids(spec).help} ${ids(spec).error}` });
    const { element, report } = row(spec, input, "", true);
    input.addEventListener("change", () => {
      const parsed = parseField(spec, input.value, vocab);
      if (!report(parsed, input)) return;
      values[spec.name] = parsed.value;
      changed();
    });
    return { element, show: (value) => { input.value = formatField(spec, value); report({}, input); } };
  }

  // A custom order: the stages as a list, reordered by dragging or by each stage's up/down
  // buttons (keyboard: Tab to a button, Enter or Space; focus follows the stage).
  function stagesRow(spec) {
    const list = el("ol", { id: ids(spec).id, class: "pg-order-list", "aria-describedby": ids(spec).help });
    const { element } = row(spec, list, "", true);
    const current = () => values[spec.name] ?? spec.choices.map((c) => c.value);
    const label = (name) => spec.choices.find((c) => c.value === name)?.label ?? name;
    let dragged = null;
    function render() {
      const order = current();
      list.replaceChildren(...order.map((name, i) => {
        const up = el("button", { type: "button", "data-move": "up", "aria-label": `Move ${label(name)} up`, disabled: i === 0 }, "↑");
        const down = el("button", { type: "button", "data-move": "down", "aria-label": `Move ${label(name)} down`,
          disabled: i === order.length - 1 }, "↓");
        up.addEventListener("click", () => move(i, i - 1, "up"));
        down.addEventListener("click", () => move(i, i + 1, "down"));
        const item = el("li", { draggable: "true", "data-stage": name }, el("span", {}, label(name)), up, down);
        item.addEventListener("dragstart", (event) => { dragged = i; event.dataTransfer.setData("text/plain", name); });
        item.addEventListener("dragover", (event) => event.preventDefault());
        item.addEventListener("drop", (event) => { event.preventDefault(); if (dragged !== null) move(dragged, i); dragged = null; });
        return item;
      }));
    }
    function move(from, to, direction) {
      const order = [...current()];
      const [stage] = order.splice(from, 1);
      order.splice(to, 0, stage);
      values[spec.name] = order;
      render();
      if (direction) {
        const buttons = list.querySelectorAll(`[data-stage="${stage}"] button`);
        const target = [...buttons].find((b) => b.dataset.move === direction && !b.disabled) ?? [...buttons].find((b) => !b.disabled);
        target?.focus();
      }
      changed();
    }
    render();
    return { element, show: render };
  }

  // A sampler that does not run in the chosen order is dimmed (it still keeps its value);
  // the custom order's list shows only when the order is custom.
  function markOrder() {
    for (const spec of FIELDS) {
      const idle = spec.orders && !spec.orders.includes(values[ORDER_FIELD.name]);
      rows.get(spec.name).element.classList.toggle("pg-idle", Boolean(idle));
      if (spec.kind === "stages") rows.get(spec.name).element.hidden = Boolean(idle) || !shows(spec.name);
    }
  }

  function changed() {
    // Python refuses a custom order with another order: it is dropped when the order changes
    for (const spec of FIELDS) {
      if (spec.kind === "stages" && !spec.orders.includes(values[ORDER_FIELD.name])) values[spec.name] = null;
    }
    preset.value = matchingPreset(values) ?? "";
    markOrder();
    onChange({ ...values });
  }

  function set(params) {
    Object.assign(values, DEFAULTS, params);
    for (const [name, control] of rows) control.show(values[name]);
    preset.value = matchingPreset(values) ?? "";
    markOrder();
  }

  preset.addEventListener("change", () => {
    const params = presetParams(preset.value);
    if (!params) return;
    set(params);
    onChange({ ...values });
  });
  set({});

  return { params: () => ({ ...values }), set };
}
