// Shared helpers for the story's figures: DOM building, number formats, controls.
// Model text always goes in with textContent (el() never parses HTML).

/** el("span", {class: "tok", text: label}, child, ...) -> a new element. */
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "text") node.textContent = value;
    else if (key === "class") node.className = value;
    else node.setAttribute(key, value === true ? "" : value);
  }
  node.append(...children);
  return node;
}

/**
 * A probability as a percentage: one decimal from 1% up, two significant digits below.
 * The same rules as export/prose.py's pct(), so prose and figures print numbers alike.
 */
export function pct(p) {
  const x = p * 100;
  if (x === 0) return "0%";
  if (x >= 1) {
    let text = x.toFixed(1);
    if (text === "100.0" && p < 1) { // show the shortfall: 99.96%, not 100%
      if (100 - x < 0.0001) return ">99.9999%";
      text = x.toFixed(-Math.floor(Math.log10(100 - x)));
    }
    return (text === "100.0" ? "100" : text) + "%";
  }
  if (x < 0.0001) return "<0.0001%";
  let text = x.toFixed(-Math.floor(Math.log10(x)) + 1);
  if (parseFloat(text) >= 1) text = x.toFixed(1);
  return text + "%";
}

/** A number with fixed decimals and a real minus sign, as prose.py's dec formats. */
export const dec = (x, places) => x.toFixed(places).replace("-", "\u2212");

/** An integer with thousands separators, as prose.py's num(). */
export const num = (n) => String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ","); // not toLocaleString: Intl's start-up costs tens of ms

/** Set a bar's length (0..1) through a CSS variable (no inline style attribute in the HTML). */
export function setBar(node, fraction) {
  node.style.setProperty("--v", String(Math.max(0, Math.min(1, fraction))));
}

/**
 * Wire the figure's server-rendered controls ([data-control] inputs) to its data.controls.
 * Returns {values, key(), set(state)}; onChange(values) runs after every change.
 */
export function bindControls(root, controls, onChange) {
  const values = {};
  const byName = {};
  for (const c of controls) {
    values[c.name] = c.default;
    byName[c.name] = c;
  }
  const inputs = [...root.querySelectorAll("[data-control]")];

  function sync(name) {
    const c = byName[name];
    for (const input of inputs.filter((i) => i.dataset.control === name)) {
      if (input.type === "range") {
        input.value = String(c.values.indexOf(values[name]));
        input.setAttribute("aria-valuetext", display(c, values[name]));
      } else if (input.type === "checkbox") {
        input.checked = values[name] === c.values[1];
      } else {
        input.checked = input.value === values[name];
      }
    }
    for (const out of root.querySelectorAll(`[data-output="${name}"]`)) out.textContent = display(c, values[name]);
  }

  for (const input of inputs) {
    input.addEventListener("input", () => {
      const c = byName[input.dataset.control];
      if (!c) return;
      if (input.type === "range") values[c.name] = c.values[Number(input.value)];
      else if (input.type === "checkbox") values[c.name] = c.values[input.checked ? 1 : 0];
      else if (input.checked) values[c.name] = input.value;
      sync(c.name);
      onChange(values);
    });
  }
  controls.forEach((c) => sync(c.name));

  return {
    values,
    /** The baked state key: the keyed controls' values joined with commas ("all" if none). */
    key() {
      const keyed = controls.filter((c) => !c.view).map((c) => values[c.name]);
      return keyed.length ? keyed.join(",") : "all";
    },
    /** Apply a scroll step's state ({name: value}); unknown names are ignored. */
    set(state) {
      for (const [name, value] of Object.entries(state)) {
        if (byName[name] && byName[name].values.includes(value)) {
          values[name] = value;
          sync(name);
        }
      }
      onChange(values);
    },
  };
}

function display(control, value) {
  const i = control.values.indexOf(value);
  return control.labels && i >= 0 ? control.labels[i] : value;
}

/** The figure's accessible summary line (a polite live region rendered by the template). */
export function announce(root, text) {
  const live = root.querySelector("[data-role=summary]");
  if (live && live.textContent !== text) live.textContent = text;
}
