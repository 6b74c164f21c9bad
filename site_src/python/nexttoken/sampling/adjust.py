"""Stages that change the logits of a few ids: bias, penalties, banned n-grams.

They run before any truncation and only touch ids named by the bias or found in the history,
recording new logits in ``state.moved``; the View then re-sorts just those ids.
"""
import math

NEG_INF = -math.inf


class LogitBias:
    """Add ``bias[id]`` to that id's logit (transformers' SequenceBiasLogitsProcessor with
    single-token sequences; llama.cpp's logit_bias sampler)."""

    name = "logit_bias"
    changes_logits = True

    def __init__(self, bias: dict):
        self.bias = bias

    def apply(self, state):
        n = state.prepared.n
        for token, bias in self.bias.items():
            if token >= n:
                raise ValueError(f"logit_bias key {token} is out of range for a vocabulary of "
                                 f"{n} tokens (ids are 0..{n - 1})")
            state.move(token, state.logit(token) + bias)


def _repeat_penalty(value: float, penalty: float) -> float:
    # Dividing a negative logit would raise it, so negatives are multiplied instead.
    return value * penalty if value < 0 else value / penalty


class RepetitionPenalty:
    """transformers' RepetitionPenaltyLogitsProcessor: every id in the history, once."""

    name = "repetition_penalty"
    changes_logits = True

    def __init__(self, penalty: float):
        self.penalty = penalty

    def apply(self, state):
        for token in state.prepared.counts():
            state.move(token, _repeat_penalty(state.logit(token), self.penalty))


class PresenceFrequency:
    """OpenAI's penalties: logit -= count * frequency + (count > 0) * presence."""

    name = "presence_frequency_penalty"
    changes_logits = True

    def __init__(self, presence: float, frequency: float):
        self.presence, self.frequency = presence, frequency

    def apply(self, state):
        for token, count in state.prepared.counts().items():
            state.move(token, state.logit(token) - (count * self.frequency + self.presence))


class LlamaPenalties:
    """llama.cpp's penalties sampler: repetition, then frequency and presence, over the last
    ``last_n`` history ids."""

    name = "penalties"
    changes_logits = True

    def __init__(self, repetition: float, presence: float, frequency: float, last_n: int):
        self.repetition, self.presence, self.frequency = repetition, presence, frequency
        self.last_n = last_n

    def apply(self, state):
        for token, count in state.prepared.counts(self.last_n).items():
            value = _repeat_penalty(state.logit(token), self.repetition)
            state.move(token, value - (count * self.frequency + self.presence))


class NoRepeatNGram:
    """transformers' NoRepeatNGramLogitsProcessor: mask ids that would repeat an n-gram."""

    name = "no_repeat_ngram"
    changes_logits = True

    def __init__(self, size: int):
        self.size = size

    def apply(self, state):
        banned = state.prepared.banned(self.size)
        if state.view is not None:  # after truncations (text-generation-webui's order)
            state.ban(banned)
            return
        for token in banned:
            state.move(token, NEG_INF)
