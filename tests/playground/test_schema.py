"""The parameter schema drives the page: a setting declared in SamplingParams alone appears in
a scratch build's playground, with its label, help, range and URL field, and reaches the
page's Python; and the page's parser and Python's validation agree on every field's bounds."""
import json
import math
import shutil
import tomllib
from pathlib import Path

import pytest

from export.site.server import serving
from nexttoken.sampling import SamplingParams
from tests.playground.page import Playground

ROOT = Path(__file__).resolve().parents[2]
FIELDS_MODULE = "assets/js/playground/fields.js"
ANCHOR = "    logit_bias: dict = setting("
NEW_SETTING = '''    scratch_knob: float = setting(
        0.0, "Scratch knob", "A setting declared only in params.py, by a test.", low=0, high=1,
        high_open=True, slider=(0, 0.5), step=0.05, orders=("llama.cpp",))
'''


def scratch_sources(tmp: Path):
    """A copy of site_src with one more setting in params.py, and the story cut down to the
    chapter holding the playground (no figure to bake)."""
    site_src = tmp / "site_src"
    shutil.copytree(ROOT / "site_src", site_src)
    params = site_src / "python/nexttoken/sampling/params.py"
    text = params.read_text(encoding="utf-8")
    assert text.count(ANCHOR) == 1, "params.py no longer declares logit_bias with setting(...)"
    params.write_text(text.replace(ANCHOR, NEW_SETTING + ANCHOR), encoding="utf-8")

    content = tmp / "content"
    shutil.copytree(ROOT / "content", content)
    config = tomllib.loads((content / "site.toml").read_text(encoding="utf-8"))
    chapters = [c for c in config["chapters"] if "::: playground" in (content / c).read_text(encoding="utf-8")]
    lines = [f"{key} = {json.dumps(config[key])}" for key in ("title", "description", "footer")]
    lines += [f"chapters = {json.dumps(chapters)}", f"pages = {json.dumps(config['pages'])}", "[documents]"]
    lines += [f"{key} = {json.dumps(name)}" for key, name in config.get("documents", {}).items()]
    (content / "site.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return site_src, content


@pytest.fixture(scope="module")
def scratch_site(tiny_model, export_cache, tmp_path_factory, tiny_site):
    from export.site import build

    tmp = tmp_path_factory.mktemp("scratch")
    site_src, content = scratch_sources(tmp)
    patch = pytest.MonkeyPatch()
    patch.setattr(build, "SITE_SRC", site_src)
    patch.setattr(build, "CONTENT", content)
    try:
        build.build(model=str(tiny_model), out=tmp / "dist", cache_dir=export_cache, log=lambda *a: None)
    finally:
        patch.undo()
    return tmp / "dist"


def test_a_setting_declared_in_python_appears_in_the_playground_with_no_javascript_change(browser, scratch_site,
                                                                                           tiny_site):
    js = sorted(p.relative_to(scratch_site) for p in (scratch_site / "assets/js").rglob("*.js"))
    assert js and all((scratch_site / p).read_bytes() == (tiny_site / p).read_bytes() for p in js)
    manifest = json.loads((scratch_site / "manifest.json").read_text())
    assert "scratch_knob" in [f["name"] for f in manifest["sampling"]["fields"]]

    with serving(scratch_site) as url:
        pg = Playground(browser, url + "playground.html#scratch_knob=0.35")
        row = pg.locator('[data-field="scratch_knob"]')
        # In "More samplers" (the declared group), with the declared label, help and range.
        assert pg.evaluate("() => !!document.querySelector('#playground .pg-more [data-field=scratch_knob]')")
        assert row.locator("label").text_content() == "Scratch knob"
        assert row.locator(".pg-help").text_content() == ("A setting declared only in params.py, by a test. "
                                                          "Range [0, 1). Runs in the llama.cpp order only.")
        assert pg.param("scratch_knob") == "0.35"  # read from the link
        slider = row.locator("input[type=range]")
        assert (slider.get_attribute("min"), slider.get_attribute("max"), slider.get_attribute("step")) == ("0", "0.5", "0.05")
        # Dimmed in the hf order, which does not run it; active in llama.cpp's.
        assert "pg-idle" in row.get_attribute("class")
        pg.locator("#playground-order").select_option("llama.cpp")
        assert "pg-idle" not in row.get_attribute("class")
        # The parser checks the declared range.
        pg.locator(".pg-more summary").click()
        pg.set_param("scratch_knob", "1")
        assert row.locator(".pg-error").text_content() == "Scratch knob must be in [0, 1)"
        pg.set_param("scratch_knob", "0.4")
        assert row.locator(".pg-error").text_content() == ""
        pg.wait_address("scratch_knob=0.4", "order=llama.cpp")
        # The page's own Python takes it (a name it did not declare would be an error).
        pg.run()
        pg.click("sample")
        assert len(pg.chosen()) == 1 and "scratch_knob=0.4" in pg.page.url
        assert pg.errors == []
        pg.close()


def pyodide_value(text):
    """The Python value a JS number parsed from ``text`` arrives as (Pyodide: a safe integer
    becomes an int, any other number a float)."""
    value = float(text)
    return int(value) if value.is_integer() and abs(value) <= 2 ** 53 - 1 else value


def number_or_text(text):
    """A part of a list as a number if it is one (as pyodide_value), else the text itself."""
    try:
        return pyodide_value(text.strip())
    except ValueError:
        return text


def edge_texts(field):
    """Numbers at and around every bound and slider end of a numeric field."""
    points = [0, 1, -1, 0.5, 2.5, 1e308, -1e308]
    for bound in (field["min"], field["max"], *field["slider"]):
        if bound is not None:
            points += [bound, math.nextafter(bound, -math.inf), math.nextafter(bound, math.inf),
                       bound - 1, bound + 1, bound - 0.5, bound + 0.5]
    texts = {repr(float(p)) for p in points} | {str(int(p)) for p in points if float(p).is_integer()}
    return sorted(texts | {"1e999", "-1e999", "9007199254740993"})


def test_the_page_and_python_agree_on_every_fields_bounds(browser, site_url, tiny_site):
    fields = json.loads((tiny_site / "manifest.json").read_text())["sampling"]["fields"]
    cases = []
    for field in fields:
        if field["kind"] in ("real", "integer"):
            cases += [(field["name"], text) for text in edge_texts(field)]
        elif field["kind"] == "choice":
            cases += [(field["name"], str(c["value"])) for c in field["choices"]] + [(field["name"], "nope")]
        elif field["kind"] == "stages":
            names = [c["value"] for c in field["choices"]]
            cases += [(field["name"], text) for text in (",".join(names), ",".join(reversed(names)),
                                                         ",".join(names[:-1]), ",".join(names + names[:1]),
                                                         ",".join(names[:-1] + ["nope"]), "")]
        elif field["kind"] == "tokens":
            cases += [(field["name"], text) for text in ("198", "198, 25,1", "", "0", "50256", "-1", "1.5", "a", "7,,8")]
        else:
            cases += [(field["name"], text) for text in ("7:1", "7:-1e308", "7:1e309", "")]
    pg = Playground(browser, site_url + "credits.html")
    parsed = pg.evaluate("""async ([path, cases]) => {
        const { FIELDS, DEFAULTS, parseField } = await import(new URL(path, document.baseURI).href);
        const field = (name) => FIELDS.find((f) => f.name === name);
        return { defaults: DEFAULTS,
                 results: cases.map(([name, text]) => parseField(field(name), text, 50257)) };
    }""", [FIELDS_MODULE, cases])
    assert parsed["defaults"] == {f["name"]: f["default"] for f in fields}
    as_json = lambda value: list(value) if isinstance(value, tuple) else value  # noqa: E731
    assert parsed["defaults"] == {name: as_json(getattr(SamplingParams(), name)) for name in parsed["defaults"]}
    disagree = []
    for (name, text), result in zip(cases, parsed["results"]):
        field = next(f for f in fields if f["name"] == name)
        kind = field["kind"]
        if kind in ("real", "integer"):
            value = pyodide_value(text)
        elif kind == "bias":
            value = {int(k): float(v) for k, v in (pair.split(":") for pair in text.split(","))} if text else None
        elif kind == "choice":  # a choice's value as declared (mirostat's are numbers), else the text
            value = next((c["value"] for c in field["choices"] if str(c["value"]) == text), text)
        elif kind == "stages":
            value = text.split(",") if text else None
        elif kind == "tokens":  # what a JS array of the parts' numbers arrives as
            value = [number_or_text(part) for part in text.split(",")] if text else []
        else:
            value = text
        try:
            # a custom order is taken only with order="custom", which the page sets beside it
            SamplingParams(**{name: value}, **({"order": "custom"} if kind == "stages" else {}))
            python_ok = True
        except ValueError:
            python_ok = False
        if python_ok != ("value" in result):
            disagree.append((name, text, result, python_ok))
    assert disagree == []
    assert len(cases) > 200
    pg.close()
