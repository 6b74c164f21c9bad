"""End to end: the built site generates, in headless Chromium, exactly the greedy tokens that
native onnxruntime computes from the same ONNX file."""
from export.onnx_runner import OnnxLM
from tests.models import gpt2_tokenizer

PROMPT = "The quick brown fox"


def test_greedy_generation_matches_native_onnxruntime(watched, site_url, tiny_site):
    page = watched.page
    page.goto(site_url)
    assert page.evaluate("typeof window.nexttoken.generate") == "function"
    info = page.evaluate("window.nexttoken.load()")
    assert info["backend"] == "wasm" and info["threads"] >= 1
    result = page.evaluate("(p) => window.nexttoken.generate(p, {max_new_tokens: 20, temperature: 0})", PROMPT)

    expected = OnnxLM(tiny_site).greedy(gpt2_tokenizer().encode(PROMPT), 20)
    assert result["ids"] == expected
    assert result["text"] == gpt2_tokenizer().decode(expected)
    assert watched.foreign_requests(site_url) == []
    assert watched.errors == []


def test_seeded_sampling_is_reproducible(watched, site_url):
    page = watched.page
    page.goto(site_url)
    args = {"max_new_tokens": 8, "temperature": 1.0, "top_k": 50, "top_p": 0.9, "seed": 7}
    first = page.evaluate("(a) => window.nexttoken.generate('Once upon a time', a)", args)
    second = page.evaluate("(a) => window.nexttoken.generate('Once upon a time', a)", args)
    assert first["ids"] == second["ids"] and len(first["ids"]) == 8
    assert watched.errors == []


def test_invalid_parameters_reject_with_the_field_name(watched, site_url):
    page = watched.page
    page.goto(site_url)
    message = page.evaluate("""() => window.nexttoken.generate('Hi', {top_p: 1.5})
        .then(() => 'resolved', (e) => e.message)""")
    assert "top_p" in message and "1.5" in message and "Traceback" not in message


def test_the_page_generates_when_the_button_is_pressed(watched, site_url):
    page = watched.page
    page.goto(site_url)
    page.get_by_role("button", name="Generate").first.click()
    page.wait_for_selector("[data-role=output] .new-token")
    # A function, not an expression: the page's CSP forbids the eval() Playwright uses for those.
    page.wait_for_function("() => document.querySelector('[data-role=status]').textContent.startsWith('Generated')")
    assert page.locator("[data-role=top] li").count() == 10
    assert watched.errors == []
