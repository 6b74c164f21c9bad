// Page wiring: connects each [data-playground] block to window.nexttoken (see api.js).
// All text from the model is inserted with textContent, never as HTML.

const api = window.nexttoken;

function readParams(root) {
  const params = {};
  for (const input of root.querySelectorAll("[data-param]")) {
    if (input.value === "") continue;
    params[input.dataset.param] = input.step && !input.step.includes(".") ? parseInt(input.value, 10) : parseFloat(input.value);
  }
  return params;
}

function showTop(list, top) {
  list.replaceChildren(...top.map(({ display, prob }) => {
    const item = document.createElement("li");
    const bar = document.createElement("span");
    bar.className = "bar";
    bar.style.setProperty("--p", prob);
    const label = document.createElement("span");
    label.className = "token";
    label.textContent = display;
    const value = document.createElement("span");
    value.className = "prob";
    value.textContent = `${(prob * 100).toFixed(1)}%`;
    item.append(bar, label, value);
    return item;
  }));
}

function setupPlayground(root) {
  const $ = (selector) => root.querySelector(selector);
  const status = $("[data-role=status]");
  const output = $("[data-role=output]");
  const buttons = root.querySelectorAll("button");
  const busy = (on) => buttons.forEach((b) => { b.disabled = on; });

  api.onProgress(({ stage, loaded, total }) => {
    status.textContent = total ? `Loading ${stage}: ${(loaded / 1e6).toFixed(1)} of ${(total / 1e6).toFixed(1)} MB`
      : `Loading ${stage}: ${(loaded / 1e6).toFixed(1)} MB`;
  });

  async function run(action) {
    busy(true);
    try {
      await action();
    } catch (err) {
      status.textContent = `Error: ${err.message}`;
    } finally {
      busy(false);
    }
  }

  $("[data-action=load]").addEventListener("click", () => run(async () => {
    status.textContent = "Loading…";
    const info = await api.load();
    status.textContent = `Ready: ${info.backend}, ${info.threads} thread${info.threads > 1 ? "s" : ""}.`;
  }));

  $("[data-action=generate]").addEventListener("click", () => run(async () => {
    const prompt = $("[data-role=prompt]").value;
    const count = parseInt($("[data-role=count]").value, 10) || 20;
    output.replaceChildren(document.createTextNode(prompt));
    status.textContent = api.info ? "Generating…" : "Loading the model, then generating…";
    const started = performance.now();
    const result = await api.generate(prompt, {
      ...readParams(root),
      max_new_tokens: count,
      onToken: (token) => {
        const chip = document.createElement("mark");
        chip.className = "new-token";
        chip.textContent = token.text;
        output.append(chip);
        showTop($("[data-role=top]"), token.top);
      },
    });
    const ms = (performance.now() - started) / result.ids.length;
    status.textContent = `Generated ${result.ids.length} tokens (${ms.toFixed(0)} ms per token).`;
  }));
}

document.querySelectorAll("[data-playground]").forEach(setupPlayground);
