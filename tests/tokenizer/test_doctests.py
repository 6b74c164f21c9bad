"""The worked examples in the tokenizer's docstrings are tests too."""
import doctest
import importlib

import pytest

MODULES = ["byte_map", "charclass", "pretokenize", "bpe", "display", "tokenizer", "__init__"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(
        "nexttoken.tokenizer" if name == "__init__" else f"nexttoken.tokenizer.{name}")
    results = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert results.failed == 0
    assert results.attempted > 0 or name == "__init__"
