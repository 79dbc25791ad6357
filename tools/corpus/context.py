"""What every scenario works with: the dice, the fragments, and the post it returns."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from tools.corpus.dice import Dice
from tools.corpus.fragments import Fragments
from tools.corpus.schema_core import District, Sector


@dataclass
class Labels:
    shutdown: int
    blanket: int
    complaint: int
    sector: str
    district: str
    licensed: int


def labels(
    shutdown: int = 0,
    blanket: int = 0,
    complaint: int = 0,
    sector: str = "other",
    district: str | None = None,
    licensed: int = 0,
) -> Labels:
    if blanket and not shutdown:
        raise ValueError("blanket=1 needs shutdown=1")
    return Labels(shutdown, blanket, complaint, sector, district or "", licensed)


@dataclass
class Draft:
    """A composed post, before the district check and the split."""

    style: str
    title: str
    text: str
    labels: Labels


@dataclass
class Ctx:
    dice: Dice
    f: Fragments
    districts: dict[str, District] = field(init=False)

    def __post_init__(self) -> None:
        self.districts = {d.name: d for d in self.f.places.districts}

    def sector(self, name: str) -> Sector:
        return self.f.sectors[name]

    # Shorthands for the draws every scenario makes.
    def pick(self, seq: Sequence[str]) -> str:
        return self.dice.pick(seq)

    def chance(self, p: float) -> bool:
        return self.dice.chance(p)

    def opt(self, p: float, s: str) -> str:
        return self.dice.opt(p, s)

    def num(self, lo: int, hi: int) -> int:
        return self.dice.num(lo, hi)
