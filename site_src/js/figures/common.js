// Shared helpers for the story's figures: DOM building, number formats, controls.
// Model text always goes in with textContent (el(), from ../dom.js, never parses HTML).

export { el } from "../dom.js";
export { dec, num, pct } from "../format.js";

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
