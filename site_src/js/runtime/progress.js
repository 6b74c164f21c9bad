// Download progress for the page: bytes done of bytes expected, and the time left at the
// average network rate so far. Bytes read from storage count as done but not towards the rate.

/** Totals in bytes; reports at most once per `intervalMs` (each report is a message to the page). */
export class Progress {
  constructor(onProgress, intervalMs = 100) {
    Object.assign(this, { onProgress, intervalMs, total: 0, loaded: 0, network: 0, started: 0, last: 0 });
  }

  expect(bytes) { this.total += bytes; }

  add(bytes, fromNetwork) {
    this.loaded += bytes;
    if (fromNetwork) {
      this.started ||= performance.now();
      this.network += bytes;
    }
    this.report(false);
  }

  /** Seconds left at the average network rate so far, or null before there is a rate. */
  secondsLeft() {
    const elapsed = (performance.now() - this.started) / 1000;
    if (!this.started || elapsed < 0.5 || this.network <= 0) return null;
    return Math.max(0, this.total - this.loaded) / (this.network / elapsed);
  }

  /** Send the totals now, or (force false) only if the last report is older than the interval. */
  report(force = true) {
    const now = performance.now();
    if (!force && now - this.last < this.intervalMs) return;
    this.last = now;
    this.onProgress?.({ loaded: this.loaded, total: this.total, seconds_left: this.secondsLeft() });
  }
}
