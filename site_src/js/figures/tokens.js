// A sentence as GPT-2's tokenizer cuts it: one chip per token, optionally with its id.
import { announce, bindControls, el, num } from "./common.js";

export function mount(root, data) {
  const text = root.querySelector("[data-role=text]");
  const chips = root.querySelector("[data-role=chips]");
  const count = root.querySelector("[data-role=count]");
  const controls = bindControls(root, data.controls, render);

  function render(values) {
    const sentence = data.sentences[Number(values.sentence) - 1];
    if (!sentence) return;
    const showIds = values.ids === "on";
    root.classList.toggle("show-ids", showIds);
    text.textContent = sentence.text;
    chips.replaceChildren(...sentence.labels.map((label, i) => el("li", { class: "chip" },
      el("span", { class: "chip-tok", text: label }),
      el("span", { class: "chip-id", text: String(sentence.ids[i]) }))));
    count.textContent = `${sentence.count} tokens, each one of ${num(data.vocab_size)} entries in the vocabulary.`;
    announce(root, `${sentence.count} tokens: ${sentence.labels.join(" | ")}${showIds ? `; ids ${sentence.ids.join(", ")}` : ""}`);
  }

  render(controls.values);
  return { set: controls.set };
}
