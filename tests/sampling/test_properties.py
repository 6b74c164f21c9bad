"""Properties that hold for any logits and parameters (hypothesis)."""
import math

from hypothesis import given, settings, strategies as st

from nexttoken.sampling import SamplingParams, prepare

finite = st.floats(min_value=-50, max_value=50, allow_nan=False)
logit_lists = st.lists(st.one_of(finite, finite, finite, st.just(-math.inf)),
                       min_size=2, max_size=40).filter(lambda xs: any(x > -math.inf for x in xs))
orders = st.sampled_from(["hf", "llama.cpp"])
unit = st.floats(min_value=0.0, max_value=1.0)


@st.composite
def params(draw):
    kw = {"order": draw(orders)}
    optional = {
        "temperature": st.floats(min_value=0.0, max_value=4.0),
        "top_k": st.integers(min_value=0, max_value=10),
        "top_p": unit,
        "min_p": unit,
        "typical_p": st.floats(min_value=0.01, max_value=1.0),
        "epsilon": st.floats(min_value=0.0, max_value=0.5),
        "eta": st.floats(min_value=0.0, max_value=0.5),
        "top_n_sigma": st.floats(min_value=0.0, max_value=3.0),
        "repetition_penalty": st.floats(min_value=0.5, max_value=2.0),
        "presence_penalty": st.floats(min_value=-2.0, max_value=2.0),
        "frequency_penalty": st.floats(min_value=-2.0, max_value=2.0),
    }
    for field, strategy in optional.items():
        if draw(st.booleans()):
            kw[field] = draw(strategy)
    return SamplingParams(**kw)


@settings(max_examples=300, deadline=None)
@given(logit_lists, params(), st.lists(st.integers(min_value=0, max_value=1), max_size=6))
def test_sums_to_one_and_removed_tokens_are_exactly_zero(logits, p, history):
    result = prepare(logits, history).result(p)
    probs = result.distribution()
    assert len(probs) == len(logits)
    assert math.isclose(math.fsum(probs), 1.0, abs_tol=1e-12)
    kept = set(result.kept_ids())
    assert kept and all(logits[t] > -math.inf for t in kept)
    assert all(probs[t] == 0.0 for t in range(len(probs)) if t not in kept)
    assert all(0.0 <= q <= 1.0 for q in probs)


@settings(max_examples=200, deadline=None)
@given(logit_lists, unit, unit, st.floats(min_value=0.05, max_value=4.0), orders)
def test_a_larger_top_p_keeps_a_superset(logits, p1, p2, temperature, order):
    small, large = sorted((p1, p2))
    prepared = prepare(logits)
    keep = lambda p: set(prepared.result(  # noqa: E731
        SamplingParams(top_p=p, temperature=temperature, order=order)).kept_ids())
    assert keep(small) <= keep(large)


@settings(max_examples=200, deadline=None)
@given(logit_lists, st.floats(min_value=0.05, max_value=5.0))
def test_temperature_never_changes_the_order_of_tokens(logits, temperature):
    probs = prepare(logits).distribution(SamplingParams(temperature=temperature))
    ranked = sorted(range(len(logits)), key=lambda t: logits[t], reverse=True)
    assert all(probs[a] >= probs[b] for a, b in zip(ranked, ranked[1:]))


@settings(max_examples=200, deadline=None)
@given(logit_lists, st.integers(min_value=1, max_value=12), orders)
def test_top_k_keeps_k_or_the_ties_at_the_kth(logits, k, order):
    kept = prepare(logits).result(SamplingParams(top_k=k, order=order)).kept_ids()
    finite = sorted((v for v in logits if v > -math.inf), reverse=True)
    if k >= len(finite):
        assert len(kept) == len(finite)
    elif order == "llama.cpp":
        assert len(kept) == k
    else:  # transformers keeps every token tied with the k-th
        assert len(kept) == sum(1 for v in finite if v >= finite[k - 1])


@settings(max_examples=200, deadline=None)
@given(logit_lists, st.floats(min_value=0.01, max_value=3.0),
       st.floats(min_value=0.05, max_value=5.0), st.floats(min_value=0.05, max_value=5.0))
def test_top_n_sigma_keeps_the_same_tokens_at_any_temperature(logits, n, t1, t2):
    prepared = prepare(logits)
    kept = [set(prepared.result(SamplingParams(top_n_sigma=n, temperature=t)).kept_ids())
            for t in (t1, t2)]
    finite = [v for v in logits if v > -math.inf]
    spread = max(finite) - min(finite)
    # away from the exact cut (where rounding of v/T may differ) the sets must agree
    top = max(finite)
    mean = math.fsum(finite) / len(finite)
    sigma = math.sqrt(math.fsum((v - mean) ** 2 for v in finite) / len(finite))
    cut = top - n * sigma
    if all(abs(v - cut) > 1e-9 * (1 + spread) for v in finite):
        assert kept[0] == kept[1]


@settings(max_examples=200, deadline=None)
@given(logit_lists, unit, unit)
def test_a_larger_min_p_keeps_a_subset(logits, a, b):
    low, high = sorted((a, b))
    prepared = prepare(logits)
    keep = lambda p: set(prepared.result(SamplingParams(min_p=p)).kept_ids())  # noqa: E731
    assert keep(high) <= keep(low)


@settings(max_examples=200, deadline=None)
@given(logit_lists, params(), st.lists(st.integers(min_value=0, max_value=1), max_size=6))
def test_trace_partitions_the_vocabulary(logits, p, history):
    prepared = prepare(logits, history)
    trace = prepared.trace(p)
    removed = [t for stage in trace for t in stage.removed]
    final = set(prepared.result(p).kept_ids())
    masked = {t for t, v in enumerate(logits) if v == -math.inf}
    assert len(removed) == len(set(removed))
    assert set(removed) | final | masked == set(range(len(logits)))
    assert not (set(removed) & final) and not (masked & final)
    if trace:
        assert trace[-1].probs == prepared.distribution(p)


@settings(max_examples=100, deadline=None)
@given(logit_lists, st.floats(min_value=0.05, max_value=5.0))
def test_the_two_orders_agree_when_only_temperature_is_set(logits, temperature):
    prepared = prepare(logits)
    a = prepared.distribution(SamplingParams(temperature=temperature))
    b = prepared.distribution(SamplingParams(temperature=temperature, order="llama.cpp"))
    assert a == b
