"""One model step of a playground session: its ``Prepared`` logits and the model's own view.

Redraws sum windows of tens of thousands of tokens (the kept run, the entropy, the model's
own distribution); with the band index (``Prepared.index``) each sum costs a few series per
band instead of one ``exp`` per token. The index costs a few passes over the vocabulary, so a
step does not build it up front (generating token after token never needs it): the page asks
for it when the reader grabs a control (``WorkerApi.warm``), and otherwise the third large
sum of the step builds it (see ``nexttoken.sampling.prepare``).

Even the sort that ``prepare`` starts with waits until something asks for ``prepared``: a
one-off draw (``nexttoken.generate``) takes the quick path (``nexttoken.sampling.fast.quick``),
which needs only the head of the distribution, and never sorts the vocabulary.
"""
import math
from bisect import bisect_right
from operator import neg

from nexttoken.sampling import SamplingParams, prepare
from nexttoken.sampling.fast.head import step_logits


class Step:
    """One model step: the logits for the next token (and the history window they follow),
    their ``Prepared`` once something asks for it, and lazily cached extras."""

    def __init__(self, logits, history: list, carry=None):
        self.logits = step_logits(logits)  # the quick path's view (sampling/fast/head.py)
        self.history = history
        self.carry = carry      # XTC's draw and Mirostat's mu for this position (carry.py)
        self._prepared = None
        self._model_top = []
        self._sums = None

    @property
    def prepared(self):
        """The sorted, indexed logits (``nexttoken.sampling.prepare``), made on first use."""
        if self._prepared is None:
            self._prepared = prepare(self.logits.values(), self.history)
            self._prepared.carry = self.carry
        return self._prepared

    @property
    def is_prepared(self) -> bool:
        return self._prepared is not None

    def model(self):
        """The model's own distribution, before any sampler (a compact Result; its sums are
        kept by ``prepared`` and shared with the chains that start from it)."""
        return self.prepared.result(SamplingParams())

    def model_top(self, count: int) -> list:
        """Ids of the ``count`` largest raw logits, most likely first, ties by lowest id (as a
        stable sort would give), masked ids last. Costs O(count), not a sort of the vocabulary."""
        if len(self._model_top) < count:
            prepared = self.prepared
            ids, values, logits = prepared.sorted_ids, prepared.sorted_values, prepared.logits
            wanted = min(max(count, 64), len(ids))
            # finish the last tie group: within it, the prepared order runs by id descending
            end = bisect_right(values, -values[wanted - 1], key=neg)
            top = sorted(ids[:end], key=lambda t: (-logits[t], t))[:wanted]
            self._model_top = top + sorted(prepared.masked_ids)[:max(0, count - len(top))]
        return self._model_top[:count]

    def model_entropy(self) -> float:
        """Entropy (nats) of the model's own distribution, before any sampler."""
        return self._model_sums()[2]

    def model_prob(self, token: int) -> float:
        """The model's own probability of ``token`` (softmax of the raw logits at T = 1)."""
        if self._sums is None and self._prepared is None:
            # No sorted vocabulary yet (a quick draw): one sum (head.py's mass) instead.
            ref = self.logits.top(1)[1][0]
            return math.exp(self.logits.at(token) - ref) / self.logits.mass(ref, 1.0)
        ref, total, _ = self._model_sums()
        if ref is None:  # one finite logit
            return 1.0 if token == self.prepared.sorted_ids[0] else 0.0
        return math.exp(self.prepared.logits[token] - ref) / total

    def _model_sums(self) -> tuple:
        """(top logit, softmax denominator relative to it, entropy) of the model's own
        distribution, kept for the step (they do not depend on the sliders)."""
        if self._sums is None:
            model = self.model()
            if model.kept == 1:
                self._sums = (None, 1.0, 0.0)
            else:
                window = model.window()
                self._sums = (window.ref, window.total(), model.entropy())
        return self._sums
