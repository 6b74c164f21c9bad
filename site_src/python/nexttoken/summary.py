"""What the playground draws from one step: the top tokens, the rest, and the stages.

Everything is computed from the full distribution over the vocabulary (``Prepared.result``):
the page shows the top N tokens as bars and one "everything else" bar holding the remaining
mass, but it never truncates a distribution before sampling.
"""
import heapq
import math
from dataclasses import replace

MAX_TOP = 100          # most bars a page may ask for
STAGE_EXAMPLES = 5     # removed tokens named per stage
STAGE_TOP = 5          # survivors shown per stage


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
    logits, base = prepared.logits, prepared.softmax()
    kept = result.top(top)
    rows = [_row(session, token, prob, logits, base, True) for token, prob in kept]
    if result.kept <= top:
        # Every survivor is a bar already, so any other token was removed: show the most
        # likely of those (by the model's own ranking) so the reader sees what was cut.
        chosen = {token for token, _ in kept}
        for token in step.model_top(top + len(chosen)):
            if len(rows) >= top:
                break
            if token not in chosen:
                rows.append(_row(session, token, 0.0, logits, base, False))
    shown = math.fsum(prob for _, prob in kept)
    entropy = result.entropy()
    model_entropy = step.model_entropy()
    greedy = prepared.result(_greedy(params)).kept_ids()[0]
    return {
        "top": rows,
        "rest": {"prob": max(0.0, 1.0 - shown), "count": result.kept - len(kept),
                 "removed": result.size - result.kept},
        "kept": result.kept, "vocab": result.size, "greedy": greedy,
        "entropy": entropy, "effective": math.exp(entropy),
        "model_entropy": model_entropy, "model_effective": math.exp(model_entropy),
    }


def _greedy(params):
    return replace(params, temperature=0.0)


def _row(session, token, prob, logits, base, kept) -> dict:
    return {"id": token, "display": session.tokenizer.display(token),
            "text": session.tokenizer.decode([token]), "prob": prob,
            "model_prob": base[token], "logit": logits[token], "kept": kept}


def stage_summary(session, step, params) -> list:
    """One entry per active stage of the chain, from ``Prepared.trace``: what it removed
    (count, mass, the most likely examples), how many survive, and the survivors' new
    probabilities (the removed mass is shared out by renormalising)."""
    prepared = step.prepared
    before = None  # the model's own distribution, before the first stage
    stages = []
    for stage in prepared.trace(params):
        after = stage.result
        if before is None:
            removed_mass, examples = _removed_from(prepared.softmax(), after, stage.removed)
        else:
            removed_mass, examples = _removed(before, after, stage.removed)
        stages.append({
            "name": stage.name,
            "removed": len(stage.removed), "removed_mass": removed_mass,
            "examples": [session.token_entry(i, p) for i, p in examples],
            "kept_before": before.kept if before else after.size, "kept": after.kept,
            "top": [session.token_entry(i, p) for i, p in after.top(STAGE_TOP)],
            "entropy": after.entropy(),
        })
        before = after
    return stages


def _removed(before, after, removed) -> tuple:
    """(probability mass of the removed tokens before the stage, [(id, p)] of the likeliest)."""
    if not removed:
        return 0.0, []
    kept = after.kept
    if kept < before.kept and after.kept_ids() == before.kept_ids()[:kept]:
        # A truncation that kept the head of the ranking (top-k, top-p, min-p, ...): the sums
        # cost O(kept) instead of a pass over the whole vocabulary.
        probs = before.probabilities(min(before.kept, kept + STAGE_EXAMPLES))
        mass = max(0.0, 1.0 - math.fsum(probs[:kept]))
        return mass, list(zip(before.kept_ids()[kept:kept + STAGE_EXAMPLES], probs[kept:]))
    return _removed_from(before.distribution(), after, removed)


def _removed_from(probs, after, removed) -> tuple:
    """The same from a full distribution, summing over the smaller of removed and kept."""
    if not removed:
        return 0.0, []
    if len(removed) > after.kept:
        mass = max(0.0, 1.0 - math.fsum(probs[i] for i in after.kept_ids()))
    else:
        mass = math.fsum(probs[i] for i in removed)
    examples = heapq.nlargest(STAGE_EXAMPLES, removed, key=probs.__getitem__)
    return mass, [(i, probs[i]) for i in examples]
