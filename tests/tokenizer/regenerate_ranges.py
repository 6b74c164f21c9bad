"""Regenerate ``nexttoken/tokenizer/unicode_ranges.py`` inside Pyodide (Unicode 16.0).

Pyodide's ``unicodedata`` has the same Unicode version as the Hugging Face reference, so the
table is computed there, not in the CPython running this script.

Usage: .venv/bin/python -m tests.tokenizer.regenerate_ranges
"""
from tests.pyodide import ROOT, run_in_pyodide

TARGET = ROOT / "site_src/python/nexttoken/tokenizer/unicode_ranges.py"

SOURCE = """
import unicodedata
from nexttoken.tokenizer.charclass import render_ranges_module
result = render_ranges_module(unicodedata)
"""


def main():
    TARGET.write_text(run_in_pyodide(SOURCE), encoding="utf-8")
    print(f"wrote {TARGET.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
