"""Cue terms per tag and context (lexicon/cues.yaml), found in one leftmost-longest pass.

A term counts for its own categories and, unless it belongs to a context that negates a
shutdown (demanded, not_enforced, stalled, own_decision, ban_news), also for the categories of
the shorter cue terms inside it: 全部关停 is blanket and shutdown, while 请关停 (demanded) and
不搞一刀切 (ban_news) hide the 关停 and 一刀切 inside them. A term that names a sector of its own
names only that one (违章建筑 is urban_management, not construction for 建筑; 小工厂 is
scattered_pollution, not industrial_park for 工厂), and a ``no_trade`` term (a brand or a product
holding a sector word: 五矿, 矿泉水) names none.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import yaml

from yuqing.nlp.rules import map_back
from yuqing.nlp.trie import compile_terms

NEGATING = frozenset({"demanded", "not_enforced", "stalled", "own_decision", "ban_news"})
# Words that hold a sector cue term but name no trade: a developer's brand (五矿 builds housing),
# a product (矿泉水). They hide the sector of the terms inside them (issue 11, sector 4th pass).
NO_TRADE = "no_trade"
# "Many businesses": 十几家, 二十多个, 43户, 七家 … (category ``many``; a blanket cue).
MANY = re.compile(
    r"(?:\d{2,}|[两二三四五六七八九]?十[一二三四五六七八九几多余]?|几十|数十|上百|好几|"
    r"[两三四五六七八九]|多)来?(?:家|户|座|处)"
    r"|(?:\d{2,}|[两二三四五六七八九]?十[一二三四五六七八九几多余]?|几十|数十|上百)来?个"
)
MANY_NOUNS = "家户座处个"  # MANY cannot match a text with none of them (a cheap test first)
TAG_CATEGORIES = ("shutdown", "blanket", "complaint", "licensed")
# A sector term that a village, township or town name ends on (鱼塘村, 大桥乡, 石场镇) names the
# place, not the trade (issue 11, sector 3rd pass).
PLACE_SUFFIX = frozenset("村乡镇")


@dataclass(frozen=True)
class CueHit:
    term: str  # as it reads in the text
    categories: tuple[str, ...]
    start: int
    end: int


@lru_cache(maxsize=1)
def load_cues() -> dict[str, tuple[str, ...]]:
    """Category -> terms, as shipped."""
    text = resources.files("yuqing.nlp.lexicon").joinpath("cues.yaml").read_text("utf-8")
    data = yaml.safe_load(text)
    return {str(k): tuple(str(t) for t in v) for k, v in data.items()}


class CueMatcher:
    def __init__(self, cues: dict[str, tuple[str, ...]] | None = None) -> None:
        cues = load_cues() if cues is None else cues
        own: dict[str, set[str]] = {}
        for cat, terms in cues.items():
            for t in terms:
                own.setdefault(t, set()).add(cat)
        self.categories = tuple(cues)
        self.lookup: dict[str, tuple[str, ...]] = {}
        for term, cats in own.items():
            total = set(cats)
            if not cats & NEGATING:
                # the longest term names the trade (issue 11, sector 4th pass)
                sectored = NO_TRADE in cats or any(c.startswith("sector.") for c in cats)
                for other, ocats in own.items():
                    if other != term and other in term:
                        total |= {
                            c
                            for c in ocats - NEGATING
                            if not (sectored and c.startswith("sector."))
                        }
            self.lookup[term] = tuple(sorted(total))
        self._pattern = compile_terms(self.lookup)

    def find(self, original: str, normalized: str) -> list[CueHit]:
        """Cue terms in ``normalized`` (with their spelling in ``original``)."""
        if self._pattern is None or not normalized:
            return []
        hits = [
            CueHit(map_back(original, normalized, m.span()), self.lookup[m.group()], *m.span())
            for m in self._pattern.finditer(normalized)
            if not _place_name(normalized, m.end(), self.lookup[m.group()])
        ]
        if any(c in normalized for c in MANY_NOUNS):
            hits += [
                CueHit(map_back(original, normalized, m.span()), ("many",), *m.span())
                for m in MANY.finditer(normalized)
            ]
        return hits


def _place_name(text: str, end: int, categories: tuple[str, ...]) -> bool:
    """A sector-only term followed by 村 / 乡 / 镇: part of a place's name."""
    return (
        end < len(text)
        and text[end] in PLACE_SUFFIX
        and all(c.startswith("sector.") for c in categories)
    )


@lru_cache(maxsize=1)
def default_matcher() -> CueMatcher:
    return CueMatcher()
