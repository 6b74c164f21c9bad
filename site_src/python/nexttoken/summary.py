"""What the playground draws from one step: the top tokens and the rest (stages: ``stages``).

Everything comes from the compact ``Result`` of the step's ``Prepared`` (sorted once per
model step, band-indexed; see ``nexttoken.step``): the top N tokens as bars, one "everything
else" bar holding the remaining mass, the kept count and the entropy. Their cost grows with
the number of bars and logit bands, not with the vocabulary. The distribution itself is never
truncated: sampling (``nexttoken.session``) draws from the full one.
"""
import math
from dataclasses import replace

MAX_TOP = 100          # most bars a page may ask for


def check_top(top) -> int:
    if not isinstance(top, int) or isinstance(top, bool) or not 1 <= top <= MAX_TOP:
        raise ValueError(f"top must be an integer in [1, {MAX_TOP}], got {top!r}")
    return top


def distribution_summary(session, step, params, top: int = 10) -> dict:
    """The bars for one step under ``params``: the top ``top`` tokens after the pipeline,
    then (when fewer survive) the most likely removed ones, and the mass of the rest."""
    top = check_top(top)
    prepared = step.prepared
    result = prepared.result(params)
    kept = result.top(top)
    rows = [_row(session, step, token, prob, True) for token, prob in kept]
    if result.kept <= top:
        # Every survivor is a bar already, so any other token was removed: show the most
        # likely of those (by the model's own ranking) so the reader sees what was cut.
        chosen = {token for token, _ in kept}
        for token in step.model_top(top + len(chosen)):
            if len(rows) >= top:
                break
            if token not in chosen:
                rows.append(_row(session, step, token, 0.0, False))
    shown = math.fsum(prob for _, prob in kept)
    entropy = result.entropy()
    model_entropy = step.model_entropy()
    greedy = prepared.result(replace(params, temperature=0.0)).kept_ids()[0]
    return {
        "top": rows,
        "rest": {"prob": max(0.0, 1.0 - shown), "count": result.kept - len(kept),
                 "removed": result.size - result.kept},
        "kept": result.kept, "vocab": result.size, "greedy": greedy,
        "entropy": entropy, "effective": math.exp(entropy),
        "model_entropy": model_entropy, "model_effective": math.exp(model_entropy),
    }


def _row(session, step, token, prob, kept) -> dict:
    return {"id": token, "display": session.tokenizer.display(token),
            "text": session.tokenizer.decode([token]), "prob": prob,
            "model_prob": step.model_prob(token), "logit": step.prepared.logits[token],
            "kept": kept}
