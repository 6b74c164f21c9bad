// "Copy link" (the whole session in a URL) and "Embed" (an <iframe> snippet for any page).
import { writeState } from "./state.js";

/** The snippet a blog pastes: the iframe plus a few lines that size it to its content. */
export function embedSnippet(src, title = "GPT-2 next-token playground") {
  const origin = new URL(src).origin;
  return `<iframe src="${escapeAttribute(src)}" title="${escapeAttribute(title)}" data-nexttoken
  style="width: 100%; height: 640px; border: 0" loading="lazy" allow="clipboard-write"></iframe>
<script>
  // Resize each nexttoken iframe to the height it reports.
  addEventListener("message", (event) => {
    if (event.origin !== ${JSON.stringify(origin)} || event.data?.type !== "nexttoken:height") return;
    for (const frame of document.querySelectorAll("iframe[data-nexttoken]")) {
      if (frame.contentWindow === event.source) frame.style.height = event.data.height + "px";
    }
  });
</script>`;
}

function escapeAttribute(text) {
  return text.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;");
}

export function createShare(root, { state, mode, status }) {
  const panel = root.querySelector('[data-role="share"]');
  const label = panel.querySelector("label");
  const field = panel.querySelector("textarea");
  const copy = panel.querySelector('[data-action="copy"]');
  const close = panel.querySelector('[data-action="close-share"]');

  const pageUrl = (page) => new URL(`${page}#${writeState(state())}`, document.baseURI).href;
  const linkUrl = () => (mode === "page" ? new URL(`#${writeState(state())}`, location.href).href : pageUrl("playground.html"));
  const embedUrl = () => new URL(`embed.html?${writeState(state())}`, document.baseURI).href;

  async function show(title, text) {
    label.textContent = title;
    field.value = text;
    panel.hidden = false;
    field.focus();
    field.select();
    await copyText(text);
  }

  async function copyText(text) {
    try {
      await navigator.clipboard.writeText(text);
      status("Copied to the clipboard.");
    } catch {
      status("Select the text and copy it (the browser did not allow copying from here).");
    }
  }

  root.querySelector('[data-action="link"]').addEventListener("click", () => show("Link to this exact session", linkUrl()));
  root.querySelector('[data-action="embed"]').addEventListener("click", () => show("Paste this into your page's HTML", embedSnippet(embedUrl())));
  copy.addEventListener("click", () => copyText(field.value));
  close.addEventListener("click", () => { panel.hidden = true; });
  return { linkUrl, embedUrl };
}
