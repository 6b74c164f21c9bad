"""What a sampler carries from one token to the next: XTC's random draw, Mirostat's mu.

llama.cpp keeps both inside its samplers (an ``mt19937`` per sampler, ``mu`` updated after
each token). Here they belong to the session, per position, so that a seed and a link
reproduce a run exactly and undo restores the state of the position it returns to:

- XTC's draw for the k-th chosen token is the k-th draw of ``Rng(xtc_seed(seed))`` (a stream
  of its own, so the k-th token's pick stays the k-th draw of ``Rng(seed)``);
- Mirostat's mu for position k is the mu that choice k - 1 left, when that choice ran
  Mirostat with the same version, tau and eta; otherwise 2·tau (llama.cpp's reset, which it
  does whenever a sampler is built with new parameters).

``Prepared.carry`` holds the ``Carry`` of its position (a session sets it); without one a
chain uses ``Carry()``: the first draw of seed 0's XTC stream and mu = 2·tau.
"""
import math

from .rng import Rng

XTC_STREAM = 0x58544300  # "XTC": XTC's draws come from Rng(seed ^ XTC_STREAM)


def xtc_seed(seed: int) -> int:
    return seed ^ XTC_STREAM


class Carry:
    """The state one position starts from."""

    def __init__(self, draw=None, mirostat=None):
        self._draw = draw            # a function returning this position's XTC uniform
        self.previous = mirostat     # (version, tau, eta, mu) left by the previous choice

    def xtc_draw(self) -> float:
        if self._draw is None:
            self._draw = Rng(xtc_seed(0)).random()
        return self._draw() if callable(self._draw) else self._draw

    def mu(self, version: int, tau: float, eta: float) -> float:
        if self.previous is not None and self.previous[:3] == (version, tau, eta):
            return self.previous[3]
        return 2.0 * tau


class Carries:
    """A session's carries: one XTC stream, and Mirostat's state after every choice."""

    def __init__(self, seed: int):
        self.after = []  # per chosen token: (version, tau, eta, mu) or None
        self.set_seed(seed)

    def set_seed(self, seed: int):
        self._rng, self._draws = Rng(xtc_seed(seed)), []

    def draw(self, index: int) -> float:
        while len(self._draws) <= index:
            self._draws.append(self._rng.random())
        return self._draws[index]

    def at(self, position: int) -> Carry:
        """The carry of the ``position``-th choice (0 = the first token after the prompt).
        Its draw follows the seed in use when it is read."""
        previous = self.after[position - 1] if 0 < position <= len(self.after) else None
        return Carry(lambda: self.draw(position), previous)

    def chose(self, result, params, token: int, carry: Carry):
        """Record Mirostat's update after ``token`` was chosen from ``result``."""
        if not params.mirostat or result.mirostat is None:
            self.after.append(None)
            return
        version, tau, eta = params.mirostat, params.mirostat_tau, params.mirostat_eta
        mu = carry.mu(version, tau, eta)
        p = result.mirostat_probability(token)
        if p > 0.0:  # a token outside Mirostat's input (picked by hand) leaves mu as it is
            mu = mu - eta * (-math.log2(p) - tau)
        self.after.append((version, tau, eta, mu))

    def undo(self):
        if self.after:
            self.after.pop()
