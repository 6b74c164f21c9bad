"""Copy the latest tables into docs/benchmarks.md and README.md, between marker comments.

Only the text between ``<!-- benchmarks:start -->`` and ``<!-- benchmarks:end -->`` changes;
a file without the markers is left alone (with a warning), never rewritten.
"""
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
START, END = "<!-- benchmarks:start -->", "<!-- benchmarks:end -->"
BLOCK = re.compile(re.escape(START) + r".*?" + re.escape(END), re.S)


def replace_block(text: str, body: str) -> str:
    """``text`` with the marked block's content replaced by ``body``; ValueError without markers."""
    if not BLOCK.search(text):
        raise ValueError(f"no {START} ... {END} block")
    return BLOCK.sub(lambda _: f"{START}\n{body.strip()}\n{END}", text, count=1)


def block(table: str, command: str) -> str:
    return f"Measured with `{command}`:\n\n{table}"


def update_docs(full: str, summary: str, command: str, root: Path = ROOT) -> list:
    """Refresh docs/benchmarks.md (every table) and README.md (the summary); returns what changed."""
    changed = []
    for path, table in ((root / "docs" / "benchmarks.md", full), (root / "README.md", summary)):
        try:
            text = path.read_text(encoding="utf-8")
            path.write_text(replace_block(text, block(table, command)), encoding="utf-8")
            changed.append(path)
        except (OSError, ValueError) as exc:
            print(f"warning: {path.name} not updated ({exc})")
    return changed
