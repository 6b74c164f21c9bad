"""How faithfully a quantized export reproduces float32 GPT-2's next-token distributions.

A fixed set of English texts (written for this project) is run through the float32 reference
and through the candidate; at every position both give a next-token distribution. Fidelity is
the share of positions where the two agree on the most likely token, and the mean
Kullback-Leibler divergence KL(reference || candidate) in nats. A variant is faithful enough
for the site when top-1 agreement is at least 98% and the mean KL at most 0.01 nats.
"""
from dataclasses import asdict, dataclass

import numpy as np

MIN_TOP1 = 0.98
MAX_KL = 0.01

TEXTS = (
    "The lighthouse keeper climbed the spiral stairs every evening at dusk, counting the steps "
    "aloud so that the silence of the tower would not follow him all the way to the lamp.",
    "To make bread without a recipe, start with flour, water and salt, then add yeast and patience. "
    "The dough will tell you when it is ready if you press it gently with one finger.",
    "In the spring of that year the river rose higher than anyone in the village could remember, "
    "and the ferry stopped running for almost three weeks.",
    "A good map leaves things out. It shows the roads you need and hides the thousands of details "
    "that would only get in the way of finding the station before the last train.",
    "She opened the letter, read the first line twice, and then set it face down on the kitchen "
    "table while the kettle began to whistle behind her.",
    "Most of the stars you can see on a clear night are hundreds of light years away, which means "
    "the light reaching your eyes left them before the printing press was invented.",
    "The committee will meet again on Thursday to review the budget, and members are asked to "
    "send any comments on the draft report by Tuesday afternoon.",
    "When the power went out, the children dragged every blanket in the house into the living "
    "room and built a fort that lasted long after the lights came back on.",
    "Learning a second language as an adult is slow at first, but the moment you dream in it for "
    "the first time, the years of vocabulary lists suddenly seem worth it.",
    "He had repaired bicycles in the same narrow shop for forty years, and he could tell what was "
    "wrong with one just by listening to it roll across the floor.",
)


@dataclass
class Fidelity:
    top1: float        # share of positions whose most likely token matches float32's
    kl: float          # mean KL(float32 || variant) in nats over those positions
    positions: int

    @property
    def faithful(self) -> bool:
        return self.top1 >= MIN_TOP1 and self.kl <= MAX_KL

    def as_dict(self) -> dict:
        return {**asdict(self), "faithful": self.faithful}

    @classmethod
    def from_dict(cls, data: dict) -> "Fidelity":
        return cls(top1=data["top1"], kl=data["kl"], positions=data["positions"])


def encode_texts(tokenizer_dir, max_len: int) -> list:
    """The texts as GPT-2 token ids, each cut to the model's context length."""
    from transformers import GPT2TokenizerFast

    tokenizer = GPT2TokenizerFast(vocab_file=str(tokenizer_dir / "vocab.json"),
                                  merges_file=str(tokenizer_dir / "merges.txt"))
    return [tokenizer.encode(text)[:max_len] for text in TEXTS]


def all_logits(session, ids: list) -> np.ndarray:
    """Logits [len(ids), vocab] of one prefill from an empty KV cache."""
    inputs = {i.name: i for i in session.get_inputs()}
    feeds = {"input_ids": np.array([ids], dtype=np.int64),
             "attention_mask": np.ones((1, len(ids)), dtype=np.int64),
             "position_ids": np.arange(len(ids), dtype=np.int64)[None, :]}
    for name, meta in inputs.items():
        if name.startswith("past_key_values."):
            _, heads, _, head_dim = meta.shape  # [batch, heads, past length, head dim]
            feeds[name] = np.zeros((1, heads, 0, head_dim), dtype=np.float32)
    logits = session.run(["logits"], {k: v for k, v in feeds.items() if k in inputs})[0]
    return logits[0].astype(np.float64)


def measure(reference, candidate, token_lists: list) -> Fidelity:
    """Compare two sessions position by position over ``token_lists``."""
    agree, kl, count = 0, 0.0, 0
    for ids in token_lists:
        p_log = _log_softmax(all_logits(reference, ids))
        q_log = _log_softmax(all_logits(candidate, ids))
        agree += int(np.sum(p_log.argmax(-1) == q_log.argmax(-1)))
        kl += float(np.sum(np.exp(p_log) * (p_log - q_log)))
        count += len(ids)
    return Fidelity(top1=agree / count, kl=max(kl / count, 0.0), positions=count)


def _log_softmax(logits: np.ndarray) -> np.ndarray:
    shifted = logits - logits.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def report_lines(results: dict, chosen: str, runs_as: dict = None) -> list:
    """One line per measured variant, e.g. ``int8   125.3 MB  top-1 99.1%  KL 0.0021  ok  <- chosen``,
    ending with how the variant runs when ``runs_as`` (variant -> description) says."""
    lines = []
    for variant, r in results.items():
        f = Fidelity.from_dict(r["fidelity"])
        verdict = "ok" if f.faithful else f"below the bar (top-1 >= {MIN_TOP1:.0%}, KL <= {MAX_KL})"
        mark = "  <- chosen" if variant == chosen else ""
        runs = f"  [{runs_as[variant]}]" if runs_as and variant in runs_as else ""
        lines.append(f"  {variant:<5} {r['bytes'] / 1e6:8.1f} MB  top-1 {f.top1:6.1%}  "
                     f"KL {f.kl:.2e} nats  {verdict}{mark}{runs}")
    return lines
