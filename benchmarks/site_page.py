"""The real page (the playground) in headless Chromium, driven as a reader drives it.

- Run: from pressing Run on a first visit to the first distribution drawn (model loaded);
- first token on screen: press "Generate" (warm: model loaded, one generation done) and time
  from the click event to the first frame after a new ``.new-token`` chip is inserted;
- generate loop: ``window.nexttoken.generate`` with greedy decoding, token to token, as seen
  on the main thread (model step + Python sampling + messages);
- main-thread long tasks (PerformanceObserver "longtask") while loading and while generating;
- peak memory: the renderer process's high-water mark (page, workers, their WASM memories),
  the main thread's JS heap, and, when cross-origin isolated, the browser's own estimate
  (``performance.measureUserAgentSpecificMemory``).
"""
from benchmarks import chromium
from benchmarks.common import summarize

PAGE = "site/playground.html"
PLAYGROUND = "[data-playground]"
TOKENS_PER_PRESS = 2  # the first token is what is timed; fewer tokens per press save time

LONGTASKS = """
window.__longtasks = [];
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) window.__longtasks.push([e.startTime, e.duration]);
}).observe({ type: "longtask", buffered: true });
"""

# Armed before each press: resolves with the times from the click event to the insertion of
# the first new .new-token chip and to the next animation frame (when it is painted).
ARM = """(selector) => {
  const root = document.querySelector(selector);
  const before = root.querySelectorAll(".new-token").length;
  window.__firstToken = new Promise((resolve) => {
    let clicked = null;
    root.querySelector("[data-action=generate]").addEventListener("click", (event) => {
      clicked = event.timeStamp;
    }, { capture: true, once: true });
    const observer = new MutationObserver(() => {
      if (clicked === null || root.querySelectorAll(".new-token").length <= before) return;
      const inserted = performance.now();
      observer.disconnect();
      requestAnimationFrame(() => resolve({ inserted: inserted - clicked, frame: performance.now() - clicked }));
    });
    observer.observe(root, { childList: true, subtree: true });
  });
}"""
IDLE = "(s) => !document.querySelector(s).hasAttribute('data-busy')"

LOOP = """async ([prompt, count]) => {
  const times = [];
  await window.nexttoken.generate(prompt, { max_new_tokens: count, temperature: 0,
                                            onToken: () => times.push(performance.now()) });
  return times.slice(1).map((t, i) => t - times[i]);
}"""

MEMORY = """async () => {
  if (!self.crossOriginIsolated || !performance.measureUserAgentSpecificMemory) return null;
  const m = await performance.measureUserAgentSpecificMemory();
  const byScope = {};
  for (const entry of m.breakdown) {
    for (const a of entry.attribution) byScope[a.scope] = (byScope[a.scope] ?? 0) + entry.bytes;
  }
  return { bytes: m.bytes, byScope };
}"""


def measure(base_url: str, prompt: str, settings) -> dict:
    """The page rows for the server at ``base_url`` (plain or isolated)."""
    # No service worker: it would make the plain server's page isolated (it adds COOP/COEP).
    # bypass_csp: the site's CSP forbids eval, which Playwright's wait_for_function uses.
    with chromium.profile(service_workers="block", bypass_csp=True) as session:
        page = session.page
        page.add_init_script(LONGTASKS)
        page.goto(base_url + PAGE)
        root = page.locator(PLAYGROUND).first
        started = page.evaluate("performance.now()")
        root.locator("[data-action=run]").click()
        page.wait_for_function("window.nexttoken.state === 'ready'")
        page.wait_for_function(IDLE, arg=PLAYGROUND)
        ready_at = page.evaluate("performance.now()")
        info = page.evaluate("window.nexttoken.info")
        root.locator("[data-role=count]").fill(str(TOKENS_PER_PRESS))
        first = [_press(page, root) for _ in range(settings.clicks + 1)][1:]  # the first press warms up
        loop = []
        for run in range(settings.decode_runs + 1):
            gaps = page.evaluate(LOOP, [prompt, settings.decode_steps + 1])
            if run:
                loop += gaps
        tasks = page.evaluate("window.__longtasks")
        heap = session.cdp.send("Runtime.getHeapUsage")
        estimate = page.evaluate(MEMORY)
        memory = chromium.renderer_memory()
        if session.errors:
            raise RuntimeError(f"the site reported errors: {session.errors[:3]}")
    rows = {
        "run_ready": summarize([ready_at - started]),
        "first_token": summarize([f["frame"] for f in first]),
        "first_token_inserted": summarize([f["inserted"] for f in first]),
        "generate_loop": summarize(loop),
        "peak_memory": summarize([memory["peak_mb"]], "MB"),
        "js_heap": summarize([heap["usedSize"] / 2**20], "MB"),
    }
    for phase, tasks_in in (("load", [t for t in tasks if t[0] < ready_at]),
                            ("generate", [t for t in tasks if t[0] >= ready_at])):
        rows[f"longtasks_{phase}"] = summarize([len(tasks_in)], "tasks")
        rows[f"longtasks_{phase}_ms"] = summarize([sum(d for _, d in tasks_in)])
    if estimate:
        rows["memory_estimate"] = summarize([estimate["bytes"] / 2**20], "MB")
    by_scope = {k: v / 2**20 for k, v in (estimate or {}).get("byScope", {}).items()}
    return {"info": info, "memory_by_scope_mb": by_scope, "rows": rows}


def _press(page, root) -> dict:
    """Press Generate once and wait until the page is idle again; returns the first-token times."""
    page.evaluate(ARM, PLAYGROUND)
    root.locator("[data-action=generate]").click()
    times = page.evaluate("window.__firstToken")
    page.wait_for_function(IDLE, arg=PLAYGROUND)
    return times
