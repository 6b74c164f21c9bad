"""Locally typical sampling (Meister et al. 2022): keep the tokens whose surprisal is closest
to the entropy, nearest first, until their mass reaches p.

With u = (v - top) / T (a token's log-weight) the surprisal is log Z - u, so a token's distance to
the entropy H is |u - c| with c = log Z - H: the kept tokens are those whose u lies nearest
to c, a band of consecutive candidates around position ``split``. Small windows follow
transformers' and llama.cpp's code token by token; banded windows find the band's radius by
bisection over whole pieces and walk tokens only in the one or two pieces at its edge.
"""
import math
from bisect import bisect_left, bisect_right
from itertools import accumulate
from operator import mul


class Typical:
    """transformers keeps every token whose distance is <= that of the first token at which
    the running mass (nearest first) reaches p; llama.cpp keeps tokens up to the first at
    which it exceeds p (on equal distances the more likely side goes first)."""

    name = "typical_p"
    changes_logits = False

    def __init__(self, p: float, style: str):
        self.p, self.style = p, style

    def apply(self, state):
        window = state.window()
        if window.fast:
            a, b = _banded(window, self.p, self.style)
        else:
            a, b = _exact(window, self.p, self.style)
        state.keep(a, b)


def _exact(window, mass, style):
    # As the engines do it: the running mass uses softmax probabilities (w / Z); the entropy
    # uses exp(log_softmax) in transformers and log(w / Z) in llama.cpp.
    probs = window.probabilities()
    if style == "hf":
        log_total = math.log(window.total())
        logp = [u - log_total for u in window.scaled()]
        entropy = -math.fsum(map(mul, logp, map(math.exp, logp)))
    else:
        logp = [math.log(p) if p > 0.0 else -math.inf for p in probs]
        entropy = -math.fsum(p * lp for p, lp in zip(probs, logp) if p > 0.0)
    shifted = [abs(-lp - entropy) for lp in logp]
    # logp decreases along the window, so shifted falls then rises (a V)
    centre = min(range(len(shifted)), key=shifted.__getitem__)
    if style == "hf":
        order = sorted(range(len(shifted)), key=shifted.__getitem__)
        running = list(accumulate(probs[i] for i in order))
        last = min(bisect_left(running, mass), len(order) - 1)  # count of running < mass
        limit = shifted[order[last]]
        a = bisect_left(shifted, True, 0, centre + 1, key=lambda s: s <= limit)
        b = bisect_left(shifted, True, centre, len(shifted), key=lambda s: s > limit)
    else:
        a, b, running, size = centre, centre + 1, probs[centre], len(shifted)
        while running <= mass and (a > 0 or b < size):
            if a > 0 and (b == size or shifted[a - 1] <= shifted[b]):
                a -= 1
                running += probs[a]
            else:
                running += probs[b]
                b += 1
    return window.lo + a, window.lo + b


class _Side:
    """One side of the centre: pieces nearest first, with their distance ranges."""

    def __init__(self, pieces, distance, upward):
        self.pieces = pieces  # (start, end, mass) in walking order
        self.distance = distance
        self.upward = upward
        self.far = [self._far(s, e) for s, e, _ in pieces]
        self.prefix = [0.0, *accumulate(m for _, _, m in pieces)]

    def _far(self, start, end):
        return self.distance(start if self.upward else end - 1)

    def full(self, radius) -> int:
        """How many pieces lie entirely within ``radius``."""
        return bisect_right(self.far, radius)

    def tokens(self, first, last):
        """(distance, side, walk order, position) of the tokens of pieces first..last-1."""
        out = []
        for start, end, _ in self.pieces[first:last]:
            positions = range(end - 1, start - 1, -1) if self.upward else range(start, end)
            out += [(self.distance(j), 0 if self.upward else 1, -j if self.upward else j, j)
                    for j in positions]
        return out


