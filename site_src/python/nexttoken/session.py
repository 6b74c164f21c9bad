"""A playground session: the tokens so far, one cached model step per position, the choices.

The worker owns the model; a Session owns everything else. It tells the worker which ids to
run (``plan``), keeps the ``Prepared`` of the current position and of the last
``KEEP_STEPS`` chosen ones (so slider moves and recent undos never run the model again), and
picks tokens with the site's one sampler (``nexttoken.sampling``) on the full vocabulary.

A step holds the logits and their sorted ids and values: about 4 MB in CPython, as much in
Pyodide. Keeping every step of a 2,048-token session would take gigabytes, so older steps are
dropped; undoing past them asks the worker to run the model again (``plan``), which gives the
same logits.

The model sees at most ``n_ctx`` tokens. A longer prompt keeps its last ``n_ctx`` tokens;
when generation fills the window, the oldest tokens slide out and the worker runs the model
again on what is left (a "re-prefill").
"""
import math
from dataclasses import replace

from nexttoken.sampling import FixedDraw, Rng, SamplingParams, sample
from nexttoken.sampling.fast import quick
from nexttoken.sampling.carry import Carries
from nexttoken.step import Step

# When the window is full, keep this share of it, so that a re-prefill buys room for many
# more tokens instead of one.
KEEP_AFTER_SLIDE = 0.75
ALTERNATIVES = 5  # alternatives remembered for each chosen token (shown on its chip)
KEEP_STEPS = 8    # chosen tokens whose full step is kept for undo (~4 MB each)


