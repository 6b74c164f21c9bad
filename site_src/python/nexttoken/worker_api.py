"""The Python side of the page's engine worker: tokenize, turn logits into a choice.

The worker (site_src/js/engine/worker.js) runs the model with onnxruntime-web and hands each
step's logits here; everything about tokens and sampling happens in this package, the same
code the tests run in CPython.

Two ways in: ``start`` + ``choose`` for one-off generation, and named playground sessions
(``open``, ``plan``/``observe`` around each model run, ``choose_next``, ``undo``, ``reset``,
``warm``, ``reply``), whose state lives in ``nexttoken.session``.
"""
import json
from dataclasses import fields

from nexttoken.sampling import Rng, SamplingParams, prepare, sample
from nexttoken.sampling.carry import Carries
from nexttoken.session import Session
from nexttoken.stages import stage_summary
from nexttoken.summary import check_top, distribution_summary
from nexttoken.tokenizer import Tokenizer

PARAM_NAMES = tuple(f.name for f in fields(SamplingParams))


def _floats(logits):
    """Accept a Python sequence or, in Pyodide, a proxy of a JS Float32Array."""
    if hasattr(logits, "to_py"):
        logits = logits.to_py()
    if isinstance(logits, memoryview):
        return logits.tolist()
    return list(logits)


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


def sampling_params(values) -> SamplingParams:
    """SamplingParams from a page's object (see ``_object``): null means "the default", and
    logit_bias keys may be strings (JSON object keys always are)."""
    values = _object(values)
    unknown = sorted(set(values) - set(PARAM_NAMES))
    if unknown:
        raise ValueError(f"unknown sampling parameter {unknown[0]!r}; known: "
                         f"{', '.join(PARAM_NAMES)}")
    values = {key: value for key, value in values.items() if value is not None}
    bias = values.get("logit_bias")
    if isinstance(bias, dict):
        values["logit_bias"] = {_token_key(key): value for key, value in bias.items()}
    return SamplingParams(**values)


def _token_key(key):
    if isinstance(key, str) and key.isascii() and key.isdigit():
        return int(key)
    return key  # SamplingParams names the bad key


class Engine:
    """Tokenizer, sampling parameters and the seeded RNG of one generation."""

    def __init__(self, vocab_json: str, merges_txt: str):
        self.tokenizer = Tokenizer.from_strings(vocab_json, merges_txt)
        self.params = SamplingParams()
        self.rng = Rng(None)
        self.carries = Carries(self.rng.seed)
        self.sessions = {}

    def encode(self, text: str) -> list:
        return self.tokenizer.encode(text)

    def decode(self, ids) -> str:
        return self.tokenizer.decode(list(_plain(ids)))

    def start(self, params) -> int:
        """Validate and set the parameters for a new generation; return the seed in use."""
        params = dict(_plain(params) or {})
        self.params = SamplingParams(**params)
        self.rng = Rng(self.params.seed)
        self.carries = Carries(self.rng.seed)  # XTC's draws, Mirostat's mu (sampling/carry.py)
        return self.rng.seed

    def choose(self, logits, history, top_n: int = 10) -> dict:
        """Pick the next token from one step's logits; also report the top of the distribution."""
        # The compact result: the draw is the same as from the full distribution (its sparse
        # form skips only zeros), without building a list over the vocabulary when few are kept.
        prepared = prepare(_floats(logits), list(_plain(history)))
        carry = self.carries.at(len(self.carries.after))
        result = prepared.result(self.params, carry)
        token = sample(result, self.rng)
        self.carries.chose(result, self.params, token, carry)
        return {"id": token, "text": self.tokenizer.decode([token]),
                "top": [{"id": i, "display": self.tokenizer.display(i), "prob": p} for i, p in result.top(top_n)]}

    # --- playground sessions (see nexttoken.session) ---------------------------------------

    def open(self, name: str, prompt, n_ctx: int, params=None) -> int:
        """Start session ``name`` from ``prompt`` (replacing any of that name); return its seed.
        Next: ``plan`` says what the model must run."""
        seed = sampling_params(params).seed
        prompt = "" if prompt is None else prompt
        if not isinstance(prompt, str):
            raise ValueError(f"prompt must be text, got {type(prompt).__name__}")
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
        session = self.session(name)
        session.observe(prepare(_floats(logits), session.history[session.start:]))

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
        self.sessions.pop(name, None)

    def reply(self, name: str, params, view=None, chips: str = "none") -> dict:
        """What the page redraws: the distribution for the next token under ``params``,
        the stages when ``view["trace"]``, and the chips ("all", "last" or "none")."""
        session = self.session(name)
        params = sampling_params(params)
        view = _object(view)
        step = session.current
        out = {"length": len(session.history), "prompt_len": session.prompt_len,
               "start": session.start, "seed": session.seed, "n_ctx": session.n_ctx,
               "notices": session.take_notices()}
        if step is not None:
            out["summary"] = distribution_summary(session, step, params,
                                                  check_top(view.get("top", 10)))
            if view.get("trace"):
                out["stages"] = stage_summary(session, step, params)
        if chips == "all":
            out["chips"] = session.chips()
        elif chips == "last":
            out["chips"] = session.chips(len(session.history) - 1)
        return out
