// Definitions at a term's first use: [[term|definition]] in the story's Markdown becomes a
// button followed by the hidden definition (export/story/prose.py's define()). A click, a tap, Enter
// or Space opens it until a second press, Escape, a click elsewhere or focus leaving; a mouse
// resting on the term opens it until the pointer leaves.
const CLOSE_DELAY = 200; // ms after the mouse leaves, so it can cross to the definition
const EDGE = 8;          // px kept between a definition and the window's edges

const buttons = [...document.querySelectorAll(".define-term")];
const noteOf = (button) => document.getElementById(button.getAttribute("aria-controls"));
const isOpen = (button) => button.getAttribute("aria-expanded") === "true";

function show(button, open, { pinned = false } = {}) {
  const note = noteOf(button);
  if (open) buttons.forEach((other) => { if (other !== button && isOpen(other)) show(other, false); });
  button.setAttribute("aria-expanded", String(open));
  button.classList.toggle("is-pinned", open && pinned);
  note.hidden = !open;
  if (!open) return;
  place(note);
  if (pinned) note.scrollIntoView({ block: "nearest" }); // below the fold on a phone
}

/** Shift an open definition left (never past the left edge) if it runs off the right edge. */
function place(note) {
  note.style.setProperty("--shift", "0px");
  const box = note.getBoundingClientRect();
  const over = box.right - (document.documentElement.clientWidth - EDGE);
  note.style.setProperty("--shift", `${-Math.max(0, Math.min(over, box.left - EDGE))}px`);
}

for (const button of buttons) {
  const wrapper = button.parentElement;
  let timer = null;
  button.addEventListener("click", () => {
    const pinned = isOpen(button) && button.classList.contains("is-pinned");
    show(button, !pinned, { pinned: !pinned });
  });
  wrapper.addEventListener("pointerenter", (event) => {
    clearTimeout(timer);
    if (event.pointerType === "mouse" && !isOpen(button)) show(button, true);
  });
  wrapper.addEventListener("pointerleave", (event) => {
    if (event.pointerType !== "mouse" || button.classList.contains("is-pinned")) return;
    timer = setTimeout(() => show(button, false), CLOSE_DELAY);
  });
  wrapper.addEventListener("focusout", (event) => {
    if (isOpen(button) && !wrapper.contains(event.relatedTarget)) show(button, false);
  });
}

document.addEventListener("keydown", (event) => {
  if (event.key !== "Escape") return;
  const open = buttons.find(isOpen);
  if (!open) return;
  show(open, false);
  if (open.parentElement.contains(document.activeElement)) open.focus();
});

document.addEventListener("pointerdown", (event) => {
  const open = buttons.find(isOpen);
  if (open && !open.parentElement.contains(event.target)) show(open, false);
});
