"""Bake the story's figures: run the exported model on the prompts written in content/.

The figures before the playground must work before (and without) the model download, so the
build computes here what each figure's controls can show: it runs the site's ONNX file with
native onnxruntime (``OnnxLM``, reading the built site's manifest) and feeds the logits to the
real ``nexttoken`` package -- the same sampling code the page runs in Pyodide. The results go
into the page as JSON; the JavaScript only looks values up, it never re-implements a sampler.

``bake(site, chapters)`` returns ``{figure id: data}`` for every figure directive whose kind has
a baker (see ``export/figures/bakers.py``), and the model check (``check_model``): whether the weights
look trained at all. Results are cached by model, content and code.
"""
import hashlib
import json
import math
from pathlib import Path

from export.errors import BuildError
from export.paths import PACKAGE
from export.story.prose import pct
from export.story.scrolly import STRUCTURE

CACHE_VERSION = 2
# The model check: a trained GPT-2 continues the week and is far from flat after these prompts;
# random weights give every token about 1 / vocabulary (entropy close to ln of its size).
WEEK_PROMPT, WEEK_NEXT = "Monday, Tuesday, Wednesday,", " Thursday"
FLAT_PROMPTS = (WEEK_PROMPT, "The capital of France is", "Once upon a time, there was a")
MAX_ENTROPY_RATIO = 0.8   # mean entropy / ln(vocabulary) above this: flat, untrained
MIN_P_NEXT = 0.05         # " Thursday" less likely than this after the week: untrained


def figure_specs(chapters) -> list:
    """[(kind, params, where)] for every figure directive of the chapters, in order."""
    specs = []
    for chapter in chapters:
        for template, params, where in chapter.figures:
            kind = Path(template).stem
            if kind in STRUCTURE:
                continue
            specs.append((kind, dict(params), where))
    return specs


def bake(site: Path, chapters, cache_dir=None, log=print):
    """(baked data of every figure that needs some, keyed by the figure's ``id``; the model
    check, see ``check_model``)."""
    from export.figures import bakers

    specs = [s for s in figure_specs(chapters) if s[0] in bakers.BAKERS]
    _check_ids(specs)
    key = _cache_key(site, specs)
    cached = Path(cache_dir) / "bake" / f"{key}.json" if cache_dir else None
    if cached and cached.is_file():
        log(f"figures: {len(specs)} baked figures reused from {cached.parent}")
        saved = json.loads(cached.read_text())
        return saved["figures"], saved["model_check"]
    baker = Baker(site)
    check = check_model(baker)
    out = {}
    for kind, params, where in specs:
        try:
            out[params["id"]] = bakers.BAKERS[kind](baker, params)
        except ValueError as exc:  # nexttoken's and the bakers' errors name the bad value
            raise BuildError(f"{where}: figure {kind!r}: {exc}") from None
    out = json.loads(json.dumps(out))  # plain JSON types, as a cache hit would return
    if cached:
        cached.parent.mkdir(parents=True, exist_ok=True)
        cached.write_text(json.dumps({"figures": out, "model_check": check}))
    log(f"figures: baked {len(specs)} figures")
    return out, check


def check_model(b) -> dict:
    """Whether the model looks trained: {"trained", "entropy_ratio", "p_next", "reason"}.

    Random weights are recognised by two signs, each enough: the next-token distributions
    after a few everyday prompts are nearly flat (mean entropy over ln(vocabulary) above
    MAX_ENTROPY_RATIO), or " Thursday" is not likely after "Monday, Tuesday, Wednesday,".
    """
    ratios = []
    for prompt in FLAT_PROMPTS:
        probs = b.prepared(prompt).softmax()
        entropy = -math.fsum(p * math.log(p) for p in probs if p > 0)
        ratios.append(entropy / math.log(len(probs)))
    ratio = math.fsum(ratios) / len(ratios)
    p_next = b.prepared(WEEK_PROMPT).softmax()[b.tokenizer.encode(WEEK_NEXT)[0]]
    reasons = []
    if ratio > MAX_ENTROPY_RATIO:
        reasons.append(f"its next-token distributions are nearly flat (entropy {ratio:.0%} of the "
                       f"maximum, ln {len(probs):,})")
    if p_next < MIN_P_NEXT:
        reasons.append(f"it gives \"{WEEK_NEXT.strip()}\" only {pct(p_next)} after \"{WEEK_PROMPT}\"")
    return {"trained": not reasons, "entropy_ratio": round(ratio, 4), "p_next": float(f"{p_next:.4g}"),
            "reason": "; ".join(reasons)}


