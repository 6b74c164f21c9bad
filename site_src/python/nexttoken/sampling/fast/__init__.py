"""The fast path: answers for any parameters from one sort of the logits.

The playground asks many questions of one model step (every slider move redraws), so
``prepare`` sorts the logits once and the stages then work on runs of that order:

- ``prepared.py``: ``prepare`` and ``Prepared``, the once-per-step work and the caches;
- ``state.py``: what flows through the chain (moved logits, then a View and a kept run);
- ``view.py``: the candidates in order after the logit-changing stages;
- ``window.py``: a kept run at a temperature, and its sums;
- ``buckets.py``: band power sums, so sums over thousands of tokens cost a few per band;
- ``result.py``: the compact answer (top n, kept count, entropy; the full list on demand);
- ``quick.py``: one-off draws without a sorted vocabulary (generation), reading the logits
  through ``head.py`` (the head of the order and one sum; in the browser, loops in JavaScript).

It must agree with the reference chain (``nexttoken.sampling.plain``), which says plainly what
each stage does; tests/sampling/test_plain.py checks that it does, and the parity tests check
both against transformers and llama.cpp.
"""
