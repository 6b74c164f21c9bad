"""embed.html inside an <iframe> on another origin (a second localhost port), set up with the
example blog page from docs/playground.md: it loads, generates, sizes itself, and takes its
configuration from its URL."""
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from export.site.server import serving
from tests.playground.page import Playground

DOCS = Path(__file__).resolve().parents[2] / "docs" / "playground.md"
PLACEHOLDER = "https://example.org/nexttoken/"


def blog_page(site_url, query):
    """The docs' example blog page, pointed at this build, plus a recorder of height messages."""
    text = DOCS.read_text(encoding="utf-8")
    section = text[text.index("### Example blog page"):]
    html = re.search(r"```html\n(.*?)```", section, re.S).group(1)
    html = re.sub(r'embed\.html\?[^"]*', f"embed.html?{query}", html)
    html = html.replace(PLACEHOLDER, site_url).replace('"https://example.org"', f'"{site_url.rstrip("/")}"')
    recorder = ('<script>window.heights = []; addEventListener("message", (e) => '
                '{ if (e.data?.type === "nexttoken:height") heights.push(e.data.height); });</script>')
    # No favicon request to the blog server: its 404 would show up as a console error.
    html = html.replace("</head>", '<link rel="icon" href="data:,">\n</head>')
    return html.replace("</body>", recorder + "</body>")


@pytest.fixture(scope="module")
def embedded(engine_browser, site_url, tmp_path_factory):
    query = ("prompt=Hello%20%3Cb%3Eworld%3C%2Fb%3E&temperature=0.5&top=5&seed=3&theme=dark&compact=1&autoload=1"
             "&controls=temperature,top_p,presets")
    blog = tmp_path_factory.mktemp("blog")
    (blog / "index.html").write_text(blog_page(site_url, query), encoding="utf-8")
    with serving(blog) as blog_url:
        pg = Playground(engine_browser, blog_url + "index.html")
        pg.frame = pg.page.in_frame("iframe[data-nexttoken]")
        pg.frame.wait_for("() => document.querySelector('[data-role=status]')?.textContent.startsWith('Ready')")
        yield pg, blog_url
        pg.close()


def test_the_embed_runs_on_another_origin_and_generates(embedded):
    pg, blog_url = embedded
    frame_origin = pg.evaluate("() => location.origin")
    assert urlsplit(blog_url).port != urlsplit(frame_origin).port
    assert pg.page.evaluate("() => { try { return frames[0].document && 'readable'; } catch { return 'blocked'; } }") == "blocked"
    # A third-party frame is not cross-origin isolated: one thread, and the page says so.
    assert not pg.evaluate("() => crossOriginIsolated") and pg.evaluate("() => window.nexttoken.info.threads") == 1
    if pg.evaluate("() => navigator.hardwareConcurrency") > 1:
        assert any(n.startswith("Running on 1 thread: this page is not cross-origin isolated") for n in pg.notices())
    pg.locator('[data-role="count"]').fill("3")
    pg.click("generate")
    assert pg.status().startswith("Generated 3 tokens")
    assert len(pg.chosen()) == 3
    assert pg.errors == []


def test_the_embed_reports_its_height_and_the_snippet_sizes_the_frame(embedded):
    pg, _ = embedded
    pg.page.wait_for("() => window.heights.length > 0")
    heights = pg.page.evaluate("() => window.heights")
    frame_height = pg.evaluate("() => Math.ceil(document.documentElement.getBoundingClientRect().height)")
    assert heights[-1] == frame_height > 200
    pg.page.wait_for(
        "(h) => document.querySelector('iframe[data-nexttoken]').style.height === h + 'px'", heights[-1])


def test_the_embed_takes_its_settings_from_the_url(embedded):
    pg, _ = embedded
    assert pg.evaluate("() => document.documentElement.dataset.theme") == "dark"
    assert pg.evaluate("() => document.querySelector('#playground').classList.contains('pg-compact')")
    assert pg.locator('[data-field="temperature"]').is_visible() and pg.param("temperature") == "0.5"
    assert pg.locator('[data-field="top_p"]').is_visible()
    assert pg.locator('[data-field="top_k"]').is_hidden() and pg.locator('[data-role="stages"]').is_hidden()
    assert pg.locator('[data-role="top"] li').count() == 5
    assert pg.locator('[data-role="prompt"]').input_value() == "Hello <b>world</b>"
    assert pg.evaluate("() => document.querySelectorAll('#playground b').length") == 0