def _check_ids(specs):
    seen = {}
    for kind, params, where in specs:
        figure_id = params.get("id")
        if not figure_id:
            raise BuildError(f"{where}: figure {kind!r} needs an id=\"...\" (the prose and the "
                             "baked data refer to it by that name)")
        if figure_id in seen:
            raise BuildError(f"{where}: figure id {figure_id!r} is already used at "
                             f"{seen[figure_id]}; ids must be unique")
        if figure_id == "model":
            raise BuildError(f"{where}: figure id 'model' is reserved for the model's facts")
        seen[figure_id] = where


def _cache_key(site: Path, specs) -> str:
    """Everything a baked value depends on: the model files, the directives, and the code."""
    manifest = json.loads((site / "manifest.json").read_text())
    digest = hashlib.sha256()
    digest.update(json.dumps([CACHE_VERSION, manifest["model"], manifest["files"],
                              [(k, p) for k, p, _ in specs]], sort_keys=True).encode())
    code = sorted((PACKAGE / "nexttoken").rglob("*.py"))
    code += sorted(Path(__file__).parent.glob("*.py"))  # this package: the bakers
    for path in code:
        digest.update(path.read_bytes())
    return digest.hexdigest()[:20]


def model_facts(manifest: dict) -> dict:
    """What the prose may say about the model (``{{ model.vocab_size | num }}``)."""
    m = manifest["model"]
    d, layers, vocab, ctx = m["n_embd"], m["n_layer"], m["vocab_size"], m["n_ctx"]
    # GPT-2's weights: token and position embeddings, per layer two layer norms, attention
    # (qkv + output projection) and the 4x MLP, then the final layer norm; the output layer
    # shares the token embedding.
    per_layer = 2 * 2 * d + (3 * d * d + 3 * d) + (d * d + d) + (4 * d * d + 4 * d) + (4 * d * d + d)
    params = vocab * d + ctx * d + layers * per_layer + 2 * d
    return {"name": m["name"], "vocab_size": vocab, "n_ctx": ctx, "n_layer": layers,
            "n_embd": d, "params": params}


class Baker:
    """The model, the tokenizer and the sampling package, with per-prompt caches."""

    def __init__(self, site: Path):
        from export.model.onnx_runner import OnnxLM

        from nexttoken import sampling
        from nexttoken.tokenizer import Tokenizer

        self.sampling = sampling
        self.lm = OnnxLM(site)
        tokenizer = self.lm.manifest["tokenizer"]
        self.tokenizer = Tokenizer.from_files(site / tokenizer["vocab"], site / tokenizer["merges"])
        self.n_ctx = self.lm.manifest["model"]["n_ctx"]
        self._steps = {}
        self.runs = {}  # continuations already computed (bake_runs.run), by their inputs

    def encode(self, text: str) -> list:
        ids = self.tokenizer.encode(text)
        if not ids:
            raise ValueError("the prompt is empty; write prompt=\"...\"")
        return ids

    def label(self, token: int) -> str:
        return self.tokenizer.display(token)

    def logits(self, ids) -> list:
        """Next-token logits after ``ids`` (one prefill)."""
        if len(ids) >= self.n_ctx:
            raise ValueError(f"{len(ids)} tokens do not fit the model's context of {self.n_ctx}")
        self.lm.reset()
        return self.lm.step(list(ids)).tolist()

    def prepared(self, text: str, history=()):
        """``prepare()`` of the logits after ``text`` (cached per prompt)."""
        key = (text, tuple(history))
        if key not in self._steps:
            ids = self.encode(text)
            self._steps[key] = self.prepare(self.logits(ids), list(history) or ids)
        return self._steps[key]

    def prepare(self, logits, history):
        # Exact per-token sums throughout: the band index only pays off for the page's many
        # slider redraws of one step, and the bake mostly asks each step once.
        return self.sampling.prepare(logits, history, fast_above=len(logits))
