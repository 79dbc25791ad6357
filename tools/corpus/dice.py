"""The single random stream the corpus is drawn from.

posts.csv is reproducible only if every draw happens in the same order as when it was written:
the generator draws by position (``pick`` takes an index into a list), so the length and the
order of every fragment list, and the order of the draws in the code, are part of the dataset.
"""

from __future__ import annotations

import random
from collections.abc import MutableSequence, Sequence
from typing import TypeVar

T = TypeVar("T")


class Dice:
    def __init__(self, seed: int) -> None:
        self._rng = random.Random(seed)

    def pick(self, seq: Sequence[T]) -> T:
        return seq[self._rng.randrange(len(seq))]

    def chance(self, p: float) -> bool:
        return self._rng.random() < p

    def opt(self, p: float, s: str) -> str:
        """``s`` with probability ``p``, else "" (``s`` is built before the draw)."""
        return s if self.chance(p) else ""

    def num(self, lo: int, hi: int) -> int:
        return self._rng.randint(lo, hi)

    def roll(self) -> float:
        return self._rng.random()

    def choice(self, seq: Sequence[T]) -> T:
        return self._rng.choice(seq)

    def sample(self, seq: Sequence[T], k: int) -> list[T]:
        return self._rng.sample(seq, k)

    def shuffle(self, items: MutableSequence[T]) -> None:
        self._rng.shuffle(items)
