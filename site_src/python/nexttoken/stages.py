"""The stage-by-stage view: what each stage of the chain removed, from compact results.

Every truncation keeps a run ``[lo, hi)`` of the run before it (candidates in logit order), so
what it removed is at most two runs, whose mass is a window sum (sublinear with the band
index) and whose likeliest tokens are the first of each run. The logit-changing stages
(biases, penalties, n-gram bans) remove a few listed ids. Nothing here builds a list of
probabilities over the vocabulary.
"""
import heapq
import math

from nexttoken.sampling.params import STAGE_LABELS
from nexttoken.sampling.fast.window import Window

STAGE_EXAMPLES = 5     # removed tokens named per stage
STAGE_TOP = 5          # survivors shown per stage
DIRECT_SUM = 256       # removed runs up to this many tokens are summed token by token


def stage_summary(session, step, params) -> list:
    """One entry per active stage of the chain, from ``Prepared.trace``: what it removed
    (count, mass, the most likely examples), how many survive, and the survivors' new
    probabilities (the removed mass is shared out by renormalising)."""
    before = step.model()  # the model's own distribution, before the first stage
    stages = []
    for stage in step.prepared.trace(params):
        after = stage.result
        count, mass, examples = _removed(before, stage)
        stages.append({
            "name": stage.name, "label": STAGE_LABELS[stage.name],
            "removed": count, "removed_mass": mass,
            "examples": [session.token_entry(i, p) for i, p in examples],
            "kept_before": before.kept if stages else after.size, "kept": after.kept,
            "top": [session.token_entry(i, p) for i, p in after.top(STAGE_TOP)],
            "entropy": after.entropy(),
        })
        before = after
    return stages


def _removed(before, stage) -> tuple:
    """(count, probability mass before the stage, [(id, p)] of the likeliest) of what the
    stage removed."""
    if before.view is stage.result.view:
        return _cut_runs(before, stage.result)
    return _removed_ids(before, stage.removed)


def _cut_runs(before, after) -> tuple:
    """A truncation: ``before`` keeps [lo, hi), ``after`` a run inside it."""
    runs = [(a, b) for a, b in ((before.lo, after.lo), (after.hi, before.hi)) if a < b]
    count = sum(b - a for a, b in runs)
    if not count:
        return 0, 0.0, []
    # a few removed tokens are summed one by one; else the kept run's sums (made already for
    # its own probabilities) give what is left
    if count <= DIRECT_SUM:
        mass = math.fsum(_run_mass(before, a, b) for a, b in runs)
    else:
        mass = 1.0 - _run_mass(before, after.lo, after.hi, after)
    positions = [p for a, b in runs for p in range(a, min(b, a + STAGE_EXAMPLES))]
    positions = positions[:STAGE_EXAMPLES]  # the first run's logits are the higher ones
    ids = before.view.ids_between
    return count, min(max(mass, 0.0), 1.0), [(ids(p, p + 1)[0], _prob(before, p))
                                             for p in positions]


def _run_mass(result, a: int, b: int, same=None) -> float:
    """Probability under ``result`` of its candidates at positions [a, b); ``same``: a
    Result whose run is [a, b) at the same temperature (its sums are made already)."""
    if result.kept == 1:
        return 1.0 if a <= result.lo < b else 0.0
    if (a, b) == (result.lo, result.hi):
        return 1.0
    window, values = result.window(), result.view.values
    if same is not None and same.kept > 1 and same.temperature == result.temperature:
        run = same.window()
    else:
        run = Window(result.view, a, b, result.temperature)
    return run.total() * math.exp((values[a] - window.ref) / result.temperature) / window.total()


def _prob(result, position: int) -> float:
    """Probability under ``result`` of the candidate at ``position`` of its view."""
    if result.kept == 1:
        return 1.0 if position == result.lo else 0.0
    window = result.window()
    value = result.view.values[position]
    return math.exp((value - window.ref) / result.temperature) / window.total()


def _removed_ids(before, removed) -> tuple:
    """A logit-changing stage removed (set to -inf) the listed ids, which ``before`` kept."""
    if not removed:
        return 0, 0.0, []
    logits = before.view.adjusted_logits()  # after every change so far (quadratic's too)
    if before.kept == 1:
        top = before.kept_ids()[0]
        probs = [(t, 1.0 if t == top else 0.0) for t in removed]
    else:
        window, temperature = before.window(), before.temperature
        ref, total = window.ref, window.total()
        probs = [(t, math.exp((logits[t] - ref) / temperature) / total) for t in removed]
    examples = heapq.nlargest(STAGE_EXAMPLES, probs, key=lambda pair: pair[1])
    return len(removed), min(math.fsum(p for _, p in probs), 1.0), examples
