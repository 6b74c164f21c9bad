"""The Python side of the page's worker: tokenize, turn logits into a choice.

The worker (site_src/js/runtime/worker.js) runs the model with onnxruntime-web and hands each
step's logits here; everything about tokens and sampling happens in this package, the same
code the tests run in CPython.

One way in, for ``generate``, ``distribution`` and the playground alike: named sessions
(``open``, ``plan``/``observe`` around each model run, ``choose_next``, ``undo``, ``reset``,
``warm``, ``reply``, ``generated``), whose state lives in ``nexttoken.session``. Parameters
arrive as JSON text and are read by ``sampling_params``, the one parser of a page's settings.
"""
import json
from dataclasses import fields

from nexttoken.sampling import SamplingParams
from nexttoken.session import Session
from nexttoken.stages import stage_summary
from nexttoken.summary import check_top, distribution_summary
from nexttoken.tokenizer import Tokenizer

PARAM_NAMES = tuple(f.name for f in fields(SamplingParams))
SEED_LIMIT = 2 ** 64   # seeds are integers in [0, 2^64)
DEFAULT_NEW_TOKENS = 20
MAX_NEW_TOKENS = 100_000


def _plain(value):
    return value.to_py() if hasattr(value, "to_py") else value


def _object(value) -> dict:
    """A dict from a page's object, sent as JSON text (JSON keeps null as None, whereas a
    Pyodide proxy turns it into ``jsnull``) or as a dict."""
    if isinstance(value, str):
        value = json.loads(value)
    value = _plain(value) or {}
    if not isinstance(value, dict):
        raise ValueError(f"expected an object of settings, got {type(value).__name__}")
    return dict(value)


def sampling_params(values, also=()) -> SamplingParams:
    """SamplingParams from a page's object (see ``_object``): null means "the default",
    logit_bias keys may be strings (JSON object keys always are), and a seed may be a decimal
    string (how a page passes one above 2^53). ``also``: other names the caller accepts, left
    out here and listed with the known ones when a name is unknown."""
    values = _object(values)
    unknown = sorted(set(values) - set(PARAM_NAMES) - set(also))
    if unknown:
        kind = "parameter" if also else "sampling parameter"
        raise ValueError(f"unknown {kind} {unknown[0]!r}; known: "
                         f"{', '.join((*also, *PARAM_NAMES))}")
    values = {key: value for key, value in values.items()
              if value is not None and key in PARAM_NAMES}
    bias = values.get("logit_bias")
    if isinstance(bias, dict):
        values["logit_bias"] = {_token_key(key): value for key, value in bias.items()}
    if "seed" in values:
        values["seed"] = check_seed(values["seed"])
    return SamplingParams(**values)


def check_seed(seed) -> int:
    """A seed as an int in [0, 2^64), from an int or a decimal string."""
    value = seed
    if isinstance(value, str) and value.isascii() and value.isdigit():
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value < SEED_LIMIT:
        raise ValueError(f"seed must be an integer in [0, 2^64), got {seed!r}")
    return value


VIEW_NAMES = ("top", "trace", "summary")


def _view(view) -> tuple:
    """(top, trace, summary) from a page's view options; null means the default (10 bars, no
    trace, a summary). ``summary: false`` leaves the bars and stages out of the reply, and so
    the sort of the vocabulary they need: the playground's Generate asks for them only a few
    times a second (a skipped step is sorted later only if a redraw or an undo needs it)."""
    view = _object(view)
    unknown = sorted(set(view) - set(VIEW_NAMES))
    if unknown:
        raise ValueError(f"unknown view option {unknown[0]!r}; known: {', '.join(VIEW_NAMES)}")
    top, summary = view.get("top"), view.get("summary")
    return check_top(10 if top is None else top), bool(view.get("trace")), summary is None or bool(summary)


def _token_key(key):
    if isinstance(key, str) and key.isascii() and key.isdigit():
        return int(key)
    return key  # SamplingParams names the bad key


