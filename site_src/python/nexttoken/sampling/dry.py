"""DRY ("don't repeat yourself"): penalise the tokens that would extend a repeat of the text.

Follows text-generation-webui's ``DRYLogitsProcessor`` (``modules/sampler_hijack.py`` at
dceb23c76361066f35531cef3808cf172b6d5a5d) over the whole history, prompt included (its
``repetition_penalty_range`` 0): for every earlier occurrence of the last token, the match is
extended backwards (at most 50 tokens, never through a sequence breaker); the token that
followed the occurrence gets ``multiplier * base ** (length - allowed_length)`` subtracted
once its longest match reaches ``allowed_length``. Nothing happens when the last token is a
breaker, and breakers themselves are never penalised. How llama.cpp's ``dry`` sampler differs
is in docs/sampling.md.
"""
MAX_MATCH = 50  # webui's cap on a match's length (it keeps base ** n finite)


def match_lengths(history, breakers) -> dict:
    """{token: longest repeat it would extend} for the tokens DRY looks at."""
    if not history:
        return {}
    last = history[-1]
    if last in breakers:
        return {}
    lengths = {}
    for i in range(len(history) - 1):
        if history[i] != last:
            continue
        following = history[i + 1]
        if following in breakers:
            continue
        length = 1
        while length < MAX_MATCH:
            j = i - length
            if j < 0:
                break
            previous = history[-(length + 1)]
            if history[j] != previous or previous in breakers:
                break
            length += 1
        if length > lengths.get(following, 0):
            lengths[following] = length
    return lengths


class Dry:
    """Subtract DRY's penalty from the tokens that would extend a repeat."""

    name = "dry"
    changes_logits = True

    def __init__(self, multiplier: float, base: float, allowed_length: int, breakers: tuple):
        self.multiplier, self.base = multiplier, base
        self.allowed_length, self.breakers = allowed_length, breakers

    def apply(self, state):
        for token, length in state.prepared.dry_lengths(self.breakers).items():
            if length >= self.allowed_length:
                penalty = self.multiplier * self.base ** (length - self.allowed_length)
                state.move(token, state.logit(token) - penalty)
