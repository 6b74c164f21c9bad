"""Playground fixtures: the tiny site on localhost, the worker's Python WorkerApi in CPython, and
a native model to compute expected answers (``browser`` comes from tests/conftest.py)."""
import pytest

from export.site.server import serving


@pytest.fixture(scope="session")
def site_url(tiny_site):
    with serving(tiny_site) as url:
        yield url


@pytest.fixture(scope="session")
def worker_api(tiny_site):
    """The worker's Python WorkerApi, in CPython, with the site's own tokenizer files."""
    from nexttoken.worker_api import WorkerApi

    model = tiny_site / "model"
    return WorkerApi((model / "vocab.json").read_text(encoding="utf-8"),
                  (model / "merges.txt").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def native(tiny_site):
    """The site's ONNX model in native onnxruntime (what the browser runs, run by Python)."""
    from export.model.onnx_runner import OnnxLM

    return OnnxLM(tiny_site)
