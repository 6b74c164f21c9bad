// The playground's controller states, and the only moves between them. One action runs at a
// time: every state but "idle" is busy (buttons and bars disabled, extra clicks ignored).
//
//   idle        waiting for the reader
//   loading     opening a session: the model's first download, then the prompt
//   stepping    one action: sample, greedy step, pick, undo, reset
//   generating  Generate N: one sampled token after another
//   replaying   picking a link's tokens, in chunks, with progress
//   stopping    Stop was pressed: the run ends after the current token or chunk
//
// Any busy state returns to "idle" when its action ends, whether it succeeded or failed.
const MOVES = {
  idle: ["loading", "stepping", "generating"],
  loading: ["replaying", "stepping", "generating", "idle"],
  stepping: ["idle"],
  generating: ["stopping", "idle"],
  replaying: ["stopping", "stepping", "generating", "idle"],  // an action on a link: replay, then act
  stopping: ["idle"],
};

export const STATES = Object.keys(MOVES);

/** A state holder that refuses moves not in the table; `onChange(state)` runs after each. */
export function createMachine(onChange) {
  let state = "idle";
  return {
    get state() { return state; },
    get busy() { return state !== "idle"; },
    /** Whether `next` is a move from here (a click in the wrong state is simply ignored). */
    can(next) { return MOVES[state].includes(next); },
    to(next) {
      if (next === state) return;
      if (!MOVES[state].includes(next)) throw new Error(`playground: no move from ${state} to ${next}`);
      state = next;
      onChange(state);
    },
  };
}
