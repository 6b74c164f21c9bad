// Page wiring: every [data-playground] element becomes a playground (see playground/).
// data-mode says which: "figure" (in the story), "page" (playground.html, whose state lives
// in the URL hash) or "embed" (embed.html, configured by its URL).
import { setupEmbed } from "./playground/embed.js";
import { mountPlayground } from "./playground/index.js";
import { readState, writeState } from "./playground/state.js";

function setupPage(root) {
  const { state, ignored } = readState(location.hash, { vocab: Number(root.dataset.vocabSize) });
  let written = location.hash;
  mountPlayground(root, {
    mode: "page", state, ignored,
    onState(current) {
      written = `#${writeState(current)}`;
      history.replaceState(null, "", written);
    },
  });
  // A link pasted into this tab changes the hash: start again from it.
  addEventListener("hashchange", () => { if (location.hash !== written) location.reload(); });
}

for (const root of document.querySelectorAll("[data-playground]")) {
  if (root.dataset.mode === "embed") setupEmbed(root);
  else if (root.dataset.mode === "page") setupPage(root);
  else mountPlayground(root, { mode: "figure" });
}