def _banded(window, mass, style):
    view, lo, hi = window.view, window.lo, window.hi
    values, temperature, ref = view.values, window.temperature, window.ref
    total = window.total()
    centre = math.log(total) - window.entropy()
    u = lambda j: (values[j] - ref) / temperature  # noqa: E731
    split = bisect_left(values, True, lo, hi, key=lambda v: (v - ref) / temperature <= centre)
    if lo < split and (split == hi or u(split - 1) - centre <= centre - u(split)):
        # The nearest token is above the centre: the walk starts at the first of its tie
        # group (as _exact's min() does) and goes on down the group, so the group walks with
        # the tokens below (at distance |u - centre|).
        split = bisect_left(values, True, lo, split, key=lambda v: v <= values[split - 1])
    up_pieces, down_pieces = [], []
    for start, end, piece_mass, _ in window.pieces():
        if end <= split:
            up_pieces.append((start, end, piece_mass))
        elif start >= split:
            down_pieces.append((start, end, piece_mass))
        else:  # the piece holding the centre: split it exactly
            for a, b, dest in ((start, split, up_pieces), (split, end, down_pieces)):
                weights = [math.exp(u(j)) for j in range(a, b)]
                dest.append((a, b, math.fsum(weights)))
    up = _Side(up_pieces[::-1], lambda j: u(j) - centre, True)
    down = _Side(down_pieces, lambda j: abs(centre - u(j)), False)
    target = mass * total
    reached = (lambda m: m >= target) if style == "hf" else (lambda m: m > target)
    r0, r1 = _bracket(up, down, target, reached, u)
    candidates = up.tokens(up.full(r0), up.full(r1) + 1)
    candidates += down.tokens(down.full(r0), down.full(r1) + 1)
    candidates = sorted(c for c in candidates if c[0] > r0)
    running = _mass_within(up, r0, u) + _mass_within(down, r0, u)
    limit, last = r0, None
    for item in candidates:
        running += math.exp(u(item[3]))
        limit, last = item[0], item
        if reached(running):
            break
    a = bisect_left(values, True, lo, split,
                    key=lambda v: (v - ref) / temperature - centre <= r0)
    b = bisect_left(values, True, split, hi,
                    key=lambda v: abs(centre - (v - ref) / temperature) > r0)
    if style == "hf":  # every token at distance <= limit, ties included
        a = bisect_left(values, True, lo, split,
                        key=lambda v: (v - ref) / temperature - centre <= limit)
        b = bisect_left(values, True, split, hi,
                        key=lambda v: abs(centre - (v - ref) / temperature) > limit)
    elif last is not None:  # exactly the tokens walked, in (distance, side) order
        taken = candidates[:candidates.index(last) + 1]
        a = min([a] + [c[3] for c in taken if c[1] == 0])
        b = max([b] + [c[3] + 1 for c in taken if c[1] == 1])
    return a, max(b, a + 1)


def _mass_within(side, radius, u):
    """Exact mass of the side's tokens at distance <= radius."""
    count = side.full(radius)
    mass = side.prefix[count]
    if count < len(side.pieces):
        start, end, _ = side.pieces[count]
        mass += math.fsum(math.exp(u(j)) for j in range(start, end)
                          if side.distance(j) <= radius)
    return mass


def _bracket(up, down, target, reached, u):
    """Consecutive piece radii (r0, r1): the mass within r0 has not reached the target, the
    mass within r1 has, so the token where it is reached lies at a distance in (r0, r1]."""
    radii = sorted(set(up.far + down.far))
    whole = lambda r: up.prefix[up.full(r)] + down.prefix[down.full(r)]  # noqa: E731
    k = min(bisect_left(radii, True, key=lambda r: whole(r) >= target), len(radii) - 1)
    # whole pieces bound the mass from below; step back while the exact mass says reached
    while k > 0 and reached(_mass_within(up, radii[k - 1], u)
                            + _mass_within(down, radii[k - 1], u)):
        k -= 1
    return (radii[k - 1] if k > 0 else -1.0), radii[k]
