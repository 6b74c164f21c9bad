// The page's side of one playground session: one request at a time for actions, and slider
// redraws coalesced (while one is in flight, only the latest waits), so the worker is never
// flooded and the page never waits on it.

export class SessionClient {
  constructor(api, onReply, onError) {
    this.session = api.session();
    this.onReply = onReply;
    this.onError = onError;
    this.opened = false;
    this.inFlight = false;   // a distribution redraw is being computed
    this.wanted = null;      // the latest redraw asked for while one was in flight
    this.actions = 0;        // actions running (a redraw waits for them)
    this.warmed = false;     // the worker was asked to get the current step ready
  }

  /** Ask for the distribution under new parameters; drops all but the latest while busy. */
  redraw(params, view) {
    if (!this.opened) return;
    this.wanted = { params, view };
    if (this.inFlight || this.actions) return;
    const { params: p, view: v } = this.wanted;
    this.wanted = null;
    this.inFlight = true;
    this.session.distribution(p, v)
      .then((reply) => this.onReply(reply, "distribution"), this.onError)
      .finally(() => { this.inFlight = false; this.flush(); });
  }

  /** The reader is grabbing a control: let the worker get the current step ready for fast
   *  redraws (a hint; sent at most once per step). */
  warm() {
    if (!this.opened || this.warmed) return;
    this.warmed = true;
    this.session.warm().catch(() => { this.warmed = false; });
  }

  flush() {
    if (this.wanted && !this.inFlight && !this.actions) this.redraw(this.wanted.params, this.wanted.view);
  }

  /** Run one worker call as an action: redraws wait until it is done. */
  async action(call) {
    this.actions++;
    this.warmed = false;  // an action changes the step
    try {
      return await call(this.session);
    } finally {
      this.actions--;
      this.flush();
    }
  }

  async open(prompt, params, view) {
    const reply = await this.action((s) => s.open(prompt, params, view));
    this.opened = true;
    return reply;
  }
}
