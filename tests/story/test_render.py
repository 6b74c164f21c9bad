"""Rendering the story's Markdown: directives, scrolly blocks, math and data references."""
import re

import pytest

from export.story import prose
from export.figures.bake_runs import find_loop, repeats_phrase
from export.errors import BuildError
from export.story.render import _parse_chapter, collect_chapters, load_config, make_environment, render_chapter
from tests.models import gpt2_tokenizer
from tests.story.conftest import ROOT

DATA = {"fig": {"t": {"controls": [{"name": "temperature", "label": "T", "values": ["0.5", "1"],
                                    "default": "1"}],
                      "states": {"0.5": [{"p": [0.25, 0.0001234]}], "1": [{"p": [0.1, 0.2]}]},
                      "labels": ["␣the"]}},
        "model_facts": {"vocab_size": 50257}}


def render(text, tmp_path, context=DATA):
    path = tmp_path / "01-x.md"
    chapter = _parse_chapter(path, text)
    return render_chapter(make_environment(ROOT / "site_src" / "templates"), chapter, dict(context))


def test_percentages_follow_one_rule():
    cases = {0.4213: "42.1%", 0.0123: "1.2%", 0.00123: "0.12%", 0.0000123: "0.0012%", 1.0: "100%",
             0.0: "0%", 0.99996: "99.996%", 1e-12: "<0.0001%", 0.9999999999: ">99.9999%"}
    assert {p: prose.pct(p) for p in cases} == cases
    assert prose.num(50257) == "50,257" and prose.millions(124439808) == "124 million"


def test_references_render_as_checkable_spans(tmp_path):
    html = render("# X\n\nTop: {{ t.states[0.5].0.p.0 | pct }}, tail {{ t.states[0.5].0.p.1 | pct }}, "
                  "vocab {{ model.vocab_size | num }}, token {{ t.labels.0 | tok }}.\n", tmp_path)
    assert 'data-path="t.states[0.5].0.p.0" data-format="pct" data-value="0.25">25.0%</span>' in html
    assert ">0.012%</span>" in html and ">50,257</span>" in html
    assert 'class="datum tok"' in html and ">␣the</span>" in html


@pytest.mark.parametrize("ref, message", [
    ("{{ t.states[2].0.p.0 }}", "has no '2'"),
    ("{{ nope.x }}", "has no 'nope'"),
    ("{{ t.states[1].0.p.0 | wow }}", "unknown format"),
])
def test_bad_references_fail_with_the_path(ref, message, tmp_path):
    with pytest.raises(BuildError, match=message) as err:
        render(f"# X\n\n{ref}\n", tmp_path)
    assert "01-x.md" in str(err.value) and "\n" not in str(err.value)


def test_math_becomes_mathml_and_survives_markdown(tmp_path):
    html = render("# X\n\nInline $p_i$ and a_b_c.\n\n$$p_i = \\frac{e^{z_i}}{\\sum_j e^{z_j}}$$\n", tmp_path)
    assert '<math xmlns="http://www.w3.org/1998/Math/MathML" display="inline">' in html
    assert '<math xmlns="http://www.w3.org/1998/Math/MathML" display="block">' in html
    assert "<mfrac>" in html and "<p><math" not in html.split("display=\"block\"")[0][-20:]


def test_scrolly_blocks_wrap_the_figure_and_steps(tmp_path):
    text = ('# X\n\n::: scrolly tokens id="t"\n\n::: step temperature=0.50\nFirst.\n\n'
            '::: step temperature=1\nSecond.\n\n::: end\n\nAfter.\n')
    html = render(text, tmp_path, {**DATA, "fig": {**DATA["fig"], "t": {**DATA["fig"]["t"], "kind": "tokens",
        "sentences": [{"text": "a", "count": 1, "ids": [64], "labels": ["a"]}], "vocab_size": 50257,
        "controls": DATA["fig"]["t"]["controls"]}}})
    assert html.index('class="scrolly"') < html.index('data-figure="tokens"') < html.index('class="scrolly-steps"')
    assert html.count('class="step"') == 2 and 'data-state="{&quot;temperature&quot;: &quot;0.5&quot;}"' in html
    assert html.index("Second.") < html.index("After.")


@pytest.mark.parametrize("text, message", [
    ("::: step a=1\n", "outside a scrolly block"),
    ('::: scrolly tokens id="t"\n\n::: step a=1\nx\n', "never closed"),
    ('::: scrolly tokens id="t"\n\nText first.\n\n::: step a=1\nx\n\n::: end\n', "right after"),
    ("::: end\n", "without a"),
])
def test_malformed_scrolly_blocks_fail_clearly(text, message, tmp_path):
    with pytest.raises(BuildError, match=message):
        _parse_chapter(tmp_path / "01-x.md", "# X\n\n" + text)


def test_a_step_must_name_a_control_value(tmp_path):
    text = '# X\n\n::: scrolly tokens id="t"\n\n::: step temperature=0.7\nx\n\n::: end\n'
    with pytest.raises(BuildError, match="not one of the figure's values"):
        render(text, tmp_path)


def test_loops_are_found_at_their_earliest_start():
    assert find_loop([5, 1, 2, 3, 1, 2, 3, 1, 2, 3, 1]) == {"start": 1, "period": 3}
    assert find_loop([9, 8] + [7] * 8) == {"start": 2, "period": 1}
    assert find_loop([1, 2, 3, 4]) is None
    # a short stutter ("the the", ", and, and") is no loop: it must cover 8 tokens
    assert find_loop([1, 2, 3, 7, 7]) is None and find_loop([1, 2, 5, 6, 5, 6]) is None


