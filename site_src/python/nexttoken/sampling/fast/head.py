"""One model step's logits as the quick path reads them: the head of the full path's order and
softmax sums, without converting or sorting the whole vocabulary in Python.

One small interface, two implementations:

- ``ListLogits`` over a Python list: the reference (CPython, the tests, figures);
- ``JsLogits`` over the runtime's ``Logits`` (site_src/js/runtime/logits.js), which wraps the
  model's Float32Array in the browser: the same answers from one loop each in JavaScript, so a
  generated token costs Python a few calls instead of passes over 50,257 floats.
  tests/sampling/test_head.py checks that the two agree.

What they offer:

- ``len(x)``; ``x.values()``: every logit as a list of floats (converted once, then kept);
- ``x.at(id)``: one logit; ``x.finite()``: whether every logit is finite;
- ``x.top(count)``: ``(ids, values)``, the first ``count`` ids in the full path's order (logit
  descending, ties by id descending) and their logits;
- ``x.mass(ref, temperature)``: the sum of exp((v - ref) / temperature) over every logit, as
  exactly rounded as ``math.fsum`` (JavaScript's is compensated: within a few ulps).
"""
import heapq
import math
from itertools import repeat
from operator import sub, truediv


def step_logits(logits):
    """The interface over what the worker hands over: the runtime's ``Logits`` (a proxy in
    Pyodide), a proxy of a Float32Array, a memoryview, or a sequence of floats."""
    if isinstance(logits, (ListLogits, JsLogits)):
        return logits
    if hasattr(logits, "mass") and hasattr(logits, "top"):
        return JsLogits(logits)
    if hasattr(logits, "to_py"):
        logits = logits.to_py()
    return ListLogits(logits.tolist() if isinstance(logits, memoryview) else list(logits))


class ListLogits:
    def __init__(self, values: list):
        self._values = values
        self._head = []  # the longest head found so far: a prefix of the full path's order

    def __len__(self):
        return len(self._values)

    def values(self) -> list:
        return self._values

    def at(self, token: int) -> float:
        return self._values[token]

    def finite(self) -> bool:
        # NaN, +inf or -inf make the sum non-finite (so do huge logits: the full path then decides).
        return math.isfinite(sum(self._values))

    def top(self, count: int):
        values, n = self._values, len(self._values)
        count = max(0, min(count, n))
        if len(self._head) < count:
            # as sorted(..., reverse=True)[:count], which keeps ties in the given order: ids descending
            self._head = heapq.nlargest(count, range(n - 1, -1, -1), key=values.__getitem__)
        ids = self._head[:count]
        return ids, [values[i] for i in ids]

    def mass(self, ref: float, temperature: float) -> float:
        scaled = map(sub, self._values, repeat(ref))
        if temperature != 1.0:
            scaled = map(truediv, scaled, repeat(temperature))
        return math.fsum(map(math.exp, scaled))


class JsLogits:
    """The runtime's ``Logits`` (a JsProxy), answering as ``ListLogits`` does."""

    def __init__(self, proxy):
        self._proxy, self._values = proxy, None
        self._length = int(proxy.length)

    def __len__(self):
        return self._length

    def values(self) -> list:
        if self._values is None:
            self._values = self._proxy.values().to_py().tolist()
        return self._values

    def at(self, token: int) -> float:
        return float(self._proxy.at(token)) if self._values is None else self._values[token]

    def finite(self) -> bool:
        return bool(self._proxy.finite())

    def top(self, count: int):
        head = self._proxy.top(count)
        return head.ids.to_py().tolist(), head.values.to_py().tolist()

    def mass(self, ref: float, temperature: float) -> float:
        return float(self._proxy.mass(ref, temperature))
