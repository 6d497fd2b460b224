"""Seeded dice, and every outcome of a move for the checker: the two answers to `random()`.

A game's dice are counter-based: outcome k is a hash of (seed, k). The game state holds the seed
and how many outcomes were drawn, so a saved game, an undo or a replay rolls exactly the same.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

MASK = 2**64 - 1
MAX_OUTCOMES = 4096  # the most outcomes one move may have for the checker to follow each


def mix(value: int) -> int:
    """SplitMix64's finaliser: a fast, well-spread 64-bit hash."""
    z = (value + 0x9E3779B97F4A7C15) & MASK
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
    return z ^ (z >> 31)


def text_hash(text: str) -> int:
    """FNV-1a of a text: stable across runs, unlike `hash()`."""
    value = 0xCBF29CE484222325
    for byte in text.encode():
        value = ((value ^ byte) * 0x100000001B3) & MASK
    return value


def pick(seed: int, key: str, count: int, options: int) -> int:
    """Which of `options` a shuffle at `key` shows the `count`-th time: no dice are drawn."""
    return mix(seed ^ mix(text_hash(key) ^ mix(count))) % options


class SeededDice:
    """The dice of one game, from its seed and the number of outcomes drawn so far."""

    def __init__(self, seed: int, draws: int) -> None:
        self.seed = seed
        self.draws = draws

    def _next(self) -> int:
        value = mix(self.seed ^ mix(self.draws))
        self.draws = (self.draws + 1) & MASK
        return value

    def roll(self, low: int, high: int) -> int:
        return low + self._next() % (high - low + 1)

    def chance(self, percent: int) -> bool:
        return self._next() % 100 < percent


class TooManyOutcomes(Exception):
    """A move has more outcomes than the checker follows (MAX_OUTCOMES)."""


class ScriptedDice:
    """Dice that give the outcomes of a script, then the first possible one, noting the others."""

    def __init__(self, script: tuple[int, ...]) -> None:
        self.script = script
        self.taken: list[int] = []
        self.options: list[range] = []

    def _draw(self, options: range) -> int:
        at = len(self.taken)
        value = self.script[at] if at < len(self.script) else options[0]
        self.taken.append(value)
        self.options.append(options)
        return value

    def roll(self, low: int, high: int) -> int:
        return self._draw(range(low, high + 1))

    def chance(self, percent: int) -> bool:
        if percent <= 0:
            return bool(self._draw(range(0, 1)))
        if percent >= 100:
            return bool(self._draw(range(1, 2)))
        return bool(self._draw(range(0, 2)))


T = TypeVar("T")


def every_outcome(run: Callable[[ScriptedDice], T]) -> list[T]:
    """`run` once for each way its dice can fall (once if it rolls none), depth first.

    Raises TooManyOutcomes past MAX_OUTCOMES.
    """
    results: list[T] = []
    pending: list[tuple[int, ...]] = [()]
    while pending:
        script = pending.pop()
        dice = ScriptedDice(script)
        results.append(run(dice))
        if len(results) > MAX_OUTCOMES:
            raise TooManyOutcomes
        for at in range(len(script), len(dice.options)):
            prefix = tuple(dice.taken[:at])
            options = dice.options[at]
            if len(options) - 1 + len(pending) + len(results) > MAX_OUTCOMES:
                raise TooManyOutcomes
            pending.extend((*prefix, value) for value in reversed(options[1:]))
    return results
