"""One of each helper: the figures and the playground build elements and print numbers with
the same functions (site_src/js/dom.js, format.js), whose percentages match prose.py's."""
import pytest

from export.story.prose import pct
from tests.playground.page import Playground

CASES = [0.05, 0.4213, 0.0123, 0.00123, 1.0, 0.0, 0.99996, 1e-12]


@pytest.fixture(scope="module")
def pg(browser, site_url):
    playground = Playground(browser, site_url)
    yield playground
    playground.close()


def test_figures_and_playground_share_el_and_the_formats(pg):
    got = pg.evaluate("""async (cases) => {
      const url = (path) => new URL('assets/js/' + path, location.href).href;
      const figures = await import(url('figures/common.js'));
      const playground = await import(url('playground/dom.js'));
      const node = figures.el('p', {class: 'x', hidden: false, text: '<b>'}, null, 'a', false);
      return {sameEl: figures.el === playground.el, samePct: figures.pct === playground.percent,
              sameNum: figures.num === playground.count,
              pct: cases.map(figures.pct), html: node.outerHTML, count: playground.count(50257)};
    }""", CASES)
    assert got["sameEl"] and got["samePct"] and got["sameNum"]
    assert got["pct"] == [pct(p) for p in CASES] and got["pct"][0] == "5.0%"
    assert got["html"] == '<p class="x">&lt;b&gt;a</p>'
    assert got["count"] == "50,257"
