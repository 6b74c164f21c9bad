// The playground's status line, notices and buttons: they only show the controller's state
// (playground/machine.js) and what the session holds; they decide nothing.
import { el } from "./dom.js";

const ACTIONS = ["run", "sample", "greedy", "generate", "undo", "reset"];

export function createView(root, { bars }) {
  const button = (action) => root.querySelector(`[data-action="${action}"]`);
  const status = root.querySelector('[data-role="status"]');
  const notices = root.querySelector('[data-role="notices"]');
  const stop = button("stop");

  return {
    say(text) { status.textContent = text; },
    notice(text) { notices.append(el("li", {}, text)); },
    clearNotices() { notices.replaceChildren(); },
    /** state: the machine's; chosen: tokens after the prompt; loaded: the model is in memory
     *  or the session is open; edited: the prompt box differs from the session's prompt. */
    render({ state, chosen, loaded, edited }) {
      const busy = state !== "idle";
      for (const action of ACTIONS) button(action).disabled = busy;
      button("undo").disabled = busy || !chosen;
      button("reset").disabled = busy || !chosen;
      const stoppable = state === "generating" || state === "replaying";
      stop.hidden = !(stoppable || state === "stopping");
      stop.disabled = !stoppable;
      const run = button("run");
      if (!loaded) run.textContent = `Load GPT-2 (${root.dataset.downloadMb} MB) and run`;
      else run.textContent = edited ? "Run the new prompt" : "Run";
      bars.setDisabled(busy);
      root.toggleAttribute("data-busy", busy);
      root.dataset.state = state;
    },
  };
}