def test_the_embed_button_offers_a_snippet_for_this_session(embedded):
    pg, _ = embedded
    pg.click("embed")
    snippet = pg.locator('[data-role="share"] textarea').input_value()
    origin = pg.evaluate("() => location.origin")
    assert f'src="{origin}/embed.html?prompt=Hello' in snippet and "tokens=" in snippet
    assert f'event.origin !== "{origin}"' in snippet and "nexttoken:height" in snippet
    full = pg.locator(".pg-open").get_attribute("href")
    assert full.startswith(f"{origin}/playground.html#prompt=Hello") and "seed=3" in full


def test_bad_embed_settings_are_ignored_one_by_one(embedded):
    pg, _ = embedded  # its page (WebKitWebDriver allows one session, so no second page)
    config = pg.evaluate("""async () => {
        const { readEmbedConfig } = await import(new URL('assets/js/playground/embed.js', document.baseURI).href);
        const c = readEmbedConfig('?theme=neon&compact=maybe&controls=top_k,rm%20-rf&autoload=1&top_p=0.5', 50257);
        return { ...c, visible: c.visible && [...c.visible] };
    }""")
    assert config["theme"] == "auto" and config["compact"] is False and config["visible"] is None
    assert config["autoload"] is True and config["state"]["params"] == {"top_p": 0.5}
    assert len(config["ignored"]) == 3


def framed(browser, site_url, tmp_path_factory, query, *, below=0):
    """The docs' blog page with the embed `below` pixels down the page (loaded eagerly)."""
    html = blog_page(site_url, query).replace('loading="lazy" ', "")
    html = html.replace("<iframe", f'<div style="height: {below}px"></div>\n<iframe', 1)
    blog = tmp_path_factory.mktemp("blog")
    (blog / "index.html").write_text(html, encoding="utf-8")
    return blog


def test_autoload_waits_until_the_frame_is_in_view(browser, site_url, tmp_path_factory):
    blog = framed(browser, site_url, tmp_path_factory, "prompt=Far%20down&autoload=1", below=5000)
    with serving(blog) as blog_url:
        pg = Playground(browser, blog_url + "index.html")
        pg.frame = pg.page.wait_for_selector("iframe[data-nexttoken]", state="attached").content_frame()
        pg.frame.wait_for_function("() => document.querySelector('[data-role=status]')?.textContent"
                                   " === 'GPT-2 loads when this playground comes into view.'", timeout=60_000)
        pg.page.wait_for_timeout(1000)
        assert pg.evaluate("() => window.nexttoken.state") == "idle"
        pg.page.locator("iframe[data-nexttoken]").scroll_into_view_if_needed()
        pg.frame.wait_for_function("() => document.querySelector('[data-role=status]').textContent.startsWith('Ready')")
        assert [c["text"] for c in pg.chips()] and pg.errors == []
        pg.close()


def test_autoload_leaves_a_long_replay_to_a_click(browser, site_url, tmp_path_factory):
    ids = [100 + i for i in range(80)]
    blog = framed(browser, site_url, tmp_path_factory, "prompt=Hi&autoload=1&tokens=" + ",".join(map(str, ids)))
    with serving(blog) as blog_url:
        pg = Playground(browser, blog_url + "index.html")
        pg.frame = pg.page.wait_for_selector("iframe[data-nexttoken]").content_frame()
        pg.frame.wait_for_function("() => document.querySelector('[data-role=status]')?.textContent.startsWith('Ready')")
        assert pg.chosen() == []
        assert "This link holds 80 chosen tokens: press Run to replay them." in pg.notices()
        assert "tokens=" + "%2C".join(map(str, ids)) in pg.locator(".pg-open").get_attribute("href")
        pg.click("run")
        assert pg.chosen() == ids and pg.errors == []
        pg.close()
