// The scroll-step controller: in each [data-scrolly] block, the text step crossing the
// reading line becomes active and sets its figure's controls to the step's data-state.

const READING_LINE = 0.6; // from the top of the viewport: below the sticky figure on phones

export function setupScrolly(doc, figures) {
  for (const block of doc.querySelectorAll("[data-scrolly]")) {
    const root = block.querySelector("[data-figure]");
    const steps = [...block.querySelectorAll(".step[data-state]")];
    if (!root || !steps.length) continue;
    let active = null;
    const activate = (step) => {
      if (step === active) return;
      active?.classList.remove("is-active");
      active = step;
      step.classList.add("is-active");
      figures.get(root)?.set(JSON.parse(step.dataset.state));
    };
    const observer = new IntersectionObserver((entries) => {
      for (const entry of entries) if (entry.isIntersecting) activate(entry.target);
    }, { rootMargin: `-${READING_LINE * 100}% 0px -${(1 - READING_LINE) * 100 - 1}% 0px` });
    steps.forEach((step) => observer.observe(step));
    // Focus inside a step (a link, say) activates it too, for readers who tab rather than scroll.
    steps.forEach((step) => step.addEventListener("focusin", () => activate(step)));
  }
}
