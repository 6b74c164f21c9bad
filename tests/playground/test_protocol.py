"""The page-worker protocol (site_src/js/runtime/protocol.js): every message type is documented
in its header table, handled by the real worker, and round-trips (built, cloned, checked)."""
import re
from pathlib import Path

import pytest

from tests.playground.page import Playground

PROTOCOL = Path(__file__).resolve().parents[2] / "site_src" / "js" / "runtime" / "protocol.js"

IMPORT = "const protocol = await import(new URL('assets/js/runtime/protocol.js', location.href).href);"


def header_table(kind):
    """{name: [fields]} of the header table whose first column is ``kind``."""
    rows, inside = {}, False
    for line in PROTOCOL.read_text().splitlines():
        if not line.startswith("//"):
            break
        cells = [c.strip() for c in line[2:].strip().strip("|").split("|")]
        if line.startswith(f"// | {kind}"):
            inside = True
        elif inside and len(cells) >= 2 and not cells[0].startswith("---"):
            rows[cells[0]] = [f for f in re.split(r",\s*", cells[1]) if f]
        elif inside and not line.startswith("// |"):
            inside = False
    return rows


@pytest.fixture(scope="module")
def pg(browser, site_url):
    playground = Playground(browser, site_url)
    yield playground
    playground.close()


def test_every_message_is_documented_in_the_header(pg):
    tables = pg.evaluate(f"async () => {{ {IMPORT} return {{requests: protocol.REQUESTS, events: protocol.EVENTS}}; }}")
    assert header_table("request") == tables["requests"]
    assert header_table("event") == tables["events"]


def test_messages_round_trip_and_unknown_ones_are_named(pg):
    got = pg.evaluate(f"""async () => {{
      {IMPORT}
      const out = [];
      for (const table of [protocol.REQUESTS, protocol.EVENTS]) {{
        for (const [type, names] of Object.entries(table)) {{
          const fields = Object.fromEntries(names.map((name, i) => [name, {{value: i, name}}]));
          const msg = protocol.makeMessage(table, type, 7, fields);
          const back = protocol.checkMessage(table, structuredClone(msg));
          out.push(JSON.stringify(back) === JSON.stringify({{id: 7, type, ...fields}}));
        }}
      }}
      const error = (fn) => {{ try {{ fn(); return null; }} catch (e) {{ return e.message; }} }};
      return {{ok: out, unknown: error(() => protocol.checkMessage(protocol.REQUESTS, {{type: "sample"}})),
              extra: error(() => protocol.makeMessage(protocol.REQUESTS, "undo", 1, {{session: "s", kind: "x"}}))}};
    }}""")
    assert got["ok"] and all(got["ok"])
    assert got["unknown"].startswith('unknown message type "sample"; known: load, cancel, generate, open')
    assert got["extra"] == "message undo has no field kind; its fields: session, params, view"


# Every request, in an order that works, sent to the real worker by hand; every message the
# worker sends back is checked against EVENTS.
DRIVE = IMPORT + """
  const worker = new Worker(new URL('assets/js/runtime/worker.js', location.href), {type: 'module'});
  const seen = {};
  const waiting = new Map();
  let id = 0;
  worker.onmessage = ({data}) => {
    protocol.checkMessage(protocol.EVENTS, data);
    seen[data.type] = (seen[data.type] ?? 0) + 1;
    if ((data.type === 'result' || data.type === 'error') && waiting.has(data.id)) waiting.get(data.id)(data);
  };
  const send = (type, fields) => new Promise((resolve) => {
    id += 1;
    waiting.set(id, resolve);
    worker.postMessage(protocol.makeMessage(protocol.REQUESTS, type, id, fields));
  });
  const params = {seed: 1}, view = {top: 2};
  const session = 'p';
  const replies = {
    load: await send('load', {options: {}}),
    open: await send('open', {session, prompt: 'Hello', params, view}),
    distribution: await send('distribution', {session, params, view}),
    choose: await send('choose', {session, kind: 'sample', params, view}),
    replay: await send('replay', {session, ids: [13, 14], params, view}),
    undo: await send('undo', {session, params, view}),
    reset: await send('reset', {session, params, view}),
    warm: await send('warm', {session}),
    generate: await send('generate', {prompt: 'Hello', options: {max_new_tokens: 2}}),
    close: await send('close', {session}),
    cancel: await send('cancel', {}),
    memory: await send('memory', {}),
  };
  const unknown = await new Promise((resolve) => {
    waiting.set(99, resolve);
    worker.postMessage({id: 99, type: 'sample'});
  });
  worker.terminate();
  return {replies, seen, unknown, requests: Object.keys(protocol.REQUESTS)};
"""


def test_the_worker_handles_every_request(pg):
    got = pg.evaluate(f"async () => {{ {DRIVE} }}")
    assert sorted(got["replies"]) == sorted(got["requests"])
    for type_, reply in got["replies"].items():
        assert reply["type"] == "result", (type_, reply)
    replies = got["replies"]
    assert len(replies["open"]["value"]["chips"]) == 1 and "summary" in replies["distribution"]["value"]
    assert len(replies["replay"]["value"]["chips"]) == 4 and len(replies["undo"]["value"]["chips"]) == 3
    assert len(replies["generate"]["value"]["ids"]) == 2
    assert got["seen"]["token"] == 2 and got["seen"]["chosen"] == 1
    assert replies["memory"]["value"]["python_heap_bytes"] > 10_000_000
    assert got["unknown"]["type"] == "error" and "unknown message type" in got["unknown"]["message"]
