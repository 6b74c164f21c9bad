// Firefox ESR over WebDriver BiDi (puppeteer-core), driven by tests/engines/firefox.py: one
// JSON object per line on stdin ({id, op, ...}), one answer per line on stdout ({id, result} or
// {id, error}), and page events ({event: "error", page, text}) whenever they happen.
import readline from "node:readline";
import puppeteer from "puppeteer-core";

const [executablePath] = process.argv.slice(2);
const browser = await puppeteer.launch({
  browser: "firefox", executablePath, headless: true, protocol: "webDriverBiDi",
  defaultViewport: { width: 1280, height: 900 },
  extraPrefsFirefox: { "dom.serviceWorkers.testing.enabled": false, "browser.cache.disk.enable": false },
});
const contexts = new Map(), pages = new Map();
// puppeteer leaves some protocol promises floating (a click whose page reloads under it): their
// rejections are noise, never a reason to stop the bridge.
process.on("unhandledRejection", (e) => process.stderr.write(`firefox bridge: ignored: ${String(e?.message ?? e).split("\n")[0]}\n`));
let nextId = 1;

function send(message) {
  process.stdout.write(JSON.stringify(message) + "\n");
}

// A function from its source: the bridge runs in Node (no CSP here); puppeteer sends its text to
// the page as a BiDi script.callFunction, which the page's CSP does not govern.
function fn(source) {
  return (0, eval)(`(${source})`);
}

async function target(message) {
  const page = pages.get(message.page);
  if (!page) throw new Error(`no page ${message.page}`);
  if (!message.frame) return page;
  const handle = await page.waitForSelector(message.frame, { timeout: 60_000 });
  const frame = await handle.contentFrame();
  if (!frame) throw new Error(`${message.frame} is not a frame`);
  return frame;
}

const ops = {
  async newContext() {
    const id = nextId++;
    contexts.set(id, await browser.createBrowserContext());
    return id;
  },
  async closeContext({ context }) {
    for (const [id, page] of pages) if (page.browserContext() === contexts.get(context)) pages.delete(id);
    await contexts.get(context)?.close();
    contexts.delete(context);
  },
  async newPage({ context }) {
    const page = await contexts.get(context).newPage();
    const id = nextId++;
    pages.set(id, page);
    page.setDefaultTimeout(240_000);
    page.on("console", (m) => m.type() === "error" && send({ event: "error", page: id, text: m.text() }));
    page.on("pageerror", (e) => send({ event: "error", page: id, text: String(e?.message ?? e) }));
    page.on("response", (r) => r.status() >= 400 && send({ event: "error", page: id, text: `HTTP ${r.status()} ${r.url()}` }));
    page.on("request", (r) => send({ event: "request", page: id, text: r.url() }));
    return id;
  },
  async initScript(m) { await (await target(m)).evaluateOnNewDocument(m.source); },
  async goto(m) { await (await target(m)).goto(m.url, { waitUntil: "load" }); },
  async reload(m) { await (await target(m)).reload({ waitUntil: "load" }); },
  async url(m) { return (await target(m)).url(); },
  async evaluate(m) { return (await target(m)).evaluate(fn(m.source), m.arg ?? null); },
  async click(m) { await (await target(m)).click(m.selector, { count: m.count ?? 1 }); },
  // Key names as Playwright spells them; puppeteer's WebDriver BiDi keyboard knows " ", not "Space".
  async press(m) { await (await target(m)).keyboard.press(m.key === "Space" ? " " : m.key); },
  async viewport(m) { await (await target(m)).setViewport({ width: m.width, height: m.height }); },
  async screenshot(m) { await (await target(m)).screenshot({ path: m.path, fullPage: true }); },
  async quit() { await browser.close(); process.exit(0); },
};

readline.createInterface({ input: process.stdin }).on("line", async (line) => {
  const message = JSON.parse(line);
  try {
    const result = await ops[message.op](message);
    send({ id: message.id, result: result === undefined ? null : result });
  } catch (e) {
    send({ id: message.id, error: String(e?.message ?? e) });
  }
});
send({ ready: browser.version ? await browser.version() : "firefox" });
