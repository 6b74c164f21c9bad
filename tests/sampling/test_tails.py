"""Tail-free and quadratic sampling compute a head of the window and bound the rest
(tailfree.py, quadratic.py): the bounds must stop them only where the rest cannot change the
answer. The parity against the references at 50,257 tokens is in test_more.py
(``vectors_more.tail_cases``); these check that the vocabularies there do test the bounds,
and the parts of the mechanism the answers alone do not show."""
import math
import random
from itertools import accumulate

import pytest

from nexttoken.sampling import SamplingParams, prepare, tailfree
from nexttoken.sampling.quadratic import Rewrite
from tests.sampling.reference_more import tensor_distribution
from tests.sampling.vectors import random_logits
from tests.sampling.vectors_more import plateau_logits, stairs_logits


@pytest.fixture
def whole_runs(monkeypatch):
    """The z values TFS computed over the whole window for (not decided from a head)."""
    calls = []
    original = tailfree._whole

    def whole(state, z):
        calls.append(z)
        return original(state, z)
    monkeypatch.setattr(tailfree, "_whole", whole)
    return calls


@pytest.mark.parametrize("z", [0.3, 0.6, 0.8, 0.95])
def test_the_staircase_tail_moves_every_tfs_cut(z):
    logits = stairs_logits()
    ordered = sorted(logits, reverse=True)
    weights = [math.exp(v - ordered[0]) for v in ordered]
    d2 = tailfree._second_differences(weights)
    head = list(accumulate(d2[:tailfree.FIRST_HEAD]))
    from_head = next(j for j, s in enumerate(head) if s / head[-1] > z)
    kept, _ = tensor_distribution(logits, SamplingParams(tfs=z))
    assert len(kept) != from_head + 1  # a cut ignoring the tail would be wrong
    assert len(prepare(logits).result(SamplingParams(tfs=z)).kept_ids()) == len(kept)


def test_tfs_decides_from_the_head_when_the_bound_allows(whole_runs):
    logits = stairs_logits()
    for z, temperature in ((0.3, 0.6), (0.6, 0.6), (0.7, 0.6)):  # a steep head: decided
        params = SamplingParams(tfs=z, temperature=temperature)
        assert prepare(logits).result(params).kept == len(tensor_distribution(logits,
                                                                              params)[0])
    assert whole_runs == []
    prepare(logits).result(SamplingParams(tfs=0.95))  # the cut lies in the staircase
    assert whole_runs == [0.95]


def test_tfs_on_a_model_like_vocabulary_reads_a_head_only(whole_runs):
    logits = random_logits(random.Random(0), 50257, spikes=30)
    for z in (0.3, 0.5, 0.8):
        params = SamplingParams(tfs=z, temperature=0.8)
        kept = prepare(logits).result(params).kept_ids()
        assert set(kept) == tensor_distribution(logits, params)[0]
    assert whole_runs == []


@pytest.mark.parametrize("curve, temperature", [(1.0, 1.0), (1.0, 0.7), (2.0, 1.3),
                                                (3.0, 1.0), (1.5, 2.5)])
def test_rewriting_one_logit_gives_the_floats_of_rewriting_many(curve, temperature):
    rng = random.Random(int(curve * 10 + temperature * 100))
    values = sorted((rng.gauss(0.0, 4.0) for _ in range(2000)), reverse=True)
    values += [values[-1] - 1e3, -1e150]  # d³ overflows at the last one
    k, s = (3 - curve) / 2, (curve - 1) / 2
    rewrite = Rewrite(temperature, values[0] / temperature, k * 0.37, s * 0.37)
    many = rewrite.many(values[:-1])
    assert [rewrite.one(v) for v in values[:-1]] == many
    assert math.isnan(rewrite.one(values[-1])) == math.isnan(rewrite.many(values)[0])


def test_quadratic_sums_stop_only_where_the_rest_is_negligible():
    # plateau_logits: ~1% of the mass 6.5-7.5 below the top, ~1e-15 ~12 below, ~1e-16 in
    # tokens each under 1e-20 ~12.4 below, ~1e-27 in the last 20,250
    prepared = prepare(plateau_logits())
    result = prepared.result(SamplingParams(smoothing_factor=0.3))
    window, view = result.window(), result.view
    total = window.total()
    summed = len(window.summed())
    assert 30007 <= summed < 50257
    assert len(view._run) < 50257  # the farthest tokens were never rewritten
    weights = [math.exp(v - view.values[0]) for v in view.values[0:50257]]
    assert math.fsum(weights[summed:]) < 1e-20
    assert abs(total - math.fsum(weights)) <= 2 * math.ulp(total)
    eager = prepare(plateau_logits(), fast_above=10 ** 9).result(
        SamplingParams(smoothing_factor=0.3))
    assert eager.kept_ids() == result.kept_ids()
    got, expected = result.distribution(), eager.distribution()
    assert max(abs(a - b) for a, b in zip(got, expected)) < 1e-17


def test_a_lazy_rewrite_sorts_new_ties_across_its_pieces():
    # 600 logits within 6e-11 of the top all rewrite to the top: one run of new ties, longer
    # than the first piece rewritten, whose ids must come in descending order
    rng = random.Random(5)
    logits = [10.0 - k * 1e-13 for k in range(600)] + [rng.gauss(0.0, 1.0) for _ in range(4400)]
    logits = [logits[i] for i in random.Random(6).sample(range(5000), 5000)]
    for params in (SamplingParams(smoothing_factor=0.3),
                   SamplingParams(smoothing_factor=0.3, top_p=0.05),
                   SamplingParams(smoothing_factor=0.3, xtc_probability=1.0,
                                  xtc_threshold=1e-4, order="webui")):
        lazy = prepare(logits, fast_above=0).result(params)
        eager = prepare(logits, fast_above=10 ** 9).result(params)
        assert lazy.view._source is not None and eager.view._source is None
        assert lazy.top(3) == eager.top(3)  # may rewrite a first piece only
        assert lazy.top(700) == eager.top(700)
        assert lazy.kept_ids() == eager.kept_ids()
    tied = lazy.view.ids_between(0, 600)
    assert tied == sorted(tied, reverse=True)


def test_the_first_redraw_reads_a_head_of_a_model_like_vocabulary():
    logits = random_logits(random.Random(0), 50257, spikes=30)
    result = prepare(logits).result(SamplingParams(smoothing_factor=0.3, temperature=0.8))
    result.top(10)
    assert len(result.view._run) < 50257 // 4
    kept, expected = tensor_distribution(logits, SamplingParams(smoothing_factor=0.3,
                                                                temperature=0.8))
    got = dict(result.top(10))
    assert max(abs(got[t] - expected[t]) for t in got) < 1e-12
