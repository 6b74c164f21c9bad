// Page wiring: every [data-playground] element becomes a playground (see playground/).
// data-mode says which: "figure" (in the story), "page" (playground.html, whose state lives
// in the URL hash) or "embed" (embed.html, configured by its URL).
import { createAddress } from "./playground/address.js";
import { setupEmbed } from "./playground/embed.js";
import { mountPlayground } from "./playground/index.js";
import { isStateText, readState, writeState } from "./playground/state.js";

function setupPage(root) {
  const { state, ignored } = readState(location.hash, { vocab: Number(root.dataset.vocabSize) });
  const address = createAddress();
  mountPlayground(root, {
    mode: "page", state, ignored,
    onState(current, { now = false } = {}) { address.set(`#${writeState(current)}`, { now }); },
  });
  addEventListener("hashchange", () => {
    if (location.hash === address.wanted) return;
    // A link pasted into this tab: start again from it. Any other anchor ("Skip to content"
    // goes to #main): the session stays, and its state goes back into the address.
    if (isStateText(location.hash)) {
      address.adopt();
      location.reload();
    } else {
      address.restore();
    }
  });
  addEventListener("pagehide", () => address.restore());
}

for (const root of document.querySelectorAll("[data-playground]")) {
  if (root.dataset.mode === "embed") setupEmbed(root);
  else if (root.dataset.mode === "page") setupPage(root);
  else mountPlayground(root, { mode: "figure" });
}
