// The one element builder of the site (figures and playground). Text always goes in as text
// nodes, never HTML: model output and user input can contain anything, including "<script>".

/** el("button", {type: "button", class: "x", text: "Label"}, child, "text", null) -> a new element.
 *  Attributes that are null, undefined or false are left out (true: present, empty);
 *  `text` sets the text content; children that are null, undefined or false are skipped. */
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    if (name === "text") node.textContent = String(value);
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}
