"""The same tokenizer inside Pyodide (Python 3.14 in WASM), under Node and in headless Chromium.

Expected ids come from the Hugging Face reference in CPython; each interpreter is started
once and tokenizes the whole sample in one go.
"""
import json

import pytest

from tests.pyodide import run_in_chromium_pyodide, run_in_pyodide
from tests.tokenizer.corpus import CORPUS
from tests.tokenizer.reference import MERGES, PYODIDE_MERGES, PYODIDE_VOCAB, ROOT, VOCAB, hf_ids
from tests.tokenizer.strategies import sample_texts

RANGES_FILE = "/project/site_src/python/nexttoken/tokenizer/unicode_ranges.py"

SCRIPT = """
import json, unicodedata
from nexttoken.tokenizer import Tokenizer
from nexttoken.tokenizer.charclass import render_ranges_module

tok = Tokenizer.from_files({vocab!r}, {merges!r})
texts = json.loads({texts!r})
ids = [tok.encode(text) for text in texts]
with open({ranges!r}, encoding="utf-8") as f:
    ranges_file = f.read()
result = {{
    "ids": ids,
    "round_trips": sum(tok.decode(i) == t for i, t in zip(ids, texts)),
    "unicode": unicodedata.unidata_version,
    "ranges_file_is_current": {check_ranges} and render_ranges_module(unicodedata) == ranges_file,
}}
"""


@pytest.fixture(scope="module")
def sample(hf_reference):
    texts = list(CORPUS.values()) + sample_texts(200, seed=2024)
    return texts, [hf_ids(hf_reference, text) for text in texts]


def script(texts, check_ranges):
    return SCRIPT.format(vocab=PYODIDE_VOCAB, merges=PYODIDE_MERGES, texts=json.dumps(texts),
                         ranges=RANGES_FILE, check_ranges=check_ranges)


def assert_matches(result, texts, expected):
    mismatched = [text for text, ids, want in zip(texts, result["ids"], expected) if ids != want]
    assert not mismatched, f"{len(mismatched)} of {len(texts)} differ, e.g. {mismatched[:3]!r}"
    assert result["round_trips"] == len(texts)


def test_node_pyodide_matches_reference_and_regenerates_the_unicode_table(sample):
    texts, expected = sample
    # Regenerating the table here checks that unicode_ranges.py is exactly what
    # unicodedata gives in Pyodide's Python, whose Unicode version is the reference's.
    result = run_in_pyodide(script(texts, check_ranges=True))
    assert result["unicode"] == "16.0.0"
    assert result["ranges_file_is_current"]
    assert_matches(result, texts, expected)


def test_chromium_pyodide_matches_reference(sample, browser):
    texts, expected = sample
    files = [str(path.relative_to(ROOT)) for path in (VOCAB, MERGES)]
    result = run_in_chromium_pyodide(script(texts, check_ranges=False), files=files, browser=browser)
    assert_matches(result, texts, expected)