class Session:
    """The state of one playground: history, the model window, cached steps, choices."""

    def __init__(self, tokenizer, prompt: str, n_ctx: int, seed=None):
        if not isinstance(n_ctx, int) or n_ctx < 2:
            raise ValueError(f"n_ctx must be an integer >= 2, got {n_ctx!r}")
        self.tokenizer = tokenizer
        self.prompt = prompt
        self.n_ctx = n_ctx
        ids = tokenizer.encode(prompt)
        # An empty prompt starts from <|endoftext|>, the token GPT-2 saw between documents.
        self.history = ids or [tokenizer.eos_id]
        self.prompt_len = len(self.history)
        self.start = max(0, self.prompt_len - n_ctx)  # first history index the model sees
        self.records = []       # one dict per chosen token (what its chip shows)
        self.current = None     # Step for the token after the history, once the model ran
        self._past = []         # (Step or None once dropped, start) before each choice
        self._cached = None     # (start, length) the worker's KV cache holds, or None
        self._pending = None    # what plan() asked the worker to run
        self.notices = []
        self.carries = Carries(0)  # XTC's draws and Mirostat's mu per position (carry.py)
        self.set_seed(seed)
        if self.start:
            self.notices.append(
                f"The prompt is {self.prompt_len:,} tokens long but the model sees at most "
                f"{n_ctx:,}: only its last {n_ctx:,} tokens are used.")

    # --- seeds: the k-th chosen token uses the k-th draw of Rng(seed) ---------------------

    def set_seed(self, seed):
        """Use ``seed`` (None: a fresh random one). Undo and replay keep draws in step."""
        rng = Rng(seed)
        self.seed = rng.seed
        self._rng, self._draws = rng, []
        self.carries.set_seed(self.seed)

    def _draw(self, index: int) -> float:
        while len(self._draws) <= index:
            self._draws.append(self._rng.random())
        return self._draws[index]

    # --- the model's side -----------------------------------------------------------------

    def plan(self):
        """What the worker must run for the next logits: {"reset": bool, "feed": ids}, or
        None when this position's step is cached already."""
        if self.current is not None:
            return None
        if len(self.history) - self.start > self.n_ctx:
            self._slide()
        window = len(self.history) - self.start
        if self._cached and self._cached[0] == self.start and 0 < self._cached[1] < window:
            feed, reset = self.history[self.start + self._cached[1]:], False
        else:
            feed, reset = self.history[self.start:], True
        self._pending = (self.start, window)
        return {"reset": reset, "feed": feed}

    def _slide(self):
        keep = max(1, int(self.n_ctx * KEEP_AFTER_SLIDE))
        old = self.start
        self.start = len(self.history) - keep
        self.notices.append(
            f"The context window ({self.n_ctx:,} tokens) is full: the oldest "
            f"{self.start - old:,} tokens slid out and the model re-read the last {keep:,}.")

    def observe(self, logits):
        """Store the model's answer to the last ``plan``: its logits, a list of floats or the
        quick path's view of them (``nexttoken.sampling.fast.head``)."""
        if self._pending is None:
            raise ValueError("observe() without plan(): ask plan() what to run first")
        self._cached, self._pending = self._pending, None
        self.current = Step(logits, self.history[self.start:], self.carries.at(len(self.records)))

    def forget_cache(self):
        """The worker lost its KV cache (say, a failed run): the next plan re-reads all."""
        self._cached = self._pending = None

    # --- choices --------------------------------------------------------------------------

    def choose(self, kind: str, params: SamplingParams, token=None) -> dict:
        """Append a token: "sample" (seeded draw), "greedy", or "pick" (``token``)."""
        step = self._need_step()
        if kind not in ("sample", "greedy", "pick"):
            raise ValueError(f"unknown step kind {kind!r}: use 'sample', 'greedy' or 'pick'")
        if kind == "pick":
            token = self._check_token(token)
        record = self._quick_choice(step, kind, params, token)
        if record is None:
            result = step.prepared.result(params)
            probs = result.distribution()
            if kind == "sample":
                token = sample(probs, FixedDraw(self._draw(len(self.records))))
            elif kind == "greedy":
                token = step.prepared.result(replace(params, temperature=0.0)).kept_ids()[0]
            record = self._record(step, token, kind, probs[token], result.top(ALTERNATIVES))
            self.carries.chose(result, params, token, step.prepared.carry)
            step.prepared.forget_windows()  # kept for undo: drop the per-token weights
        self._past.append((step, self.start))
        if len(self._past) > KEEP_STEPS:  # drop the oldest kept step's data, keep its window
            dropped, start = self._past[-KEEP_STEPS - 1]
            if dropped is not None:
                if dropped.is_prepared:
                    dropped.prepared.release()  # frees it now, not at the next full collection
                self._past[-KEEP_STEPS - 1] = (None, start)
        self.history.append(record["id"])
        self.records.append(record)
        self.current = None
        return record

    def _quick_choice(self, step, kind, params, token):
        """The chip without sorting the vocabulary (``nexttoken.sampling.fast.quick``: the same
        token and probabilities as the full path) for a seeded draw, a greedy step or a picked
        ``token`` (a link's replay), or None where it does not apply: the step is sorted
        already (a redraw did it), or the settings need the full path."""
        if step.is_prepared or not quick.handles(params):
            return None
        draw = FixedDraw(self._draw(len(self.records)))
        answer = quick.choose(step.logits, step.history, params, draw, quick.ALL_KEPT)
        if answer is not None and kind == "greedy":
            greedy = quick.choose(step.logits, step.history, replace(params, temperature=0.0), draw, 1)
            answer = None if greedy is None else (greedy[0], answer[1])
        if answer is None:
            return None
        drawn, kept = answer
        token = token if kind == "pick" else drawn
        self.carries.chose(None, params, token, step.carry)  # no Mirostat on this path
        return self._record(step, token, kind, dict(kept).get(token, 0.0), kept[:ALTERNATIVES])

    def _need_step(self) -> Step:
        if self.current is None:
            raise ValueError("the model has not run on this position yet: run plan() and "
                             "observe() first")
        return self.current

    def _check_token(self, token) -> int:
        n = len(self.current.logits)
        if not isinstance(token, int) or isinstance(token, bool) or not 0 <= token < n:
            raise ValueError(f"token must be a token id in [0, {n}), got {token!r}")
        return token

    def _record(self, step, token, kind, prob, top) -> dict:
        """A chip: ``prob`` is the token's final probability, ``top`` [(id, prob)] the likeliest."""
        model_prob = step.model_prob(token)
        return {
            "index": len(self.history), "id": token, "kind": kind,
            "display": self.tokenizer.display(token), "text": self.tokenizer.decode([token]),
            "prob": prob, "model_prob": model_prob,
            "surprisal": -math.log2(model_prob) if model_prob > 0 else None,
            "alternatives": [self.token_entry(i, p) for i, p in top],
        }

    def undo(self):
        """Remove the last chosen token; its step comes back from the cache, or, when it was
        dropped, from the model again (``plan`` asks for it). Returns the removed record, or
        None when only the prompt is left."""
        if not self.records:
            return None
        if self.current is not None and self.current.is_prepared:
            self.current.prepared.release()
        self.current, self.start = self._past.pop()
        self.history.pop()
        self.carries.undo()
        # The KV cache holds the removed token; re-reading the window is always correct.
        self._cached = None
        return self.records.pop()

    def release(self):
        """Free every kept step now (the session is being closed or replaced)."""
        for step in [self.current, *(step for step, _ in self._past)]:
            if step is not None and step.is_prepared:  # an unsorted step has nothing to free
                step.prepared.release()
        self.current, self._past = None, [(None, start) for _, start in self._past]

    def reset(self):
        """Back to the prompt alone (its step from the cache, or from the model again)."""
        while self.records:
            self.undo()

    # --- what the page shows ----------------------------------------------------------------

    def token_entry(self, token: int, prob=None) -> dict:
        entry = {"id": token, "display": self.tokenizer.display(token)}
        if prob is not None:
            entry["prob"] = prob
        return entry

    def chips(self, first: int = 0) -> list:
        """Chip records for history[first:]: prompt tokens, then the chosen ones."""
        out = []
        for index in range(first, len(self.history)):
            if index < self.prompt_len:
                token = self.history[index]
                out.append({"index": index, "id": token, "kind": "prompt",
                            "display": self.tokenizer.display(token),
                            "text": self.tokenizer.decode([token])})
            else:
                out.append(self.records[index - self.prompt_len])
        return out

    def take_notices(self) -> list:
        notices, self.notices = self.notices, []
        return notices