PROSE = ("The river runs through the old town, past the market and the church, and then out "
         "into the fields, where farmers have grown wheat and barley for as long as anyone can "
         "remember. In the spring the water rises, and the children of the town watch it from "
         "the bridge, counting the branches that the current carries down from the hills.")
STUCK = ("I'm not sure if I'll ever be able to walk with my dog. I'm not sure if I'll ever be "
         "able to walk with my dog. I'm not sure if I'll ever be able to walk with my dog.")


def test_repetition_separates_a_stuck_text_from_ordinary_prose():
    tokenizer = gpt2_tokenizer()

    def shares(text):
        ids = tokenizer.encode(text)
        phrase = sum(repeats_phrase(ids[:i], ids[i]) for i in range(1, len(ids))) / (len(ids) - 1)
        token = sum(ids[i] in ids[:i] for i in range(1, len(ids))) / (len(ids) - 1)
        return phrase, token
    prose, stuck = shares(PROSE), shares(STUCK)
    assert prose[0] == 0 and stuck[0] > 0.5          # phrases: none against most of the last two thirds
    assert prose[1] > 0.25                           # a reused-token count would call prose stuck
    assert find_loop(tokenizer.encode(STUCK)) is not None and find_loop(tokenizer.encode(PROSE)) is None


def test_every_chapter_of_the_story_renders(story_site):
    config = load_config(ROOT / "content")
    chapters = collect_chapters(ROOT / "content", config)
    html = (story_site / "index.html").read_text(encoding="utf-8")
    assert len(chapters) >= 8
    for chapter in chapters:
        assert f'<section class="chapter" id="{chapter.slug}">' in html, chapter.slug
        assert chapter.title.replace("'", "&#39;").split(":")[0] in html, chapter.title
    assert "data-playground" in html.split(f'id="{chapters[-1].slug}"')[1]  # the last chapter
    assert "NTFIGURE" not in html and "NTSPAN" not in html and "{{" not in html


CLAIMED = ("# X\n\nThe cooler state is more peaked: {{ t.states[0.5].0.p.0 | pct }}.\n"
           "<!-- claim: {claim} -->\n\nMore text.\n")


@pytest.mark.parametrize("claim", [
    "t.states[0.5].0.p.0 > t.states[1].0.p.0",
    "t.states[1].0.p.1 == 2 * t.states[1].0.p.0 and model.vocab_size >= 50257",
    "(t.states[0.5].0.p.0 - 0.05) / 2 >= 0.1 or t.labels.0 == null",
    "t.labels.0 != null",
])
def test_a_true_claim_passes_and_never_reaches_the_page(claim, tmp_path):
    html = render(CLAIMED.replace("{claim}", claim), tmp_path)
    assert "claim" not in html and "More text." in html


def test_a_false_claim_fails_the_build_naming_file_and_line(tmp_path):
    with pytest.raises(BuildError, match=r"01-x\.md:4: claim does not hold") as err:
        render(CLAIMED.replace("{claim}", "t.states[0.5].0.p.0 < t.states[1].0.p.0"), tmp_path)
    assert "t.states[0.5].0.p.0 = 0.25" in str(err.value)


def test_on_an_untrained_model_a_false_claim_is_a_warning(tmp_path):
    context = {**DATA, "untrained": {"reason": "flat"}, "warnings": []}
    html = render(CLAIMED.replace("{claim}", "t.states[0.5].0.p.0 < 0.1"), tmp_path, context)
    assert "More text." in html and len(context["warnings"]) == 1
    assert context["warnings"][0].startswith("warning: ") and "01-x.md:4" in context["warnings"][0]


@pytest.mark.parametrize("claim, message", [
    ("__import__('os').system('true') == 0", "cannot read"),
    ("t.states[9].0.kept < 1", "has no '9'"),
    ("t.labels.0 < 3", "not numbers"),
    ("t.states[1].0.p.0", "compares two values"),
])
def test_claims_are_parsed_not_evaluated_as_code(claim, message, tmp_path):
    with pytest.raises(BuildError, match=message):
        render(CLAIMED.replace("{claim}", claim), tmp_path)


MAX_MAIN_PATH_WORDS = 2300  # about ten minutes at 230 words a minute, before any figure


def prose_words(markdown_text: str) -> int:
    """Words a reader meets on the main path: no "more" boxes (<details>), definitions (only
    their terms: [[term|definition]]), claims, directive lines, display math or link targets;
    a data reference or inline math counts as one word."""
    text = re.sub(r"<details.*?</details>", " ", markdown_text, flags=re.S)
    text = re.sub(r"\[\[([^|\[\]]+)\|[^|\[\]]+\]\]", r"\1", text)
    text = re.sub(r"<!--.*?-->", " ", text, flags=re.S)
    text = re.sub(r"^:::.*$", " ", text, flags=re.M)
    text = re.sub(r"\$\$.+?\$\$", " ", text, flags=re.S)
    text = re.sub(r"\{\{.*?\}\}|\$[^$\n]+\$", " X ", text)
    text = re.sub(r"\]\([^)]*\)", "]", text)
    return len(re.findall(r"[A-Za-z0-9][\w'’.,-]*", text))


def test_the_main_path_reads_in_ten_minutes():
    assert prose_words("# Top-k\n\nKeep the $k$ best, {{ a.b | pct }} [here](x.html).\n"
                       "<!-- claim: a < b -->\n::: end\n<details>\nmore words\n</details>\n"
                       "A [[*seed*|hidden until asked\nfor]].\n") == 9
    config = load_config(ROOT / "content")
    counts = {name: prose_words((ROOT / "content" / name).read_text(encoding="utf-8"))
              for name in config["chapters"]}
    assert sum(counts.values()) <= MAX_MAIN_PATH_WORDS, counts