class WorkerApi:
    """The tokenizer and the named sessions of one page."""

    def __init__(self, vocab_json: str, merges_txt: str):
        self.tokenizer = Tokenizer.from_strings(vocab_json, merges_txt)
        self.sessions = {}

    def encode(self, text: str) -> list:
        return self.tokenizer.encode(text)

    def decode(self, ids) -> str:
        return self.tokenizer.decode(list(_plain(ids)))

    def generate_options(self, options) -> dict:
        """Check ``generate``'s options: {"max_new_tokens": n, "params": JSON text of the
        sampling parameters}. Unknown names fail here, before the model runs."""
        options = _object(options)
        count = options.get("max_new_tokens")
        count = DEFAULT_NEW_TOKENS if count is None else count
        if not isinstance(count, int) or isinstance(count, bool) or not 0 <= count <= MAX_NEW_TOKENS:
            raise ValueError(f"max_new_tokens must be an integer in [0, {MAX_NEW_TOKENS:,}], "
                             f"got {count!r}")
        params = {k: v for k, v in options.items() if k != "max_new_tokens"}
        sampling_params(params, also=("max_new_tokens", "onToken"))
        return {"max_new_tokens": count, "params": json.dumps(params)}

    def generated(self, name: str) -> dict:
        """What ``generate`` resolves to: the chosen ids, their text, the seed, the notices."""
        session = self.session(name)
        ids = [record["id"] for record in session.records]
        return {"ids": ids, "text": self.tokenizer.decode(ids), "seed": session.seed,
                "notices": session.take_notices()}

    # --- playground sessions (see nexttoken.session) ---------------------------------------

    def open(self, name: str, prompt, n_ctx: int, params=None) -> int:
        """Start session ``name`` from ``prompt`` (replacing any of that name); return its seed.
        Next: ``plan`` says what the model must run."""
        seed = sampling_params(params).seed
        prompt = "" if prompt is None else prompt
        if not isinstance(prompt, str):
            raise ValueError(f"prompt must be text, got {type(prompt).__name__}")
        self.close(name)
        self.sessions[name] = Session(self.tokenizer, prompt, int(n_ctx), seed)
        return self.sessions[name].seed

    def session(self, name: str) -> Session:
        try:
            return self.sessions[name]
        except KeyError:
            raise ValueError(f"no playground session {name!r}: open it first") from None

    def plan(self, name: str):
        return self.session(name).plan()

    def observe(self, name: str, logits) -> None:
        """``logits``: the runtime's ``Logits`` (runtime/logits.js), or any sequence of floats."""
        self.session(name).observe(logits)

    def warm(self, name: str) -> None:
        """Build the current step's band index now, as the reader is about to move a slider
        (the page calls this on pointerdown or focus in the controls), so that the first
        redraw is as fast as the next. Does nothing before the model has run."""
        session = self.sessions.get(name)
        if session is not None and session.current is not None:
            session.current.prepared.index()

    def forget_cache(self, name: str) -> None:
        if name in self.sessions:
            self.sessions[name].forget_cache()

    def choose_next(self, name: str, kind: str, params, token=None) -> dict:
        session = self.session(name)
        params = sampling_params(params)
        if params.seed is not None and params.seed != session.seed:
            session.set_seed(params.seed)
        return session.choose(kind, params, token)

    def undo(self, name: str):
        return self.session(name).undo()

    def reset(self, name: str) -> None:
        self.session(name).reset()

    def close(self, name: str) -> None:
        session = self.sessions.pop(name, None)
        if session is not None:
            session.release()

    def reply(self, name: str, params, view=None, chips: str = "none") -> dict:
        """What the page redraws: the distribution for the next token under ``params`` (unless
        ``view["summary"]`` is false), the stages when ``view["trace"]``, and the chips ("all",
        "last" or "none")."""
        session = self.session(name)
        params = sampling_params(params)
        top, trace, summary = _view(view)
        step = session.current if summary else None
        out = {"length": len(session.history), "prompt_len": session.prompt_len,
               "start": session.start, "seed": session.seed, "n_ctx": session.n_ctx,
               "notices": session.take_notices()}
        if step is not None:
            out["summary"] = distribution_summary(session, step, params, top)
            if trace:
                out["stages"] = stage_summary(session, step, params)
        if chips == "all":
            out["chips"] = session.chips()
        elif chips == "last":
            out["chips"] = session.chips(len(session.history) - 1)
        return out
