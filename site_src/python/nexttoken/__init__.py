"""nexttoken: how a language model picks its next token.

Pure standard-library Python that runs both in CPython (tests, the build) and in Pyodide
(the browser). Submodules:

- ``nexttoken.tokenizer``: GPT-2's byte-level BPE tokenizer.
- ``nexttoken.sampling``: the sampler chain that turns logits into a distribution and a token.

Nothing is imported or computed here, so importing the package is free.
"""
