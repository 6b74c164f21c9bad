// The playground page's address bar: the session's state in the hash, written with
// history.replaceState at most once per WRITE_MS, and at once when a run ends.
// Browsers limit replaceState: WebKit throws SecurityError after 100 calls in 10 s, Firefox
// has a limit of its own, Chrome drops calls over its limit silently. So writes are spaced, a
// write that throws or does not take is tried again later, and nothing here ever throws: the
// address is a copy of the session, never a reason for an action to fail.
export const WRITE_MS = 300;   // at most a few writes a second
const RETRY_MS = 2_000;        // after a refused write (WebKit's window is 10 s)

export function createAddress(write = (hash) => history.replaceState(history.state, "", hash)) {
  let wanted = location.hash;   // the hash the session wants in the address bar
  let last = -Infinity;         // when the last write happened
  let timer = null;
  let warned = false;

  function attempt() {
    clearTimeout(timer);
    timer = null;
    if (location.hash === wanted) return;
    try {
      write(wanted);
      last = performance.now();
    } catch (err) {
      if (!warned) console.warn(`nexttoken: the address bar was not updated (${err.message}); trying again`);
      warned = true;
    }
    if (location.hash !== wanted) timer = setTimeout(attempt, RETRY_MS);  // refused or dropped
  }

  return {
    /** The hash the session wants ("#..."), even when the address bar does not show it yet. */
    get wanted() { return wanted; },
    /** Ask for `hash`; written within WRITE_MS, or at once with {now: true}. */
    set(hash, { now = false } = {}) {
      wanted = hash;
      if (now) return attempt();
      if (timer === null) timer = setTimeout(attempt, Math.max(0, last + WRITE_MS - performance.now()));
    },
    /** Put the session's hash back (after the page moved to an anchor such as "#main"). */
    restore() { attempt(); },
    /** Take the address bar's hash as wanted, with no write pending: a link pasted into the
     * tab, which the page reloads into (the reload's pagehide must not put the session back). */
    adopt() {
      clearTimeout(timer);
      timer = null;
      wanted = location.hash;
    },
  };
}
