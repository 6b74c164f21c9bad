"""End to end, in every engine: the built site generates exactly the greedy tokens that native
onnxruntime computes from the same ONNX file, through its service worker and the one-time
isolation reload, as a reader's first visit does."""
from export.model.onnx_runner import OnnxLM
from tests.e2e.conftest import foreign_requests
from tests.models import gpt2_tokenizer

PROMPT = "The quick brown fox"


def test_greedy_generation_matches_native_onnxruntime(tab, site_url, tiny_site):
    tab.open(site_url)
    assert tab.evaluate("typeof window.nexttoken.generate") == "function"
    info = tab.evaluate("() => window.nexttoken.load()")
    assert info["backend"] == "wasm" and info["threads"] >= 1 and info["isolated"]
    # JavaScript Promise Integration (Chromium 137+, Firefox 153 ESR here; not WebKit): the
    # JSPI build, which reads the weights from storage as it loads them.
    jspi = tab.engine != "webkit"
    assert info["ortBuild"] == ("jspi" if jspi else "wasm") and info["lazyWeights"] == jspi
    result = tab.evaluate("(p) => window.nexttoken.generate(p, {max_new_tokens: 20, temperature: 0})", PROMPT)

    expected = OnnxLM(tiny_site).greedy(gpt2_tokenizer().encode(PROMPT), 20)
    assert result["ids"] == expected
    assert result["text"] == gpt2_tokenizer().decode(expected)
    assert foreign_requests(tab, site_url) == []
    assert tab.errors == []


def test_seeded_sampling_is_reproducible(tab, site_url):
    tab.open(site_url)
    args = {"max_new_tokens": 8, "temperature": 1.0, "top_k": 50, "top_p": 0.9, "seed": 7}
    first = tab.evaluate("(a) => window.nexttoken.generate('Once upon a time', a)", args)
    second = tab.evaluate("(a) => window.nexttoken.generate('Once upon a time', a)", args)
    assert first["ids"] == second["ids"] and len(first["ids"]) == 8
    assert tab.errors == []


def test_invalid_parameters_reject_with_the_field_name(tab, site_url):
    tab.open(site_url)
    message = tab.evaluate("""() => window.nexttoken.generate('Hi', {top_p: 1.5})
        .then(() => 'resolved', (e) => e.message)""")
    assert "top_p" in message and "1.5" in message and "Traceback" not in message


def test_the_page_generates_when_the_button_is_pressed(tab, site_url):
    tab.open(site_url)
    tab.click("#playground [data-action=generate]")
    tab.wait_for_selector("[data-role=output] .new-token")
    tab.wait_for("() => document.querySelector('[data-role=status]').textContent.startsWith('Generated')")
    assert tab.count("[data-role=top] li") == 10
    assert tab.errors == []
