// A tiny element builder. Text always goes in as text nodes (never HTML): model output and
// user input can contain anything, including "<script>".

/** el("button", {type: "button", class: "x"}, "Label", child, null) */
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    node.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export const percent = (p) => {
  if (p === 0) return "0%";
  if (p < 0.0001) return "<0.01%";
  return `${(p * 100).toFixed(p < 0.1 ? 2 : 1)}%`;
};

export const count = (n) => n.toLocaleString("en");
