// Drawing marbles: counts of baked draws (nexttoken's sample() with a seeded Rng) against
// the probabilities they approach. The page only replays the draws; it never samples itself.
import { announce, el, pct, setBar } from "./common.js";

export function mount(root, data) {
  const rows = [...root.querySelectorAll("[data-row]")];
  const count = root.querySelector("[data-role=count]");
  const tray = root.querySelector("[data-role=tray]");
  const expected = [...data.p, data.rest];
  const labels = [...data.labels, "everything else"];
  const buttons = [...root.querySelectorAll("[data-draw]")];
  let n = 0;

  rows.forEach((row, i) => setBar(row.querySelector(".expect"), expected[i]));

  function render() {
    const counts = new Array(rows.length).fill(0);
    for (let i = 0; i < n; i++) counts[data.draws[i][1]] += 1;
    rows.forEach((row, i) => {
      const share = n ? counts[i] / n : 0;
      row.querySelector(".val").textContent = `${counts[i]} · ${n ? pct(share) : "–"}`;
      setBar(row.querySelector(".fill"), share);
    });
    count.textContent = String(n);
    const recent = data.draws.slice(Math.max(0, n - 12), n).reverse();
    tray.replaceChildren(...recent.map(([id, r]) => el("li", {
      class: `marble${r === rows.length - 1 ? " is-rest" : ""}`,
      text: data.tokens[String(id)],
      title: r === rows.length - 1 ? "a token outside the rows above" : undefined,
    })));
    buttons.forEach((b) => { b.disabled = n >= data.total; });
    announce(root, `${n} draws. ${labels[0]}: ${counts[0]} (${n ? pct(counts[0] / n) : "none"}), probability ${pct(expected[0])}`);
  }

  const draw = (k) => { n = Math.min(data.total, n + k); render(); };
  buttons.forEach((b) => b.addEventListener("click", () => draw(Number(b.dataset.draw))));
  root.querySelector("[data-action=reset]").addEventListener("click", () => { n = 0; render(); });
  render();
  return { set(state) { if (state.n !== undefined) { n = Math.min(data.total, Number(state.n)); render(); } } };
}
