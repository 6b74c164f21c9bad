"""The stage-by-stage view's numbers (nexttoken/stages.py) agree with the distributions the
chain computes: what a stage removed weighed what the previous stage's distribution gave it."""
import random

import pytest

from nexttoken import stages
from nexttoken.sampling import SamplingParams, prepare

RNG = random.Random(1)
LOGITS = [RNG.gauss(0, 2) for _ in range(5000)]
BANNED = sorted(range(5000), key=lambda t: -LOGITS[t])[5]
HISTORY = [7, BANNED, 7]  # after "7 BANNED ... 7", a 2-gram ban removes BANNED


@pytest.mark.parametrize("settings", [
    {"no_repeat_ngram_size": 2, "order": "webui"},  # the ban runs late, after temperature
    {"no_repeat_ngram_size": 2, "smoothing_factor": 0.3, "order": "webui"},  # ... and quadratic
    {"no_repeat_ngram_size": 2, "temperature": 0.7},
])
def test_a_ban_removes_the_mass_the_previous_stage_gave_the_token(settings):
    trace = prepare(LOGITS, HISTORY).trace(SamplingParams(**settings))
    ban = next(i for i, s in enumerate(trace) if s.name == "no_repeat_ngram")
    assert trace[ban].removed == [BANNED]
    before = trace[ban - 1].result if ban else prepare(LOGITS, HISTORY).result(SamplingParams())
    count, mass, examples = stages._removed_ids(before, trace[ban].removed)
    expected = before.distribution()[BANNED]
    assert count == 1 and mass == pytest.approx(expected, rel=1e-12) and mass > 1e-4
    assert examples == [(BANNED, mass)]
